// The request head for the upstream hop: the handler's request line and headers with the framing headers
// (Content-Length, Transfer-Encoding, Connection, Upgrade) rewritten for that hop. Hop-by-hop headers were removed
// when the request was parsed (MessageParser, removeHopByHop); what is written here is the upstream's framing.
// HTTP/1.1 bytes always (an HTTP/2 attempt may fall back to HTTP/1.1 on the same connection); for an HTTP/2 hop also
// the header list with pseudo-headers and lower-case names, and the body when it is at hand.
#pragma once

#include "net/Http.h"

#include <optional>
#include <string>
#include <vector>

namespace heyo::net {

class UpstreamRequestHead {
public:
    // How the client's request body is framed (RequestHead's fields, whatever the protocol it came on).
    struct Framing {
        bool hasBody = false;
        bool chunked = false; // length not known up front: chunked to the upstream
        std::optional<uint64_t> contentLength;
    };

    // With `fullBody` the body goes along with a Content-Length; otherwise it is streamed after the head with
    // `framing`. `upgrade` keeps Upgrade and sends Connection: upgrade. Reuses the buffer of the previous head.
    // `http2`: also build the HTTP/2 form (`scheme` "http" or "https", `authority` when the head has no Host).
    void build(const RequestHead &head, const Framing &framing, bool upgrade, const std::string *fullBody,
               bool http2 = false, std::string_view scheme = {}, std::string_view authority = {});
    const std::string &bytes() const { return m_bytes; }

    // The HTTP/2 form (only after build() with http2).
    const std::vector<Header> &h2Headers() const { return m_h2; } // ":method", ":scheme", ":authority", ":path", rest
    bool h2HasBody() const { return m_h2HasBody; }                // DATA frames follow the HEADERS
    const std::string *h2FullBody() const { return m_h2FullBody ? &m_h2Body : nullptr; }

private:
    std::string m_bytes;
    std::vector<Header> m_h2;
    std::string m_h2Body;
    bool m_h2HasBody = false;
    bool m_h2FullBody = false;
};

} // namespace heyo::net
