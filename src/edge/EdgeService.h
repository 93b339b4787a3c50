// heyo-edge's request router: the API host and the service domain get the control-plane API, the sign-in page and
// the JWKS; <slug>.<domain> goes to the authenticating edge; any other Host is misdirected (421).
#pragma once

#include "edge/EdgeConfig.h"
#include "net/Http.h"

namespace heyo::edge {

class ApiRoutes;
class EdgeGate;
class LoginPage;

class EdgeService {
public:
    EdgeService(const EdgeConfig &config, ApiRoutes &api, LoginPage &login, EdgeGate &gate);
    void handle(const net::ExchangePtr &ex);

private:
    void serviceHome(const net::ExchangePtr &ex);

    const EdgeConfig &m_config;
    ApiRoutes &m_api;
    LoginPage &m_login;
    EdgeGate &m_gate;
};

} // namespace heyo::edge
