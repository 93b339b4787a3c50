// Small helpers over header values shared by the parser and the writers: token lists, Content-Length, hop-by-hop
// removal, standard reason phrases.
#pragma once

#include "net/Ascii.h"
#include "net/Http.h"

#include <optional>
#include <string_view>

namespace heyo::net {

// Calls f(token) for each comma-separated, whitespace-trimmed, non-empty token.
template <typename F> void forEachToken(std::string_view list, F f)
{
    while (!list.empty()) {
        size_t comma = list.find(',');
        std::string_view t = list.substr(0, comma);
        while (!t.empty() && (t.front() == ' ' || t.front() == '\t'))
            t.remove_prefix(1);
        while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
            t.remove_suffix(1);
        if (!t.empty())
            f(t);
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
}

// Digits only, no sign, no list, at most 18 digits; anything else is ambiguous framing.
std::optional<uint64_t> parseContentLength(std::string_view v);

struct ConnectionOptions {
    bool close = false;
    bool keepAlive = false;
    bool upgrade = false;
    std::vector<std::string> listed; // other names listed in Connection (hop-by-hop by declaration)
};
ConnectionOptions parseConnection(const Headers &h);

// Removes Connection and what it lists, Keep-Alive, TE, Trailer, Transfer-Encoding, Proxy-Connection and, unless
// `keepUpgrade`, Upgrade. Names that carry framing or routing (Host, Content-Length) are never removed by a list.
void removeHopByHop(Headers &h, const ConnectionOptions &co, bool keepUpgrade);

// Fields HTTP/2 forbids because they describe an HTTP/1.1 connection (RFC 9113 §8.2.2): Connection, Keep-Alive,
// Proxy-Connection, Transfer-Encoding, Upgrade. (TE is allowed, as "trailers" only.)
bool isHttp2ConnectionSpecific(std::string_view name);

std::string_view reasonPhrase(int status);

} // namespace heyo::net
