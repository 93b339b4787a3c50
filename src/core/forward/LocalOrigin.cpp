// Host and origin checks for the forwarder.
#include "core/forward/LocalOrigin.h"

#include <algorithm>
#include <cctype>

namespace heyo::forward {

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

} // namespace

LocalOrigin::LocalOrigin(uint16_t port, std::set<std::string> slugs, std::set<std::string> allowedOrigins)
    : m_port(port), m_slugs(std::move(slugs))
{
    for (const auto &o : allowedOrigins)
        m_allowedOrigins.insert(lower(o));
}

std::optional<LocalOrigin::HostMatch> LocalOrigin::matchHost(std::string_view host) const
{
    std::string h = lower(host);
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

std::string LocalOrigin::crossOriginRefusal(const net::Headers &headers, const HostMatch &host) const
{
    if (headers.count("Origin") > 1)
        return "more than one Origin header";
    if (const std::string *origin = headers.find("Origin")) {
        std::string o = lower(*origin);
        if (o == "null")
            return "requests from an opaque origin (Origin: null) are not forwarded";
        if (o != "http://" + host.authority && !m_allowedOrigins.count(o))
            return "cross-origin request from " + *origin + " refused: only pages served by this forwarder may use it"
                   " (allow the origin in Settings if you trust it)";
    }
    if (const std::string *site = headers.find("Sec-Fetch-Site")) {
        std::string s = lower(*site);
        const std::string *origin = headers.find("Origin");
        bool allowedOrigin = origin && m_allowedOrigins.count(lower(*origin));
        if (s != "none" && s != "same-origin" && !allowedOrigin)
            return "cross-site request (Sec-Fetch-Site: " + *site + ") refused";
    }
    return {};
}

} // namespace heyo::forward
