// The upstream hop's request framing.
#include "net/UpstreamRequestHead.h"

#include "net/HeaderUtil.h"

namespace heyo::net {

void UpstreamRequestHead::build(const RequestHead &head, const Framing &framing, bool upgrade,
                                const std::string *fullBody)
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
}

} // namespace heyo::net
