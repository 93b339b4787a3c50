// The CORS answers the forwarder gives for a browser origin the user allowed for an endpoint: a preflight is answered
// here (the endpoint is never asked), and each response grants that origin, so a page there can read it.
// The endpoint's own Access-Control-* headers are dropped before (MessageRewriter): they speak for its public origin.
#pragma once

#include "net/Http.h"

#include <string>

namespace heyo::forward {

class CorsGrant {
public:
    // OPTIONS with Origin and Access-Control-Request-Method.
    static bool isPreflight(const net::RequestHead &request);
    // The headers of the 204 that answers a preflight from `origin`: the method and headers it asked for, with
    // credentials, and Private Network Access when asked (a public page calling a loopback address).
    static net::Headers preflightAnswer(const net::Headers &request, const std::string &origin);
    // On every response of an endpoint that has allowed origins: `Vary: Origin` (the answer depends on it); when
    // `origin` is not empty, the grant itself, exposing the response's headers to the page.
    static void grant(net::ResponseHead &response, const std::string &origin);
};

} // namespace heyo::forward
