// One accepted client connection speaking HTTP/2 (prior knowledge in plain text, ALPN "h2" over TLS), on nghttp2:
// the library owns framing, HPACK, stream states and flow-control windows; this class owns the socket, the
// abuse limits nghttp2 leaves to its user, and the Http2Streams that carry one exchange each. A ClientConnection
// hands its socket over when it sees the connection preface (or ALPN chose h2). Lives on one loop thread.
#pragma once

#include "net/Buffer.h"
#include "net/ListenerState.h"
#include "net/ServerConnection.h"
#include "net/Stream.h"

#include <nghttp2/nghttp2.h>

#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace heyo::net {

class Http2Stream;
class Worker;

class Http2Connection final : public ServerConnection {
public:
    // Limits nghttp2 does not apply by itself (its own defaults stay on as a backstop).
    static constexpr uint32_t InitialStreamWindow = 256 * 1024; // per stream: what one request may send unread
    static constexpr uint32_t ConnectionWindow = 16 * 1024 * 1024;
    static constexpr int MaxContinuations = 16; // CONTINUATION frames in one header block (CVE-2024-27316 class)
    static constexpr double ResetBurst = 100;   // client RST_STREAMs before the rate applies (CVE-2023-44487)
    static constexpr double ResetsPerSecond = 33;

    // `refuse`: the listener does not serve HTTP/2; the client is told so in a GOAWAY and the connection closed.
    Http2Connection(Worker *worker, std::shared_ptr<ListenerState> state, std::shared_ptr<const PeerInfo> peer,
                    Stream &stream, std::string_view received, bool refuse);
    ~Http2Connection() override;

    void start();

    // ServerConnection
    ListenerId listenerId() const override { return m_state->id; }
    bool idle() const override { return m_streams.empty() && m_out.empty(); }
    void beginShutdown() override;
    void close() override;

    // IoHandler
    void onIo(uint32_t events) override;
    void onDeadline() override;
    void flush() override;

    // For the streams.
    Worker &worker() { return *m_worker; }
    ListenerState &listener() { return *m_state; }
    const std::shared_ptr<const PeerInfo> &peer() const { return m_peer; }
    nghttp2_session *session() { return m_session; }
    bool shuttingDown() const { return m_shutdown || m_state->closing; }
    void wantFlush();                      // something was submitted: write it at the end of this turn
    void noteDrained(Http2Stream *stream); // its response buffer fell below the low mark while sending

private:
    friend struct Http2Callbacks;

    bool setUpSession(bool refuse);
    void readInput();
    void receive(const char *data, size_t len);
    void serviceStreams();
    void terminate(uint32_t errorCode, std::string_view why); // GOAWAY with this code, then close
    bool anyHeaderBlockOpen() const; // a stream's request head has begun and not ended (the head timeout runs)
    void rearmDeadline();
    void startLingering();
    Http2Stream *stream(int32_t id);

    // nghttp2 callbacks (Http2Callbacks forwards them here).
    int onBeginFrame(const nghttp2_frame_hd &hd);
    int onBeginHeaders(const nghttp2_frame &frame);
    int onHeader(const nghttp2_frame &frame, nghttp2_rcbuf *name, nghttp2_rcbuf *value);
    int onFrameRecv(const nghttp2_frame &frame);
    int onDataChunk(int32_t streamId, const uint8_t *data, size_t len);
    int onFrameSend(const nghttp2_frame &frame);
    int onStreamClose(int32_t streamId, uint32_t errorCode);

    Worker *m_worker;
    std::shared_ptr<ListenerState> m_state;
    std::shared_ptr<const PeerInfo> m_peer;
    Stream m_stream;
    Buffer m_pendingIn; // bytes the HTTP/1.1 side had read, fed first
    Buffer m_out;
    nghttp2_session *m_session = nullptr;
    std::unordered_map<int32_t, std::unique_ptr<Http2Stream>> m_streams;
    std::vector<int32_t> m_touched;                     // streams with news to act on once the input is parsed
    std::vector<std::unique_ptr<Http2Stream>> m_closed; // freed when no callback can be on the stack
    std::vector<int32_t> m_drained;
    double m_resetTokens = ResetBurst;
    Clock::time_point m_resetRefill;
    int m_continuations = 0;
    bool m_closedFlag = false;
    bool m_readable = true;
    bool m_hup = false;
    bool m_eof = false;         // the client closed its side: finish the streams, then close
    bool m_inputPaused = false; // our output is above OutputCap: read again once it drains
    bool m_lingering = false;
    bool m_terminated = false; // a GOAWAY for an error is queued: read nothing more, serve nothing new
    bool m_shutdown = false;
    bool m_inFlush = false;
};

} // namespace heyo::net
