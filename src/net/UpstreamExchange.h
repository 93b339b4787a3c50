// What a ProxySession drives on the upstream side of one exchange, whatever carries it: a whole HTTP/1.1 connection
// (UpstreamConnection) or one stream of a multiplexed HTTP/2 connection (Http2UpstreamStream). Replies come back
// through UpstreamListener.
#pragma once

#include <chrono>
#include <cstddef>

namespace heyo::net {

class UpstreamListener;
class UpstreamRequestHead;

class UpstreamExchange {
public:
    // Sends `head` (kept by the caller until the exchange ends) and starts reporting to `listener`. `upgrade`: the
    // request asks for a protocol switch (HTTP/1.1 only).
    virtual void start(UpstreamListener *listener, const UpstreamRequestHead &head, bool headRequest, bool upgrade,
                       std::chrono::milliseconds responseTimeout) = 0;
    virtual void sendBody(const char *data, size_t len, bool chunked) = 0; // `chunked`: the HTTP/1.1 hop's framing
    virtual void endBody(bool chunked) = 0;
    virtual size_t pendingOut() const = 0; // request bytes handed over but not yet sent
    virtual void clientGone() = 0;         // the exchange no longer wants the response: this exchange is dropped
    virtual void clientDrained() = 0;      // the listener's downstream has room again: deliver what waits
    virtual void sendRaw(const char *data, size_t len) = 0; // tunnel bytes after a 101
    virtual void tunnelShutdown() = 0;                      // the client ended its half of the tunnel

protected:
    ~UpstreamExchange() = default;
};

} // namespace heyo::net
