// What a ProxySession needs from the client side of its exchange, whatever the protocol: the HTTP/1.1 connection
// implements it (framing, keep-alive, 100-continue), an HTTP/2 stream would implement the same.
#pragma once

#include "net/Http.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace heyo::net {

class ProxyDownstream {
public:
    // How the response body that follows a head is delimited, as far as the session knows.
    enum class Body {
        Length,  // exactly `length` bytes
        Unknown, // until responseEnd()
        None,    // no body (HEAD, 1xx, 204, 304); a Content-Length header describes the resource, not a body
        Tunnel,  // 101: from now on tunnel bytes both ways
    };

    struct RequestBody {
        bool complete = false;                 // all of it was read already
        const std::string *buffered = nullptr; // the whole body, when the handler read it before proxying
    };

    // The session takes the request body over: what is there already. From now on the rest goes to
    // ProxySession::requestBody()/requestBodyEnd() (after a 100 Continue when the client asked for one).
    virtual RequestBody takeRequestBody() = 0;
    virtual bool requestComplete() const = 0; // the client's request has been read to its end
    virtual bool outputFull() const = 0;      // above OutputCap: stop reading the upstream for now

    virtual void responseHead(const ResponseHead &head, Body body, uint64_t length) = 0;
    virtual bool responseBody(const char *data, size_t len) = 0; // true: full (pause the upstream)
    virtual void responseEnd() = 0;                              // the response, or the tunnel, is over
    // The upstream's trailer fields (HTTP/2 upstreams; gRPC's grpc-status), just before responseEnd(); pseudo-header
    // and connection-specific fields are already removed. A downstream that cannot carry them drops them.
    virtual void responseTrailers(Headers trailers) = 0;
    virtual void tunnelData(const char *data, size_t len) = 0;
    // A whole answer in place of the upstream's (an upstream failure, or the handler's after a held 401).
    virtual void answer(int status, Headers headers, std::string body) = 0;
    virtual void abortResponse() = 0; // the head is out and the rest cannot follow: end the exchange abruptly
    // The upstream part is over; request body the session has not taken yet is no longer wanted.
    virtual void proxyFinished() = 0;
    virtual void resumeInput() = 0; // the upstream takes request body or tunnel bytes again

    // A 401 is held for the handler: answer it if neither retry() nor respond() comes within `timeout`
    // (ProxySession::holdExpired()).
    virtual void startHoldTimer(std::chrono::milliseconds timeout) = 0;
    virtual void stopHoldTimer() = 0;

protected:
    ~ProxyDownstream() = default;
};

} // namespace heyo::net
