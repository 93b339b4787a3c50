// An HTTP/2 upstream connection on nghttp2's client session (mem_recv/mem_send over our own socket).
#include "net/Http2UpstreamConnection.h"

#include "net/FlowControl.h"
#include "net/UpstreamConnection.h"
#include "net/UpstreamListener.h"
#include "net/UpstreamPool.h"
#include "net/UpstreamRequestHead.h"
#include "net/Worker.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

namespace heyo::net {

namespace {
constexpr size_t ReadChunk = 16 * 1024;
constexpr size_t OutGather = 256 * 1024; // frames gathered from nghttp2 before one write
constexpr int MaxInterimResponses = 5;
constexpr size_t MaxHeaderBytes = 64 * 1024; // a response head, or its trailers, counted as HPACK does

std::optional<uint64_t> parseLength(const std::string *v)
{
    if (!v)
        return std::nullopt;
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size())
        return std::nullopt;
    return n;
}
} // namespace

struct Http2UpstreamConnection::Callbacks {
    static Http2UpstreamConnection *self(void *p) { return static_cast<Http2UpstreamConnection *>(p); }
    static int beginHeaders(nghttp2_session *, const nghttp2_frame *f, void *u)
    {
        return f->hd.type == NGHTTP2_HEADERS ? self(u)->onBeginHeaders(f->hd.stream_id) : 0;
    }
    static int header(nghttp2_session *, const nghttp2_frame *f, const uint8_t *name, size_t namelen,
                      const uint8_t *value, size_t valuelen, uint8_t, void *u)
    {
        if (f->hd.type != NGHTTP2_HEADERS)
            return 0;
        return self(u)->onHeader(f->hd.stream_id, {reinterpret_cast<const char *>(name), namelen},
                                 {reinterpret_cast<const char *>(value), valuelen});
    }
    static int frameRecv(nghttp2_session *, const nghttp2_frame *f, void *u)
    {
        return self(u)->onFrameRecv(f->hd.type, f->hd.flags, f->hd.stream_id,
                                    f->hd.type == NGHTTP2_GOAWAY ? f->goaway.last_stream_id : -1);
    }
    static int dataChunk(nghttp2_session *, uint8_t, int32_t id, const uint8_t *data, size_t len, void *u)
    {
        return self(u)->onDataChunk(id, data, len);
    }
    static int streamClose(nghttp2_session *, int32_t id, uint32_t code, void *u)
    {
        return self(u)->onStreamClose(id, code);
    }
    static ssize_t readBody(nghttp2_session *, int32_t, uint8_t *buf, size_t length, uint32_t *flags,
                            nghttp2_data_source *src, void *u)
    {
        return self(u)->readBody(static_cast<Http2UpstreamStream *>(src->ptr), buf, length, flags);
    }
};

Http2UpstreamConnection::Http2UpstreamConnection(Worker *worker, std::string key, const UpstreamTarget &target)
    : UpstreamSocket(worker, std::move(key), target,
                     target.protocol == UpstreamTarget::Protocol::Negotiate ? Offer::Both : Offer::Http2)
{
    // Until this connection's SETTINGS arrive, the limit its siblings were given (streams sent above it would be
    // refused).
    m_maxStreams = m_worker->pool().http2MaxStreams(m_key, AssumedMaxStreams);
}

Http2UpstreamConnection::~Http2UpstreamConnection()
{
    if (m_session)
        nghttp2_session_del(m_session);
}

Http2UpstreamConnection *Http2UpstreamConnection::open(Worker *worker, std::string key, const UpstreamTarget &target)
{
    auto *c = new Http2UpstreamConnection(worker, std::move(key), target);
    worker->loop().track(c);
    worker->pool().addHttp2(c->m_key, c);
    c->m_inPool = true;
    return c;
}

bool Http2UpstreamConnection::available() const
{
    if (m_state == State::Closed || m_goawayLastId >= 0)
        return false;
    const auto live = std::count_if(m_streams.begin(), m_streams.end(),
                                    [](const auto &s) { return !(s->m_released && s->m_libClosed); });
    return static_cast<uint64_t>(live) < m_maxStreams;
}

Http2UpstreamStream *Http2UpstreamConnection::newStream()
{
    m_streams.push_back(std::make_unique<Http2UpstreamStream>(this));
    return m_streams.back().get();
}

void Http2UpstreamConnection::streamStarted(Http2UpstreamStream *s, bool upgrade)
{
    s->m_deadline = m_loop->now() + s->m_responseTimeout;
    if (upgrade) {
        failStream(s, 502, "cannot ask " + where() + " to switch protocols over HTTP/2", false);
        return;
    }
    switch (m_state) {
    case State::Fresh:
        m_state = State::Connecting;
        setDeadline(m_loop->now() + m_target.connectTimeout);
        startConnect();
        return;
    case State::Connecting:
        return;
    case State::Ready:
        submit(s);
        updateDeadline();
        return;
    case State::Closed:
        failStream(s, 502, "the HTTP/2 connection to " + where() + " is closing", true);
        return;
    }
}

void Http2UpstreamConnection::socketTlsResumed()
{
    for (auto &s : m_streams)
        if (!s->m_released) {
            s->m_listener->upstreamTlsResumed();
            return;
        }
}

void Http2UpstreamConnection::socketFailed(int status, const std::string &reason)
{
    failAll(status, reason);
}

void Http2UpstreamConnection::socketReady()
{
    if (m_target.tls && alpn() != "h2") {
        if (m_target.protocol == UpstreamTarget::Protocol::Negotiate) {
            fallBackToHttp1();
            return;
        }
        const std::string chose = alpn().empty() ? std::string("no protocol") : std::string(alpn());
        failAll(502, where() + " does not speak HTTP/2 (its TLS server chose " + chose + ")");
        return;
    }
    if (!setupSession()) {
        failAll(502, "cannot set up an HTTP/2 session for " + where());
        return;
    }
    m_state = State::Ready;
    for (size_t i = 0; i < m_streams.size(); ++i)
        if (!m_streams[i]->m_released && m_streams[i]->m_id < 0)
            submit(m_streams[i].get());
    flush();
    if (m_state == State::Ready)
        readInput(); // the handshake may have brought the server's SETTINGS along
}

bool Http2UpstreamConnection::setupSession()
{
    nghttp2_session_callbacks *cb = nullptr;
    if (nghttp2_session_callbacks_new(&cb) != 0)
        return false;
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, Callbacks::beginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(cb, Callbacks::header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, Callbacks::frameRecv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, Callbacks::dataChunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, Callbacks::streamClose);
    nghttp2_option *opt = nullptr;
    if (nghttp2_option_new(&opt) != 0) {
        nghttp2_session_callbacks_del(cb);
        return false;
    }
    // The window is given back only as the downstream takes the data (consume()).
    nghttp2_option_set_no_auto_window_update(opt, 1);
    nghttp2_option_set_peer_max_concurrent_streams(opt, m_maxStreams);
    const int r = nghttp2_session_client_new2(&m_session, cb, this, opt);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cb);
    if (r != 0) {
        m_session = nullptr;
        return false;
    }
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, StreamWindow},
    };
    if (nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0)
        return false;
    nghttp2_session_set_local_window_size(m_session, NGHTTP2_FLAG_NONE, 0, ConnectionWindow);
    return true;
}

void Http2UpstreamConnection::fallBackToHttp1()
{
    // The server picked http/1.1: the first exchange goes on on this very socket, the others on connections of their
    // own, and this pool key is HTTP/1.1 from now on.
    m_worker->pool().rememberHttp1(m_key);
    if (m_inPool) {
        m_worker->pool().dropHttp2(m_key, this);
        m_inPool = false;
    }
    m_state = State::Closed;
    std::vector<Http2UpstreamStream *> live;
    for (auto &s : m_streams)
        if (!s->m_released)
            live.push_back(s.get());
    bool first = true;
    for (Http2UpstreamStream *s : live) {
        if (s->m_released)
            continue;
        UpstreamListener *l = s->m_listener;
        const UpstreamRequestHead *head = s->m_head;
        s->m_released = s->m_libClosed = true;
        s->m_listener = nullptr;
        UpstreamConnection *h1 = first ? UpstreamConnection::adopt(*this, m_worker, m_key, m_target)
                                       : UpstreamConnection::open(m_worker, m_key, m_target, Offer::Http1);
        l->upstreamReplaced(h1, !first);
        first = false;
        h1->start(l, *head, s->m_headRequest, false, s->m_responseTimeout);
        if (!s->m_body.empty())
            h1->sendBody(s->m_body.data(), s->m_body.size(), s->m_chunked);
        if (s->m_bodyEnded)
            h1->endBody(s->m_chunked);
    }
    closeNow();
}

void Http2UpstreamConnection::submit(Http2UpstreamStream *s)
{
    const UpstreamRequestHead &head = *s->m_head;
    std::vector<nghttp2_nv> nva;
    nva.reserve(head.h2Headers().size());
    for (const Header &h : head.h2Headers())
        nva.push_back({reinterpret_cast<uint8_t *>(const_cast<char *>(h.name.data())),
                       reinterpret_cast<uint8_t *>(const_cast<char *>(h.value.data())), h.name.size(), h.value.size(),
                       NGHTTP2_NV_FLAG_NONE});
    if (const std::string *full = head.h2FullBody()) {
        s->m_body.append(*full);
        s->m_bodyEnded = true;
    }
    const bool hasBody = head.h2HasBody();
    if (!hasBody)
        s->m_bodyEnded = s->m_sentAll = true;
    nghttp2_data_provider prd{};
    prd.source.ptr = s;
    prd.read_callback = Callbacks::readBody;
    const int32_t id = nghttp2_submit_request(m_session, nullptr, nva.data(), nva.size(), hasBody ? &prd : nullptr, s);
    if (id < 0) {
        const bool retry = id == NGHTTP2_ERR_START_STREAM_NOT_ALLOWED || id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE;
        if (id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE && m_goawayLastId < 0)
            m_goawayLastId = INT32_MAX; // out of stream ids: no new streams here
        failStream(s, 502, std::string("cannot start a stream to ") + where() + ": " + nghttp2_strerror(id), retry);
        return;
    }
    s->m_id = id;
    m_loop->queueFlush(this);
}

void Http2UpstreamConnection::streamBody(Http2UpstreamStream *s)
{
    if (s->m_id > 0 && s->m_deferred && m_session && !s->m_libClosed) {
        s->m_deferred = false;
        nghttp2_session_resume_data(m_session, s->m_id);
        m_loop->queueFlush(this);
    }
}

ssize_t Http2UpstreamConnection::readBody(Http2UpstreamStream *s, uint8_t *buf, size_t length, uint32_t *flags)
{
    if (!s || s->m_released)
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; // resets the stream
    const size_t n = std::min(length, s->m_body.size());
    if (n) {
        std::memcpy(buf, s->m_body.data(), n);
        s->m_body.consume(n);
    }
    if (s->m_body.empty() && s->m_bodyEnded) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        s->m_sentAll = true;
        s->m_body.shrinkIfIdle(0);
        return static_cast<ssize_t>(n);
    }
    if (!n) {
        s->m_deferred = true;
        return NGHTTP2_ERR_DEFERRED;
    }
    return static_cast<ssize_t>(n);
}

void Http2UpstreamConnection::consume(Http2UpstreamStream *s, size_t len)
{
    if (!len || !m_session)
        return;
    if (s->m_id > 0 && !s->m_libClosed)
        nghttp2_session_consume_stream(m_session, s->m_id, len);
    m_loop->queueFlush(this);
}

void Http2UpstreamConnection::streamGone(Http2UpstreamStream *s)
{
    if (s->m_released)
        return;
    s->m_released = true;
    s->m_listener = nullptr;
    consume(s, s->m_pendingIn.size() + s->m_unconsumed);
    s->m_pendingIn.clear();
    s->m_unconsumed = 0;
    if (s->m_id < 0)
        s->m_libClosed = true; // never submitted
    else if (!s->m_libClosed && m_session)
        nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, s->m_id, NGHTTP2_CANCEL); // only this stream
    m_wantReap = true;
    m_loop->queueFlush(this);
}

void Http2UpstreamConnection::streamDrained(Http2UpstreamStream *s)
{
    if (s->m_released)
        return;
    if (!s->m_pendingIn.empty()) {
        if (s->m_listener->downstreamFull())
            return;
        std::string chunk(s->m_pendingIn.data(), s->m_pendingIn.size());
        s->m_pendingIn.clear();
        s->m_deadline = m_loop->now() + s->m_responseTimeout;
        deliver(s, chunk.data(), chunk.size());
        if (s->m_released)
            return;
    }
    if (s->m_unconsumed && !s->m_listener->downstreamFull()) {
        consume(s, s->m_unconsumed);
        s->m_unconsumed = 0;
    }
    maybeComplete(s);
}

void Http2UpstreamConnection::deliver(Http2UpstreamStream *s, const char *data, size_t len)
{
    const bool full = s->m_listener->upstreamData(data, len);
    if (s->m_released) {
        consume(s, len);
        return;
    }
    if (full)
        s->m_unconsumed += len; // the window stays closed by this much until the downstream drains
    else
        consume(s, len + std::exchange(s->m_unconsumed, 0));
}

void Http2UpstreamConnection::maybeComplete(Http2UpstreamStream *s)
{
    if (s->m_released || !s->m_remoteEnded || !s->m_pendingIn.empty())
        return;
    UpstreamListener *l = s->m_listener;
    s->m_released = true;
    s->m_listener = nullptr;
    ++m_completed;
    consume(s, std::exchange(s->m_unconsumed, 0));
    if (!s->m_sentAll && !s->m_libClosed && s->m_id > 0 && m_session)
        nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, s->m_id, NGHTTP2_NO_ERROR); // the rest is unwanted
    m_wantReap = true;
    m_loop->queueFlush(this);
    if (s->m_haveTrailers)
        l->upstreamTrailers(s->m_trailers);
    l->upstreamComplete();
    l->upstreamReleased();
}

void Http2UpstreamConnection::failStream(Http2UpstreamStream *s, int status, const std::string &reason, bool retryable)
{
    if (s->m_released)
        return;
    UpstreamListener *l = s->m_listener;
    streamGone(s);
    l->upstreamFailed(status, reason, retryable);
}

void Http2UpstreamConnection::failAll(int status, const std::string &reason)
{
    if (m_inPool) {
        m_worker->pool().dropHttp2(m_key, this);
        m_inPool = false;
    }
    m_state = State::Closed;
    std::vector<Http2UpstreamStream *> live;
    for (auto &s : m_streams)
        if (!s->m_released)
            live.push_back(s.get());
    for (Http2UpstreamStream *s : live) {
        // A stream the server never saw, or one above its GOAWAY, may go again on a fresh connection.
        const bool retryable = !s->m_gotBytes && ((m_goawayLastId >= 0 && s->m_id > m_goawayLastId) ||
                                                  (m_completed > 0 && status == 502 && m_session));
        s->m_libClosed = true;
        failStream(s, status, reason, retryable);
    }
    closeNow();
}

void Http2UpstreamConnection::closeNow()
{
    if (dead())
        return;
    // No exchange may be left holding one of our streams.
    if (std::any_of(m_streams.begin(), m_streams.end(), [](const auto &s) { return !s->m_released; })) {
        failAll(502, where() + " closed the HTTP/2 connection");
        return;
    }
    m_state = State::Closed;
    if (m_inPool) {
        m_worker->pool().dropHttp2(m_key, this);
        m_inPool = false;
    }
    closeSocket();
    m_loop->destroy(this);
}

void Http2UpstreamConnection::onIo(uint32_t events)
{
    if (dead())
        return;
    if (m_state == State::Connecting) {
        connectIo(events);
        return;
    }
    if (m_state != State::Ready)
        return;
    if (events & Poller::Write)
        flush();
    if (m_state == State::Ready && (events & (Poller::Read | Poller::Hangup | Poller::Error)))
        readInput();
}

void Http2UpstreamConnection::readInput()
{
    char buf[ReadChunk];
    for (;;) {
        ssize_t n = m_stream->read(buf, sizeof buf);
        if (n > 0) {
            m_inSession = true;
            const ssize_t r =
                nghttp2_session_mem_recv(m_session, reinterpret_cast<const uint8_t *>(buf), static_cast<size_t>(n));
            m_inSession = false;
            if (dead() || m_state != State::Ready)
                return;
            if (r < 0) {
                failAll(502, "invalid HTTP/2 from " + where() + ": " + nghttp2_strerror(static_cast<int>(r)));
                return;
            }
            continue;
        }
        if (n == Stream::Again)
            break;
        const std::string why = n == 0 ? "closed the connection" : m_stream->error();
        flush(); // a GOAWAY just read still closes its streams in nghttp2 first
        if (!dead() && m_state == State::Ready)
            failAll(502, where() + " " + why + " before answering");
        return;
    }
    // Streams above a GOAWAY's last id were never processed: they go again elsewhere.
    if (m_goawayLastId >= 0) {
        std::vector<Http2UpstreamStream *> above;
        for (auto &s : m_streams)
            if (!s->m_released && s->m_id > m_goawayLastId)
                above.push_back(s.get());
        for (Http2UpstreamStream *s : above)
            failStream(s, 502, where() + " went away before taking the request", !s->m_gotBytes);
    }
    flush();
}

void Http2UpstreamConnection::flush()
{
    if (dead())
        return;
    if (m_state == State::Ready && !m_inSession) {
        for (;;) {
            m_inSession = true;
            while (m_out.size() < OutGather) {
                const uint8_t *p = nullptr;
                const ssize_t n = nghttp2_session_mem_send(m_session, &p);
                if (n < 0) {
                    m_inSession = false;
                    failAll(502, "HTTP/2 to " + where() + " failed: " + nghttp2_strerror(static_cast<int>(n)));
                    return;
                }
                if (n == 0)
                    break;
                m_out.append(reinterpret_cast<const char *>(p), static_cast<size_t>(n));
            }
            m_inSession = false;
            while (!m_out.empty()) {
                const ssize_t n = m_stream->write(m_out.data(), m_out.size());
                if (n > 0) {
                    m_out.consume(static_cast<size_t>(n));
                    continue;
                }
                if (n == Stream::Again)
                    break;
                failAll(502, "sending to " + where() + " failed: " + m_stream->error());
                return;
            }
            if (!m_out.empty() || !nghttp2_session_want_write(m_session))
                break;
        }
        m_out.shrinkIfIdle(OutGather);
        // Streams whose body sender was paused go on once their buffer is low.
        for (size_t i = 0; i < m_streams.size(); ++i) {
            Http2UpstreamStream *s = m_streams[i].get();
            if (!s->m_released && s->m_clientWaiting && s->m_body.size() < OutputLowMark) {
                s->m_clientWaiting = false;
                s->m_listener->upstreamWritable();
                if (dead())
                    return;
            }
        }
    }
    reap();
    if (m_state != State::Ready)
        return;
    const bool idle = std::none_of(m_streams.begin(), m_streams.end(), [](const auto &s) { return !s->m_released; });
    if ((!nghttp2_session_want_read(m_session) && !nghttp2_session_want_write(m_session)) ||
        (m_goawayLastId >= 0 && idle && m_out.empty())) {
        closeNow();
        return;
    }
    updateDeadline();
}

void Http2UpstreamConnection::reap()
{
    if (m_inSession || !m_wantReap)
        return;
    m_wantReap = false;
    std::erase_if(m_streams, [](const auto &s) { return s->m_released && s->m_libClosed; });
}

void Http2UpstreamConnection::updateDeadline()
{
    if (m_state != State::Ready)
        return;
    Clock::time_point t = Clock::time_point::max();
    bool live = false;
    for (auto &s : m_streams)
        if (!s->m_released) {
            live = true;
            t = std::min(t, s->m_deadline);
        }
    if (!live) {
        if (!m_idleTimer) // idle in the pool from now on: closed after PoolIdleTimeout without a stream
            setDeadline(m_loop->now() + PoolIdleTimeout);
        m_idleTimer = true;
        return;
    }
    m_idleTimer = false;
    setDeadline(t);
}

void Http2UpstreamConnection::onDeadline()
{
    if (dead())
        return;
    if (m_state != State::Ready) {
        failAll(504, "connecting to " + where() + " timed out");
        return;
    }
    const Clock::time_point now = m_loop->now();
    std::vector<Http2UpstreamStream *> expired;
    bool live = false;
    for (auto &s : m_streams)
        if (!s->m_released) {
            live = true;
            if (s->m_deadline <= now)
                expired.push_back(s.get());
        }
    if (!live) {
        // Idle for PoolIdleTimeout: say goodbye with a GOAWAY (flush() closes once it is out), then close.
        nghttp2_session_terminate_session(m_session, NGHTTP2_NO_ERROR);
        flush();
        if (!dead())
            closeNow();
        return;
    }
    for (Http2UpstreamStream *s : expired) {
        // A stream our client stopped reading is held by its own closed window: the upstream is not to blame.
        const bool clientHeld = s->m_headSeen && (s->m_listener->downstreamFull() || !s->m_pendingIn.empty());
        failStream(s, 504,
                   clientHeld      ? clientNotReading(s->m_responseTimeout)
                   : s->m_headSeen ? where() + " stalled in the middle of its response"
                                   : where() + " did not answer in time",
                   false);
    }
    flush();
}

int Http2UpstreamConnection::onBeginHeaders(int32_t id)
{
    auto *s = static_cast<Http2UpstreamStream *>(nghttp2_session_get_stream_user_data(m_session, id));
    if (!s || s->m_released)
        return 0;
    s->m_inTrailers = s->m_headSeen;
    s->m_headerBytes = 0;
    if (s->m_inTrailers)
        s->m_trailers = Headers{};
    else
        s->m_response = ResponseHead{};
    return 0;
}

int Http2UpstreamConnection::onHeader(int32_t id, std::string_view name, std::string_view value)
{
    auto *s = static_cast<Http2UpstreamStream *>(nghttp2_session_get_stream_user_data(m_session, id));
    if (!s || s->m_released)
        return 0;
    if (name.empty())
        return 0;
    // The same bound as an HTTP/1.1 upstream's head (the engine's ListenerConfig default): a bigger one is refused.
    s->m_headerBytes += name.size() + value.size() + 32;
    if (s->m_headerBytes > MaxHeaderBytes) {
        failStream(s, 502, "invalid response from " + where() + ": header fields larger than 64 KiB", false);
        return 0;
    }
    if (s->m_inTrailers) {
        if (name[0] != ':')
            s->m_trailers.add(std::string(name), std::string(value));
        return 0;
    }
    if (name == ":status") {
        int st = 0;
        std::from_chars(value.data(), value.data() + value.size(), st);
        s->m_response.status = st;
    } else if (name[0] != ':') {
        s->m_response.headers.add(std::string(name), std::string(value));
    }
    return 0;
}

int Http2UpstreamConnection::onFrameRecv(uint8_t type, uint8_t flags, int32_t id, int32_t goawayLastId)
{
    if (type == NGHTTP2_SETTINGS && !(flags & NGHTTP2_FLAG_ACK)) {
        m_maxStreams = nghttp2_session_get_remote_settings(m_session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
        m_worker->pool().setHttp2MaxStreams(m_key, m_maxStreams);
        return 0;
    }
    if (type == NGHTTP2_GOAWAY) {
        m_goawayLastId = goawayLastId; // no new streams here; the ones above were never processed
        if (m_inPool) {
            m_worker->pool().dropHttp2(m_key, this);
            m_inPool = false;
        }
        return 0;
    }
    if (type != NGHTTP2_HEADERS && type != NGHTTP2_DATA)
        return 0;
    auto *s = static_cast<Http2UpstreamStream *>(nghttp2_session_get_stream_user_data(m_session, id));
    if (!s || s->m_released)
        return 0;
    if (type == NGHTTP2_HEADERS && !s->m_inTrailers) {
        const int status = s->m_response.status;
        if (status >= 100 && status < 200) {
            if (++s->m_interim > MaxInterimResponses)
                failStream(s, 502, "invalid response from " + where() + ": too many interim (1xx) responses", false);
            return 0; // 100 was answered by us already; other interim responses are dropped
        }
        s->m_headSeen = s->m_gotBytes = true;
        s->m_deadline = m_loop->now() + s->m_responseTimeout;
        UpstreamListener *l = s->m_listener;
        const auto length = parseLength(s->m_response.headers.find("content-length"));
        if (!l->upstreamHead(s->m_response, length)) {
            streamGone(s); // not wanted after all (a held 401): this stream only, the connection goes on
            return 0;
        }
        if (s->m_released)
            return 0;
    } else if (type == NGHTTP2_HEADERS) {
        s->m_haveTrailers = true;
    }
    if (flags & NGHTTP2_FLAG_END_STREAM) {
        s->m_remoteEnded = true;
        maybeComplete(s);
    }
    return 0;
}

int Http2UpstreamConnection::onDataChunk(int32_t id, const uint8_t *data, size_t len)
{
    // The connection's window is given back at once: what waits is bounded per stream by its own window, and a
    // stream whose client reads slowly must not hold up the others.
    nghttp2_session_consume_connection(m_session, len);
    auto *s = static_cast<Http2UpstreamStream *>(nghttp2_session_get_stream_user_data(m_session, id));
    if (!s || s->m_released)
        return 0;
    s->m_gotBytes = true;
    s->m_deadline = m_loop->now() + s->m_responseTimeout; // idle clock while the body streams
    const char *p = reinterpret_cast<const char *>(data);
    if (!s->m_pendingIn.empty() || s->m_listener->downstreamFull()) {
        s->m_pendingIn.append(p, len); // bounded by the stream's window, which stays closed by this much
        return 0;
    }
    deliver(s, p, len);
    return 0;
}

int Http2UpstreamConnection::onStreamClose(int32_t id, uint32_t errorCode)
{
    auto *s = static_cast<Http2UpstreamStream *>(nghttp2_session_get_stream_user_data(m_session, id));
    if (!s)
        return 0;
    s->m_libClosed = true;
    m_wantReap = true;
    if (s->m_released || (s->m_remoteEnded && errorCode == NGHTTP2_NO_ERROR))
        return 0; // answered (what the downstream could not take yet follows from m_pendingIn)
    const bool refused = errorCode == NGHTTP2_REFUSED_STREAM || (m_goawayLastId >= 0 && id > m_goawayLastId);
    std::string why = refused ? where() + " refused the stream"
                              : where() + " reset the stream (" + nghttp2_http2_strerror(errorCode) + ")";
    failStream(s, 502, why, refused && !s->m_headSeen);
    return 0;
}

} // namespace heyo::net
