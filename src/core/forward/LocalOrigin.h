// The names one forwarder port may be addressed by, and the browser checks derived from them: the Host header must
// be exactly a loopback name with this port (DNS rebinding defence, else 421), and a browser request must come from
// that same origin (Origin / Sec-Fetch-Site, else 403) or from an origin the user allowed for the endpoint.
#pragma once

#include "net/Http.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace heyo::forward {

class LocalOrigin {
public:
    // `slugs`: the endpoints reachable on this port as <slug>.localhost (one for an endpoint port, all for a router).
    LocalOrigin(uint16_t port, std::set<std::string> slugs);

    struct HostMatch {
        std::string slug;      // the <slug> of "<slug>.localhost:PORT", empty for 127.0.0.1 / localhost / [::1]
        std::string authority; // the Host value, lowercased, e.g. "demo-web.localhost:7000"
    };
    // nullopt → refuse with 421.
    std::optional<HostMatch> matchHost(std::string_view host) const;
    // Empty when the request may proceed; otherwise the one line of the 403, which says how to allow the page's
    // origin when it can be allowed. `slug`: the endpoint asked for (empty when the router cannot tell);
    // `allowed`: its allowed origins, normalised (AllowedOrigins). An allowed Origin passes whatever
    // Sec-Fetch-Site says: a page of another origin always sends cross-site or same-site.
    std::string crossOriginRefusal(const net::Headers &headers, const HostMatch &host, const std::string &slug,
                                   const std::set<std::string> &allowed) const;
    // The request's Origin when it is one of `allowed` (lowercased), else empty.
    static std::string allowedOrigin(const net::Headers &headers, const std::set<std::string> &allowed);

    uint16_t port() const { return m_port; }
    void setSlugs(std::set<std::string> slugs) { m_slugs = std::move(slugs); }

private:
    uint16_t m_port;
    std::set<std::string> m_slugs;
};

} // namespace heyo::forward
