// The bytes of a request head for the upstream hop: the handler's request line and headers with the framing headers
// (Content-Length, Transfer-Encoding, Connection, Upgrade) rewritten for that hop. Hop-by-hop headers were removed
// when the request was parsed (MessageParser, removeHopByHop); what is written here is the upstream's framing.
#pragma once

#include "net/Http.h"

#include <optional>
#include <string>

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
    void build(const RequestHead &head, const Framing &framing, bool upgrade, const std::string *fullBody);
    const std::string &bytes() const { return m_bytes; }

private:
    std::string m_bytes;
};

} // namespace heyo::net
