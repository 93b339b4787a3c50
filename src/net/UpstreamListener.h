// What an upstream exchange (UpstreamExchange: an HTTP/1.1 connection or an HTTP/2 stream) reports to the exchange it
// is serving (the ProxySession): the response head, body and end, failures, flow control and the tunnel after a 101.
// The connect → head → body chain of h2o's httpclient.h.
#pragma once

#include "net/Http.h"
#include "net/UpstreamExchange.h"

#include <cstdint>
#include <optional>
#include <string>

namespace heyo::net {

class UpstreamListener {
public:
    // The response head (hop-by-hop headers already removed; interim 1xx are not reported). `contentLength` is the
    // upstream's framing. False: not wanted after all (the exchange is gone or holds a 401); the connection drops it.
    virtual bool upstreamHead(ResponseHead &head, std::optional<uint64_t> contentLength) = 0;
    // Response body bytes, or after a 101 the tunnel's. True: the downstream is full, stop until downstreamFull()
    // turns false (the listener's side calls UpstreamExchange::clientDrained()).
    virtual bool upstreamData(const char *data, size_t len) = 0;
    // Trailer fields after the body (HTTP/2 upstreams), before upstreamComplete(); pseudo-headers already refused.
    virtual void upstreamTrailers(Headers &trailers) = 0;
    virtual void upstreamComplete() = 0; // the whole response arrived; upstreamReleased() follows
    // The connection let go of the exchange after a complete response (pooled or closed); it must not be used again.
    virtual void upstreamReleased() = 0;
    // The connection failed and is gone. `retryable`: a pooled connection that closed before taking the request, so
    // sending it again on a fresh one is safe.
    virtual void upstreamFailed(int status, const std::string &reason, bool retryable) = 0;
    // The request (body or tunnel bytes) may flow again: the connection's output fell below OutputLowMark, or the
    // tunnel just began.
    virtual void upstreamWritable() = 0;
    virtual void upstreamTlsResumed() = 0; // a new connection's TLS handshake resumed a cached session
    // The exchange goes on on `next` (what was handed over so far is there too): an HTTP/2 attempt whose TLS server
    // picked http/1.1. `newConnection`: `next` is a connection of its own, opened for it.
    virtual void upstreamReplaced(UpstreamExchange *next, bool newConnection) = 0;
    virtual void tunnelClosed() = 0; // the upstream ended the tunnel (EOF or error); the connection is gone

    virtual bool downstreamFull() const = 0; // stop reading the upstream for now
    virtual bool requestSent() const = 0;    // all of the request was handed over: the connection may be pooled

protected:
    ~UpstreamListener() = default;
};

} // namespace heyo::net
