// One running heyo-edge: opens the data directory (store, signing key, TLS material), wires the API, the sign-in
// page and the edge onto the HTTP engine, and listens.
#pragma once

#include "edge/CertificateAuthority.h"
#include "edge/EdgeConfig.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace heyo::edge {

class Store;

struct EdgeServerOptions {
    EdgeConfig config;
    std::string listenAddress = "127.0.0.1";
    uint16_t listenPort = 8443; // 0 → ephemeral
    int threads = 2;
    std::function<void(const std::string &line)> log; // one line per request; never carries a secret
};

class EdgeServer {
public:
    static std::unique_ptr<EdgeServer> start(EdgeServerOptions options, std::string *error);
    ~EdgeServer();

    uint16_t port() const;
    const EdgeConfig &config() const;
    const TlsFiles &tlsFiles() const;
    Store &store();
    void stop(std::chrono::milliseconds grace);

private:
    EdgeServer();
    struct Parts;
    std::unique_ptr<Parts> d;
};

// Opens (creating) the data directory and its store; shared by `serve` and the admin commands.
std::unique_ptr<Store> openStore(const std::string &dataDir, std::string *error);

} // namespace heyo::edge
