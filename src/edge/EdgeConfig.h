// The settings one heyo-edge instance runs with: where its data lives, the names it answers to, token lifetime.
#pragma once

#include <cstdint>
#include <string>

namespace heyo::edge {

struct EdgeConfig {
    std::string dataDir;
    std::string domain = "heyo.localhost"; // endpoints are <slug>.<domain>; the login page lives on <domain>
    std::string apiHost = "localhost";     // the control-plane API answers on this host and on <domain>
    uint16_t port = 8443;                  // the port clients see (after an ephemeral bind: the bound one)
    int64_t tokenLifetimeSeconds = 3600;
    int64_t apiKeyCacheSeconds = 5; // how stale a "key still live?" answer may be at the edge (reference: ≤ 30 s)

    std::string portSuffix() const { return port == 443 ? std::string() : ":" + std::to_string(port); }
    std::string apiUrl() const { return "https://" + apiHost + portSuffix(); }
    std::string loginUrl() const { return "https://" + domain + portSuffix() + "/login"; }
    std::string endpointUrl(const std::string &slug) const { return "https://" + slug + "." + domain + portSuffix(); }
    std::string issuer() const { return "https://" + domain; }
};

} // namespace heyo::edge
