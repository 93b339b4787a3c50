// The authenticating edge for <slug>.<domain>: finds the endpoint, checks the token the request carries against the
// endpoint's account (401 / 302 to sign-in / 403), removes the credential it used, adds the identity headers
// (X-Heyo-Account-Id, X-Heyo-Email) and streams the request to the endpoint's app.
#pragma once

#include "edge/EdgeConfig.h"
#include "edge/Store.h"
#include "net/Http.h"

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace heyo::edge {

class TokenVerifier;

// Set on the edge's own refusals (401 "invalid_token", 403 "wrong_account") and removed from every app response, so
// a client such as the forwarder can tell the edge's verdict from the app's own 401/403.
inline constexpr std::string_view kEdgeErrorHeader = "X-Heyo-Error";

class EdgeGate {
public:
    EdgeGate(const EdgeConfig &config, Store &store, TokenVerifier &verifier);
    void handle(const net::ExchangePtr &ex, const std::string &slug);

private:
    struct Route {
        std::optional<Endpoint> endpoint;
        net::UpstreamTarget upstream;
        std::chrono::steady_clock::time_point loadedAt;
    };
    Route route(const std::string &slug);
    void forward(const net::ExchangePtr &ex, const Route &route, net::RequestHead &head); // head: ex's, edited
    void challenge(const net::ExchangePtr &ex, const std::string &message, bool browserMayRedirect);

    const EdgeConfig &m_config;
    Store &m_store;
    TokenVerifier &m_verifier;
    std::mutex m_mutex;
    std::unordered_map<std::string, Route> m_routes; // slug → endpoint, cached briefly (SQLite stays off the hot path)
};

} // namespace heyo::edge
