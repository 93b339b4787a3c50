// Request/response header rewriting between a local origin and the endpoint's origin.
#include "core/forward/MessageRewriter.h"

#include "net/Ascii.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace heyo::forward {

namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

} // namespace

MessageRewriter::MessageRewriter(std::string endpointHost, uint16_t endpointPort)
    : m_host(std::move(endpointHost)), m_port(endpointPort)
{
    m_authority = m_port == 443 ? m_host : m_host + ":" + std::to_string(m_port);
    m_origin = "https://" + m_authority;
}

void MessageRewriter::rewriteRequest(net::RequestHead &head, const std::string &localOrigin,
                                     const std::string &token) const
{
    head.headers.set("Host", m_authority);
    head.headers.remove("X-Heyo-Authorization");
    if (head.headers.has("Authorization"))
        head.headers.set("X-Heyo-Authorization", "Bearer " + token);
    else
        head.headers.set("Authorization", "Bearer " + token);
    for (const char *name : {"Origin", "Referer"})
        if (const std::string *value = head.headers.find(name)) {
            std::string mapped = mapUrl(*value, localOrigin, m_origin);
            if (mapped != *value)
                head.headers.set(name, mapped);
        }
}

void MessageRewriter::replaceToken(net::RequestHead &head, const std::string &token) const
{
    // rewriteRequest() dropped any X-Heyo-Authorization the client sent, so one present now is ours.
    head.headers.set(head.headers.has("X-Heyo-Authorization") ? "X-Heyo-Authorization" : "Authorization",
                     "Bearer " + token);
}

void MessageRewriter::rewriteResponse(net::ResponseHead &head, const std::string &localOrigin) const
{
    auto &list = head.headers.list();
    std::erase_if(list, [](const net::Header &h) {
        // CORS grants are the endpoint's to make for its own origin, never for the local one; HSTS and Alt-Svc
        // describe the endpoint's transport, not ours.
        return net::startsWithIgnoreCase(h.name, "Access-Control-") ||
               net::equalsIgnoreCase(h.name, "Strict-Transport-Security") || net::equalsIgnoreCase(h.name, "Alt-Svc");
    });
    for (net::Header &h : list) {
        if (net::equalsIgnoreCase(h.name, "Location") || net::equalsIgnoreCase(h.name, "Content-Location"))
            h.value = mapUrl(h.value, m_origin, localOrigin);
        else if (net::equalsIgnoreCase(h.name, "Set-Cookie"))
            h.value = mapCookie(h.value);
    }
}

// Replaces the origin `from` at the start of `value` by `to`, only when what follows is the end or a path, query or
// fragment: "https://a.b:8443/x" maps, "https://a.b:84430/x" and "https://a.b.evil/x" do not. An absolute URL with the
// default port written out, or left out, counts as the same origin.
std::string MessageRewriter::mapUrl(const std::string &value, const std::string &from, const std::string &to) const
{
    std::vector<std::string> forms{from};
    if (from == m_origin && m_port == 443)
        forms.push_back(m_origin + ":443");
    for (const std::string &form : forms) {
        if (!net::startsWithIgnoreCase(value, form))
            continue;
        if (value.size() == form.size())
            return to;
        char next = value[form.size()];
        if (next == '/' || next == '?' || next == '#')
            return to + value.substr(form.size());
    }
    return value;
}

// A Domain attribute naming the endpoint's host or a parent of it is dropped: the cookie becomes host-only for the
// local origin, the one the browser is really talking to.
std::string MessageRewriter::mapCookie(const std::string &setCookie) const
{
    std::string out;
    std::string_view rest = setCookie;
    bool first = true;
    while (true) {
        size_t semi = rest.find(';');
        std::string_view part = rest.substr(0, semi);
        std::string_view attr = trim(part);
        bool drop = false;
        if (!first && net::startsWithIgnoreCase(attr, "domain=")) {
            std::string domain = net::toLowerAscii(trim(attr.substr(7)));
            if (!domain.empty() && domain.front() == '.')
                domain.erase(0, 1);
            std::string host = m_host;
            drop = host == domain || (host.size() > domain.size() &&
                                      host.compare(host.size() - domain.size(), domain.size(), domain) == 0 &&
                                      host[host.size() - domain.size() - 1] == '.');
        }
        if (!drop) {
            if (!out.empty())
                out += ';';
            out += part;
        }
        first = false;
        if (semi == std::string_view::npos)
            break;
        rest.remove_prefix(semi + 1);
    }
    return out;
}

} // namespace heyo::forward
