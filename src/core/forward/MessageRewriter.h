// The forwarder's header rewrites, and nothing more: the request gets the endpoint's Host and the token header (and
// the local Origin/Referer mapped to the endpoint's, so the app's own CSRF checks keep working); the response gets
// same-origin Location/Content-Location and cookie domains mapped back to the local origin, and loses CORS headers.
#pragma once

#include "net/Http.h"

#include <cstdint>
#include <string>

namespace heyo::forward {

class MessageRewriter {
public:
    // `endpointHost`: e.g. "demo-web.heyo.localhost"; `endpointPort`: 443 or the local edge's port.
    MessageRewriter(std::string endpointHost, uint16_t endpointPort);

    // `localOrigin`: "http://" + the Host the client used. The client's own Authorization stays untouched; the token
    // then travels in X-Heyo-Authorization, which the edge consumes.
    void rewriteRequest(net::RequestHead &head, const std::string &localOrigin, const std::string &token) const;
    // On a head rewriteRequest() produced: the token header it chose now carries `token` (a retry after a refresh).
    void replaceToken(net::RequestHead &head, const std::string &token) const;
    void rewriteResponse(net::ResponseHead &head, const std::string &localOrigin) const;

    const std::string &endpointOrigin() const { return m_origin; }       // "https://host[:port]"
    const std::string &endpointAuthority() const { return m_authority; } // "host[:port]"

private:
    std::string mapUrl(const std::string &value, const std::string &from, const std::string &to) const;
    std::string mapCookie(const std::string &setCookie) const;

    std::string m_host;
    uint16_t m_port;
    std::string m_authority;
    std::string m_origin;
};

} // namespace heyo::forward
