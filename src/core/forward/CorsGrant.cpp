// CORS preflight answers and response grants for allowed origins.
#include "core/forward/CorsGrant.h"

#include "net/Ascii.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace heyo::forward {

namespace {

bool isTokenChar(unsigned char c)
{
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos;
}

bool isToken(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return isTokenChar(c); });
}

// A comma-separated list of header names (Access-Control-Request-Headers), as a browser sends it.
bool isTokenList(std::string_view s)
{
    while (true) {
        const size_t comma = s.find(',');
        std::string_view part = s.substr(0, comma);
        while (!part.empty() && (part.front() == ' ' || part.front() == '\t'))
            part.remove_prefix(1);
        while (!part.empty() && (part.back() == ' ' || part.back() == '\t'))
            part.remove_suffix(1);
        if (!isToken(part))
            return false;
        if (comma == std::string_view::npos)
            return true;
        s.remove_prefix(comma + 1);
    }
}

} // namespace

bool CorsGrant::isPreflight(const net::RequestHead &request)
{
    return request.method == "OPTIONS" && request.headers.has("Origin") &&
           request.headers.has("Access-Control-Request-Method");
}

net::Headers CorsGrant::preflightAnswer(const net::Headers &request, const std::string &origin)
{
    net::Headers h;
    h.set("Access-Control-Allow-Origin", origin);
    h.set("Access-Control-Allow-Credentials", "true");
    // The page may use any method and header: the user trusts it as much as the forwarder's own pages. Echoing what
    // was asked (not '*') is what works together with credentials.
    if (const std::string *method = request.find("Access-Control-Request-Method"); method && isToken(*method))
        h.set("Access-Control-Allow-Methods", *method);
    if (const std::string *names = request.find("Access-Control-Request-Headers"); names && isTokenList(*names))
        h.set("Access-Control-Allow-Headers", *names);
    if (const std::string *pna = request.find("Access-Control-Request-Private-Network"); pna && *pna == "true")
        h.set("Access-Control-Allow-Private-Network", "true");
    h.set("Access-Control-Max-Age", "600"); // the real request is still checked each time; this only saves round trips
    h.set("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    h.set("Cache-Control", "no-store");
    return h;
}

void CorsGrant::grant(net::ResponseHead &response, const std::string &origin)
{
    if (response.status == 101)
        return; // a WebSocket handshake: browsers check Origin there, not CORS
    net::Headers &h = response.headers;
    bool varies = false;
    for (std::string_view vary : h.all("Vary")) {
        const std::string v = net::toLowerAscii(vary);
        varies = varies || v.find('*') != std::string::npos || v.find("origin") != std::string::npos;
    }
    if (!varies)
        h.add("Vary", "Origin");
    if (origin.empty())
        return;
    std::string exposed;
    std::vector<std::string_view> seen;
    for (const net::Header &header : h.list()) {
        const std::string_view name = header.name;
        if (net::equalsIgnoreCase(name, "Set-Cookie") || net::equalsIgnoreCase(name, "Set-Cookie2") ||
            net::equalsIgnoreCase(name, "Vary"))
            continue;
        if (std::any_of(seen.begin(), seen.end(), [&](std::string_view s) { return net::equalsIgnoreCase(s, name); }))
            continue;
        seen.push_back(name);
        exposed += (exposed.empty() ? "" : ", ") + std::string(name);
    }
    h.set("Access-Control-Allow-Origin", origin);
    h.set("Access-Control-Allow-Credentials", "true");
    if (!exposed.empty())
        h.set("Access-Control-Expose-Headers", exposed);
}

} // namespace heyo::forward
