// The HTTP/2 side of the engine: nghttp2's server session on our socket, its callbacks, and the limits on abuse.
#include "net/Http2Connection.h"

#include "net/EventLoop.h"
#include "net/FlowControl.h"
#include "net/Http2Stream.h"
#include "net/Worker.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>

namespace heyo::net {

namespace {
constexpr size_t ReadChunk = 32 * 1024;
constexpr size_t WriteBatch = 64 * 1024; // frames taken from nghttp2 before the next write
constexpr auto LingerTime = std::chrono::seconds(2);

std::string_view view(nghttp2_rcbuf *b)
{
    nghttp2_vec v = nghttp2_rcbuf_get_buf(b);
    return {reinterpret_cast<const char *>(v.base), v.len};
}
} // namespace

// The C callbacks: each one finds the connection in user_data and forwards.
struct Http2Callbacks {
    static Http2Connection &conn(void *p) { return *static_cast<Http2Connection *>(p); }

    static int beginFrame(nghttp2_session *, const nghttp2_frame_hd *hd, void *p) { return conn(p).onBeginFrame(*hd); }
    static int beginHeaders(nghttp2_session *, const nghttp2_frame *f, void *p) { return conn(p).onBeginHeaders(*f); }
    static int header(nghttp2_session *, const nghttp2_frame *f, nghttp2_rcbuf *name, nghttp2_rcbuf *value, uint8_t,
                      void *p)
    {
        return conn(p).onHeader(*f, name, value);
    }
    static int frameRecv(nghttp2_session *, const nghttp2_frame *f, void *p) { return conn(p).onFrameRecv(*f); }
    static int dataChunk(nghttp2_session *, uint8_t, int32_t id, const uint8_t *data, size_t len, void *p)
    {
        return conn(p).onDataChunk(id, data, len);
    }
    static int frameSend(nghttp2_session *, const nghttp2_frame *f, void *p) { return conn(p).onFrameSend(*f); }
    static int streamClose(nghttp2_session *, int32_t id, uint32_t code, void *p)
    {
        return conn(p).onStreamClose(id, code);
    }

    static nghttp2_session_callbacks *make()
    {
        nghttp2_session_callbacks *cb = nullptr;
        if (nghttp2_session_callbacks_new(&cb) != 0)
            return nullptr;
        nghttp2_session_callbacks_set_on_begin_frame_callback(cb, beginFrame);
        nghttp2_session_callbacks_set_on_begin_headers_callback(cb, beginHeaders);
        nghttp2_session_callbacks_set_on_header_callback2(cb, header);
        nghttp2_session_callbacks_set_on_frame_recv_callback(cb, frameRecv);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, dataChunk);
        nghttp2_session_callbacks_set_on_frame_send_callback(cb, frameSend);
        nghttp2_session_callbacks_set_on_stream_close_callback(cb, streamClose);
        return cb;
    }
};

Http2Connection::Http2Connection(Worker *worker, std::shared_ptr<ListenerState> state,
                                 std::shared_ptr<const PeerInfo> peer, Stream &stream, std::string_view received,
                                 bool refuse)
    : ServerConnection(&worker->loop()), m_worker(worker), m_state(std::move(state)), m_peer(std::move(peer))
{
    m_stream.adopt(stream);
    m_pendingIn.append(received);
    m_resetRefill = Clock::now();
    if (!setUpSession(refuse))
        m_closedFlag = true; // start() closes it
}

Http2Connection::~Http2Connection()
{
    if (m_session)
        nghttp2_session_del(m_session);
}

bool Http2Connection::setUpSession(bool refuse)
{
    static nghttp2_session_callbacks *callbacks = Http2Callbacks::make(); // shared, never changed after this
    if (!callbacks)
        return false;
    nghttp2_option *opt = nullptr;
    if (nghttp2_option_new(&opt) != 0)
        return false;
    // The window is given back only when a request's body has been passed on (back-pressure to the client).
    nghttp2_option_set_no_auto_window_update(opt, 1);
    nghttp2_option_set_max_continuations(opt, static_cast<size_t>(MaxContinuations) * 4); // ours trips first
    const int rv = nghttp2_session_server_new2(&m_session, callbacks, this, opt);
    nghttp2_option_del(opt);
    if (rv != 0)
        return false;
    const ListenerConfig &c = m_state->config;
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, c.maxConcurrentStreams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, InitialStreamWindow},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(c.maxHeaderBytes)},
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
    };
    if (nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0)
        return false;
    nghttp2_session_set_local_window_size(m_session, NGHTTP2_FLAG_NONE, 0, static_cast<int32_t>(ConnectionWindow));
    if (refuse)
        terminate(NGHTTP2_HTTP_1_1_REQUIRED, "HTTP/2 is not enabled on this port (use HTTP/1.1)");
    return true;
}

void Http2Connection::start()
{
    m_loop->track(this);
    m_worker->registerClient(this);
    m_state->openConnections.fetch_add(1, std::memory_order_relaxed);
    if (m_closedFlag || !m_loop->poller().addEdge(m_stream.fd(), this)) {
        m_closedFlag = false;
        close();
        return;
    }
    setDeadline(m_loop->now() + m_state->config.headerTimeout);
    if (m_state->closing)
        beginShutdown();
    if (!m_pendingIn.empty()) {
        receive(m_pendingIn.data(), m_pendingIn.size());
        m_pendingIn.shrinkIfIdle(0);
        m_pendingIn.clear();
    }
    readInput();
}

void Http2Connection::close()
{
    if (m_closedFlag)
        return;
    m_closedFlag = true;
    for (auto &[id, s] : m_streams) {
        s->closed(false);
        m_closed.push_back(std::move(s));
    }
    m_streams.clear();
    if (m_stream.fd() >= 0)
        m_loop->poller().remove(m_stream.fd());
    m_stream.close();
    m_worker->unregisterClient(this);
    m_state->openConnections.fetch_sub(1, std::memory_order_relaxed);
    m_loop->destroy(this);
}

void Http2Connection::beginShutdown()
{
    if (m_shutdown || m_closedFlag)
        return;
    m_shutdown = true;
    // A graceful GOAWAY: streams already begun finish, new ones are not processed.
    nghttp2_submit_goaway(m_session, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(m_session),
                          NGHTTP2_NO_ERROR, nullptr, 0);
    wantFlush();
}

void Http2Connection::terminate(uint32_t errorCode, std::string_view why)
{
    if (m_terminated)
        return;
    m_terminated = true;
    if (errorCode != NGHTTP2_NO_ERROR)
        m_state->setError(std::string("HTTP/2 connection refused: ") + std::string(why));
    nghttp2_submit_goaway(m_session, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(m_session), errorCode,
                          reinterpret_cast<const uint8_t *>(why.data()), why.size());
    wantFlush();
}

void Http2Connection::wantFlush()
{
    if (!m_closedFlag)
        m_loop->queueFlush(this);
}

void Http2Connection::noteDrained(Http2Stream *stream)
{
    m_drained.push_back(stream->id());
}

Http2Stream *Http2Connection::stream(int32_t id)
{
    auto it = m_streams.find(id);
    return it == m_streams.end() ? nullptr : it->second.get();
}

void Http2Connection::onIo(uint32_t events)
{
    if (m_closedFlag)
        return;
    if (events & (Poller::Hangup | Poller::Error))
        m_hup = true;
    if (m_lingering) {
        char buf[4096];
        for (;;) {
            ssize_t n = m_stream.read(buf, sizeof buf);
            if (n == Stream::Again)
                return;
            if (n <= 0) {
                close();
                return;
            }
        }
    }
    if (events & Poller::Write)
        flush();
    if (m_closedFlag)
        return;
    if (events & Poller::Read)
        m_readable = true;
    readInput();
}

void Http2Connection::readInput()
{
    char buf[ReadChunk];
    while (m_readable && !m_terminated && !m_closedFlag && !m_eof) {
        if (m_out.size() >= OutputCap) { // the client does not read what we send: stop taking more work from it
            m_inputPaused = true;
            break;
        }
        ssize_t n = m_stream.read(buf, sizeof buf);
        if (n > 0) {
            m_state->bytesIn.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
            if (!m_stream.isTls() && !m_hup && static_cast<size_t>(n) < sizeof buf)
                m_readable = false; // edge-triggered: a short read drained the socket
            receive(buf, static_cast<size_t>(n));
            continue;
        }
        m_readable = false;
        if (n == Stream::Again)
            break;
        if (n == 0 && !m_streams.empty()) {
            m_eof = true; // the client has said all it will: finish its streams, then close
            break;
        }
        close();
        return;
    }
    serviceStreams();
    flush();
}

void Http2Connection::receive(const char *data, size_t len)
{
    const ssize_t rv = nghttp2_session_mem_recv(m_session, reinterpret_cast<const uint8_t *>(data), len);
    if (rv >= 0)
        return;
    if (!m_terminated) {
        // A fatal error nghttp2 did not answer itself (bad preface, flood): say why once, then close.
        m_state->setError(std::string("HTTP/2 connection closed: ") + nghttp2_strerror(static_cast<int>(rv)));
        m_terminated = true;
        if (rv != NGHTTP2_ERR_BAD_CLIENT_MAGIC)
            nghttp2_session_terminate_session(m_session, NGHTTP2_PROTOCOL_ERROR);
    }
}

void Http2Connection::serviceStreams()
{
    if (m_terminated) {
        m_touched.clear(); // nothing new is served on a connection that is being torn down
        return;
    }
    std::vector<int32_t> touched;
    touched.swap(m_touched);
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (int32_t id : touched)
        if (Http2Stream *s = stream(id))
            s->service();
    rearmDeadline();
}

bool Http2Connection::anyHeaderBlockOpen() const
{
    return std::any_of(m_streams.begin(), m_streams.end(), [](const auto &kv) { return kv.second->headerBlockOpen(); });
}

void Http2Connection::rearmDeadline()
{
    const bool headerOpen = anyHeaderBlockOpen();
    if (headerOpen) {
        if (deadline() == Clock::time_point::max())
            setDeadline(m_loop->now() + m_state->config.headerTimeout);
    } else if (m_streams.empty()) {
        if (deadline() == Clock::time_point::max())
            setDeadline(m_loop->now() + m_state->config.idleTimeout);
    } else {
        clearDeadline();
    }
}

void Http2Connection::onDeadline()
{
    if (m_closedFlag)
        return;
    if (m_lingering || m_terminated) {
        close();
        return;
    }
    const bool headerOpen = anyHeaderBlockOpen();
    if (!headerOpen && !m_streams.empty()) {
        clearDeadline();
        return;
    }
    clearDeadline();
    terminate(NGHTTP2_NO_ERROR, headerOpen ? "request headers not received in time" : "idle");
    setDeadline(m_loop->now() + LingerTime);
    flush();
}

void Http2Connection::flush()
{
    if (m_closedFlag || m_lingering || m_inFlush)
        return;
    m_inFlush = true;
    for (;;) {
        while (m_out.size() < WriteBatch) {
            const uint8_t *p = nullptr;
            const ssize_t n = nghttp2_session_mem_send(m_session, &p);
            if (n < 0) {
                m_inFlush = false;
                close();
                return;
            }
            if (n == 0)
                break;
            m_out.append(reinterpret_cast<const char *>(p), static_cast<size_t>(n));
        }
        if (m_out.empty())
            break;
        const ssize_t w = m_stream.write(m_out.data(), m_out.size());
        if (w > 0) {
            m_out.consume(static_cast<size_t>(w));
            m_state->bytesOut.fetch_add(static_cast<uint64_t>(w), std::memory_order_relaxed);
            continue;
        }
        if (w == Stream::Again)
            break;
        m_inFlush = false;
        close();
        return;
    }
    m_inFlush = false;
    // Streams whose response buffer drained while nghttp2 took from it: let their upstreams go on (this may submit
    // more data, which the next flush sends).
    std::vector<int32_t> drained;
    drained.swap(m_drained);
    for (int32_t id : drained)
        if (Http2Stream *s = stream(id))
            s->downstreamDrained();
    m_closed.clear();
    if (m_closedFlag)
        return;
    if (m_out.empty())
        m_out.shrinkIfIdle(WriteBatch);
    rearmDeadline();
    if (!m_out.empty() || nghttp2_session_want_write(m_session)) {
        if (m_inputPaused && m_out.size() < OutputLowMark) {
            m_inputPaused = false;
            readInput();
        }
        return;
    }
    if (m_inputPaused) {
        m_inputPaused = false;
        readInput();
        return;
    }
    const bool done =
        m_terminated || !nghttp2_session_want_read(m_session) || ((m_shutdown || m_eof) && m_streams.empty());
    if (done)
        startLingering();
}

void Http2Connection::startLingering()
{
    // Close the write side and read what the client still sends, so our GOAWAY is not lost to a reset.
    m_lingering = true;
    m_stream.shutdownWrite();
    setDeadline(m_loop->now() + LingerTime);
    onIo(Poller::Read);
}

// nghttp2 callbacks

int Http2Connection::onBeginFrame(const nghttp2_frame_hd &hd)
{
    if (hd.type == NGHTTP2_HEADERS) {
        m_continuations = 0;
    } else if (hd.type == NGHTTP2_CONTINUATION && ++m_continuations > MaxContinuations) {
        terminate(NGHTTP2_ENHANCE_YOUR_CALM, "too many CONTINUATION frames");
        return NGHTTP2_ERR_CALLBACK_FAILURE; // stop parsing this input at once
    }
    return 0;
}

int Http2Connection::onBeginHeaders(const nghttp2_frame &frame)
{
    if (frame.hd.type != NGHTTP2_HEADERS)
        return 0;
    const int32_t id = frame.hd.stream_id;
    if (frame.headers.cat == NGHTTP2_HCAT_REQUEST) {
        auto s = std::make_unique<Http2Stream>(*this, id);
        nghttp2_session_set_stream_user_data(m_session, id, s.get());
        m_streams[id] = std::move(s);
        if (deadline() == Clock::time_point::max() || m_streams.size() == 1)
            setDeadline(m_loop->now() + m_state->config.headerTimeout);
    } else if (Http2Stream *s = stream(id)) {
        s->trailersStarted();
    }
    return 0;
}

int Http2Connection::onHeader(const nghttp2_frame &frame, nghttp2_rcbuf *name, nghttp2_rcbuf *value)
{
    if (Http2Stream *s = stream(frame.hd.stream_id))
        s->addHeader(view(name), view(value));
    return 0;
}

int Http2Connection::onFrameRecv(const nghttp2_frame &frame)
{
    Http2Stream *s = stream(frame.hd.stream_id);
    switch (frame.hd.type) {
    case NGHTTP2_HEADERS:
        if (!s)
            return 0;
        if (s->headerBlockOpen())
            s->headersEnded((frame.hd.flags & NGHTTP2_FLAG_END_STREAM) != 0);
        else if (frame.hd.flags & NGHTTP2_FLAG_END_STREAM)
            s->requestEnded(); // after trailers (which are dropped: they never reach the upstream)
        m_touched.push_back(s->id());
        return 0;
    case NGHTTP2_DATA:
        if (s && (frame.hd.flags & NGHTTP2_FLAG_END_STREAM)) {
            s->requestEnded();
            m_touched.push_back(s->id());
        }
        return 0;
    case NGHTTP2_RST_STREAM: {
        // Rapid reset (CVE-2023-44487): each reset costs a token; a client that spends them faster than they
        // come back gets a GOAWAY. Streams reset within one read are never handed to the handler at all.
        const Clock::time_point now = Clock::now();
        const double elapsed = std::chrono::duration<double>(now - m_resetRefill).count();
        m_resetRefill = now;
        m_resetTokens = std::min(ResetBurst, m_resetTokens + elapsed * ResetsPerSecond) - 1;
        if (m_resetTokens < 0) {
            terminate(NGHTTP2_ENHANCE_YOUR_CALM, "too many stream resets");
            return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
        return 0;
    }
    default:
        return 0;
    }
}

int Http2Connection::onDataChunk(int32_t streamId, const uint8_t *data, size_t len)
{
    if (Http2Stream *s = stream(streamId)) {
        s->bodyChunk(data, len);
        m_touched.push_back(streamId);
    } else {
        nghttp2_session_consume_connection(m_session, len); // nobody wants it: give the window back
    }
    return 0;
}

int Http2Connection::onFrameSend(const nghttp2_frame &frame)
{
    if ((frame.hd.type == NGHTTP2_HEADERS || frame.hd.type == NGHTTP2_DATA) &&
        (frame.hd.flags & NGHTTP2_FLAG_END_STREAM))
        if (Http2Stream *s = stream(frame.hd.stream_id))
            s->responseSent();
    return 0;
}

int Http2Connection::onStreamClose(int32_t streamId, uint32_t)
{
    auto it = m_streams.find(streamId);
    if (it == m_streams.end())
        return 0;
    it->second->closed(true);
    m_closed.push_back(std::move(it->second));
    m_streams.erase(it);
    return 0;
}

} // namespace heyo::net
