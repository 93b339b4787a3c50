// The upstream hop's request framing.
#include "net/UpstreamRequestHead.h"

#include "net/HeaderUtil.h"

#include <cctype>

namespace heyo::net {

namespace {
// Connection-specific fields an HTTP/2 message must not carry (RFC 9113 §8.2.2); Host becomes :authority.
bool notForHttp2(const std::string &name)
{
    return equalsIgnoreCase(name, "connection") || equalsIgnoreCase(name, "keep-alive") ||
           equalsIgnoreCase(name, "proxy-connection") || equalsIgnoreCase(name, "transfer-encoding") ||
           equalsIgnoreCase(name, "upgrade") || equalsIgnoreCase(name, "te") || equalsIgnoreCase(name, "host") ||
           equalsIgnoreCase(name, "content-length");
}
} // namespace

void UpstreamRequestHead::build(const RequestHead &head, const Framing &framing, bool upgrade,
                                const std::string *fullBody, bool http2, std::string_view scheme,
                                std::string_view authority)
{
    std::string &s = m_bytes;
    s.clear();
    s.reserve(512 + (fullBody ? fullBody->size() : 0));
    s += head.method;
    s += ' ';
    s += head.target;
    s += " HTTP/1.1\r\n";
    for (const Header &h : head.headers.list()) {
        if (equalsIgnoreCase(h.name, "content-length") || equalsIgnoreCase(h.name, "transfer-encoding") ||
            equalsIgnoreCase(h.name, "connection") || (!upgrade && equalsIgnoreCase(h.name, "upgrade")))
            continue;
        s += h.name;
        s += ": ";
        s += h.value;
        s += "\r\n";
    }
    if (fullBody) {
        if (framing.hasBody || !fullBody->empty())
            s += "Content-Length: " + std::to_string(fullBody->size()) + "\r\n";
    } else if (framing.chunked) {
        s += "Transfer-Encoding: chunked\r\n";
    } else if (framing.contentLength) {
        s += "Content-Length: " + std::to_string(*framing.contentLength) + "\r\n";
    }
    if (upgrade)
        s += "Connection: upgrade\r\n";
    s += "\r\n";
    if (fullBody)
        s += *fullBody;

    m_h2.clear();
    m_h2Body.clear();
    m_h2FullBody = m_h2HasBody = false;
    if (!http2)
        return;
    const std::string *host = head.headers.find("host");
    m_h2.push_back({":method", head.method});
    m_h2.push_back({":scheme", std::string(scheme)});
    m_h2.push_back({":authority", host ? *host : std::string(authority)});
    m_h2.push_back({":path", head.target.empty() ? std::string("/") : head.target});
    for (const Header &h : head.headers.list())
        if (!notForHttp2(h.name))
            m_h2.push_back({toLowerAscii(h.name), h.value});
    if (head.teTrailers)
        m_h2.push_back({"te", "trailers"});
    if (fullBody) {
        m_h2FullBody = true;
        m_h2Body = *fullBody;
        m_h2HasBody = !fullBody->empty();
        if (framing.hasBody || !fullBody->empty())
            m_h2.push_back({"content-length", std::to_string(fullBody->size())});
    } else {
        m_h2HasBody = framing.hasBody;
        if (framing.contentLength && !framing.chunked)
            m_h2.push_back({"content-length", std::to_string(*framing.contentLength)});
    }
}

} // namespace heyo::net
