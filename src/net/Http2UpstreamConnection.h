// One HTTP/2 connection to an upstream, shared by the exchanges of every client to that pool key (up to the peer's
// SETTINGS_MAX_CONCURRENT_STREAMS): an nghttp2 client session over UpstreamSocket's socket, h2 by ALPN over TLS or
// by prior knowledge (h2c) in plain text. Flow control is manual both ways: response data is consumed (the stream's
// window given back) only as the downstream takes it, the connection's at once so one slow client holds up no other
// stream; request body goes out through a deferred data provider as it arrives.
// A Negotiate connection whose TLS server picks http/1.1 hands its socket to an UpstreamConnection for the first
// exchange and sends the others to HTTP/1.1 connections of their own.
#pragma once

#include "net/Buffer.h"
#include "net/Http2UpstreamStream.h"
#include "net/UpstreamSocket.h"

#include <memory>
#include <string>
#include <vector>

struct nghttp2_session;

namespace heyo::net {

class Http2UpstreamConnection final : public UpstreamSocket {
public:
    static constexpr uint32_t StreamWindow = 256 * 1024;          // per stream: what one slow client can hold up
    static constexpr int32_t ConnectionWindow = 16 * 1024 * 1024; // all streams together
    static constexpr uint32_t AssumedMaxStreams = 100;            // until the server's SETTINGS say otherwise
    static constexpr auto PoolIdleTimeout = std::chrono::seconds(60);

    // A new connection (connecting starts with the first stream's start()).
    static Http2UpstreamConnection *open(Worker *worker, std::string key, const UpstreamTarget &target);

    bool available() const; // takes another stream now
    // A new stream on this connection, owned by it; the caller start()s it at once.
    Http2UpstreamStream *newStream();
    size_t streamCount() const { return m_streams.size(); }

    void onIo(uint32_t events) override;
    void onDeadline() override;
    void flush() override;

private:
    friend class Http2UpstreamStream;
    struct Callbacks;
    enum class State { Fresh, Connecting, Ready, Closed };

    Http2UpstreamConnection(Worker *worker, std::string key, const UpstreamTarget &target);
    ~Http2UpstreamConnection() override;

    // From the streams.
    void streamStarted(Http2UpstreamStream *s, bool upgrade);
    void streamBody(Http2UpstreamStream *s);
    void streamGone(Http2UpstreamStream *s);
    void streamDrained(Http2UpstreamStream *s);

    void socketReady() override;
    void socketFailed(int status, const std::string &reason) override;
    void socketTlsResumed() override;
    bool setupSession();
    void fallBackToHttp1();
    void submit(Http2UpstreamStream *s);
    void readInput();
    void failAll(int status, const std::string &reason);
    void failStream(Http2UpstreamStream *s, int status, const std::string &reason, bool retryable);
    void deliver(Http2UpstreamStream *s, const char *data, size_t len);
    void maybeComplete(Http2UpstreamStream *s);
    void consume(Http2UpstreamStream *s, size_t len);
    void reap();
    void updateDeadline();
    void closeNow();

    // nghttp2 callbacks.
    int onBeginHeaders(int32_t id);
    int onHeader(int32_t id, std::string_view name, std::string_view value);
    int onFrameRecv(uint8_t type, uint8_t flags, int32_t id, int32_t goawayLastId);
    int onDataChunk(int32_t id, const uint8_t *data, size_t len);
    int onStreamClose(int32_t id, uint32_t errorCode);
    ssize_t readBody(Http2UpstreamStream *s, uint8_t *buf, size_t length, uint32_t *flags);

    nghttp2_session *m_session = nullptr;
    State m_state = State::Fresh;
    Buffer m_out;
    std::vector<std::unique_ptr<Http2UpstreamStream>> m_streams;
    uint32_t m_maxStreams = AssumedMaxStreams;
    int32_t m_goawayLastId = -1; // a GOAWAY came: streams above this were not processed
    uint64_t m_completed = 0;    // streams answered in full: a failure afterwards may be a stale connection's
    bool m_inPool = false;
    bool m_inSession = false; // inside mem_recv/mem_send: streams are reaped afterwards, not now
    bool m_wantReap = false;
    bool m_idleTimer = false; // the deadline is the idle timeout
    std::string m_failReason;
};

} // namespace heyo::net
