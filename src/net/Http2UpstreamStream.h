// One exchange on a multiplexed HTTP/2 upstream connection: the ProxySession's view of a single stream. The stream
// keeps what has to wait (request body the flow-control window has no room for yet, response data the downstream
// cannot take now); its connection owns it and does the framing with nghttp2.
#pragma once

#include "net/Buffer.h"
#include "net/Http.h"
#include "net/IoHandler.h"
#include "net/UpstreamExchange.h"

#include <cstdint>
#include <optional>

namespace heyo::net {

class Http2UpstreamConnection;
class UpstreamListener;

class Http2UpstreamStream final : public UpstreamExchange {
public:
    explicit Http2UpstreamStream(Http2UpstreamConnection *conn) : m_conn(conn) {}

    void start(UpstreamListener *listener, const UpstreamRequestHead &head, bool headRequest, bool upgrade,
               std::chrono::milliseconds responseTimeout) override;
    void sendBody(const char *data, size_t len, bool chunked) override;
    void endBody(bool chunked) override;
    size_t pendingOut() const override { return m_body.size(); }
    void clientGone() override;
    void clientDrained() override;
    void sendRaw(const char *, size_t) override {} // no tunnels over HTTP/2 upstreams (an upgrade is refused)
    void tunnelShutdown() override {}

private:
    friend class Http2UpstreamConnection;

    Http2UpstreamConnection *m_conn;
    UpstreamListener *m_listener = nullptr;
    const UpstreamRequestHead *m_head = nullptr; // the session's, while m_listener is set
    int32_t m_id = -1;                           // -1: not submitted yet
    bool m_headRequest = false;
    std::chrono::milliseconds m_responseTimeout{60000};
    Clock::time_point m_deadline = Clock::time_point::max();

    // Request body: what the window has no room for yet.
    Buffer m_body;
    bool m_bodyEnded = false;     // endBody() came (or the body was whole at start)
    bool m_chunked = false;       // the HTTP/1.1 framing ProxySession asked for (kept for a fallback)
    bool m_deferred = false;      // the data provider is waiting for body: resume it when some arrives
    bool m_sentAll = false;       // END_STREAM went out
    bool m_clientWaiting = false; // the session was told we are full: upstreamWritable() once below the low mark

    // Response.
    ResponseHead m_response;
    Headers m_trailers;
    bool m_headSeen = false;
    bool m_haveTrailers = false;
    bool m_inTrailers = false; // the HEADERS frame being received carries trailers
    int m_interim = 0;
    size_t m_headerBytes = 0;   // of the header block being received
    bool m_gotBytes = false;    // anything of a response arrived
    Buffer m_pendingIn;         // response data the downstream had no room for (bounded by the stream window)
    size_t m_unconsumed = 0;    // delivered while the downstream was full: window given back once it drains
    bool m_remoteEnded = false; // END_STREAM arrived
    bool m_released = false;    // the listener was let go (complete, failed or gone)
    bool m_libClosed = false;   // nghttp2 closed the stream (or it never got one)
};

} // namespace heyo::net
