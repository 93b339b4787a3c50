// Header helpers.
#include "net/HeaderUtil.h"

#include <strings.h>

namespace heyo::net {

std::optional<uint64_t> parseContentLength(std::string_view v)
{
    if (v.empty() || v.size() > 18)
        return std::nullopt;
    uint64_t n = 0;
    for (char c : v) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    return n;
}

ConnectionOptions parseConnection(const Headers &h)
{
    ConnectionOptions co;
    for (const Header &hd : h.list()) {
        if (!equalsIgnoreCase(hd.name, "connection"))
            continue;
        forEachToken(hd.value, [&](std::string_view t) {
            if (equalsIgnoreCase(t, "close"))
                co.close = true;
            else if (equalsIgnoreCase(t, "keep-alive"))
                co.keepAlive = true;
            else if (equalsIgnoreCase(t, "upgrade"))
                co.upgrade = true;
            else
                co.listed.emplace_back(t);
        });
    }
    return co;
}

void removeHopByHop(Headers &h, const ConnectionOptions &co, bool keepUpgrade)
{
    static constexpr std::string_view fixed[] = {"connection", "keep-alive",        "te",
                                                 "trailer",    "transfer-encoding", "proxy-connection"};
    static constexpr std::string_view protectedNames[] = {"host", "content-length"};
    auto &list = h.list();
    std::erase_if(list, [&](const Header &hd) {
        for (std::string_view f : fixed)
            if (equalsIgnoreCase(hd.name, f))
                return true;
        if (!keepUpgrade && equalsIgnoreCase(hd.name, "upgrade"))
            return true;
        for (const std::string &l : co.listed) {
            if (!equalsIgnoreCase(hd.name, l))
                continue;
            for (std::string_view p : protectedNames)
                if (equalsIgnoreCase(l, p))
                    return false;
            return true;
        }
        return false;
    });
}

bool isHttp2ConnectionSpecific(std::string_view name)
{
    return equalsIgnoreCase(name, "connection") || equalsIgnoreCase(name, "keep-alive") ||
           equalsIgnoreCase(name, "proxy-connection") || equalsIgnoreCase(name, "transfer-encoding") ||
           equalsIgnoreCase(name, "upgrade");
}

std::string_view reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 103:
        return "Early Hints";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 418:
        return "I'm a teapot"; // RFC 9110 §15.5.19 keeps the code unused; the demo answers it
    case 421:
        return "Misdirected Request";
    case 422:
        return "Unprocessable Content";
    case 426:
        return "Upgrade Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return status < 200   ? "Informational"
               : status < 300 ? "OK"
               : status < 400 ? "Redirect"
               : status < 500 ? "Client Error"
                              : "Server Error";
    }
}

} // namespace heyo::net
