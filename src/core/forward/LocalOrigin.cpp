// Host and origin checks for the forwarder.
#include "core/forward/LocalOrigin.h"

#include "core/forward/AllowedOrigins.h"
#include "net/Ascii.h"

#include <algorithm>
#include <cctype>

namespace heyo::forward {

namespace {

} // namespace

LocalOrigin::LocalOrigin(uint16_t port, std::set<std::string> slugs) : m_port(port), m_slugs(std::move(slugs)) {}

std::optional<LocalOrigin::HostMatch> LocalOrigin::matchHost(std::string_view host) const
{
    std::string h = net::toLowerAscii(host);
    std::string name = h, port;
    size_t colon = h.rfind(':');
    if (colon != std::string::npos && h.find(']', colon) == std::string::npos) {
        name = h.substr(0, colon);
        port = h.substr(colon + 1);
    }
    // The port must be ours, written plainly; only port 80 may be left out (that is how clients write it).
    if (port.empty() ? m_port != 80 : port != std::to_string(m_port))
        return std::nullopt;
    if (name == "127.0.0.1" || name == "localhost" || name == "[::1]")
        return HostMatch{{}, h};
    constexpr std::string_view suffix = ".localhost";
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        std::string slug = name.substr(0, name.size() - suffix.size());
        if (m_slugs.count(slug))
            return HostMatch{slug, h};
    }
    return std::nullopt;
}

std::string LocalOrigin::allowedOrigin(const net::Headers &headers, const std::set<std::string> &allowed)
{
    const std::string *origin = headers.find("Origin");
    if (!origin || allowed.empty() || headers.count("Origin") > 1)
        return {};
    std::string o = net::toLowerAscii(*origin);
    return allowed.count(o) ? o : std::string();
}

std::string LocalOrigin::crossOriginRefusal(const net::Headers &headers, const HostMatch &host, const std::string &slug,
                                            const std::set<std::string> &allowed) const
{
    if (headers.count("Origin") > 1)
        return "more than one Origin header";
    if (const std::string *origin = headers.find("Origin")) {
        std::string o = net::toLowerAscii(*origin);
        if (o == "null")
            return "requests from an opaque origin (Origin: null: a sandboxed page, a local file, a redirect from "
                   "another site) are not forwarded, and cannot be allowed";
        if (allowed.count(o))
            return {}; // the user trusts this page: Sec-Fetch-Site (cross-site or same-site) does not matter
        if (o != "http://" + host.authority) {
            std::string line =
                "cross-origin request from " + *origin + " refused: only pages served by this forwarder may use it";
            QString why;
            const QString normal = AllowedOrigins::normalise(QString::fromStdString(*origin), &why);
            if (normal.isEmpty())
                return line + " (and " + why.toStdString() + ")";
            const std::string endpoint = slug.empty() ? "ENDPOINT" : slug;
            return line + ". If you trust that page, allow its origin: heyo forward " + endpoint + " --allow-origin " +
                   normal.toStdString() + ", or in Heyo Access: Settings → Endpoints → Allowed origins";
        }
    }
    if (const std::string *site = headers.find("Sec-Fetch-Site")) {
        std::string s = net::toLowerAscii(*site);
        if (s != "none" && s != "same-origin")
            return "cross-site request (Sec-Fetch-Site: " + *site +
                   ") refused: pages of other sites may not link to or embed this forwarder (an allowed origin "
                   "counts only for requests that carry its Origin, such as fetch, forms and WebSockets)";
    }
    return {};
}

} // namespace heyo::forward
