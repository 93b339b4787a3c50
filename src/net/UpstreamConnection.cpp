// Upstream side of the proxy path.
#include "net/UpstreamConnection.h"

#include "net/FlowControl.h"
#include "net/UpstreamListener.h"
#include "net/UpstreamPool.h"
#include "net/UpstreamRequestHead.h"
#include "net/Worker.h"

#include <cstdio>

namespace heyo::net {

namespace {
constexpr size_t ReadChunk = 16 * 1024;
constexpr size_t ReadMax = 64 * 1024; // one read, and the most an idle connection's buffers keep
// A streaming body is gathered up to this (several TLS records) before the client side sends it: 256 KiB measured
// 6-11 % more MiB/s than 64 KiB at the same CPU per GiB (fewer, larger sends wake the client less often).
constexpr size_t StreamGather = 256 * 1024;

} // namespace

UpstreamConnection::UpstreamConnection(Worker *worker, std::string key, const UpstreamTarget &target, Offer offer)
    : UpstreamSocket(worker, std::move(key), target, offer), m_parser(MessageParser::Kind::Response, this)
{
}

UpstreamConnection *UpstreamConnection::open(Worker *worker, std::string key, const UpstreamTarget &target, Offer offer)
{
    auto *u = new UpstreamConnection(worker, std::move(key), target, offer);
    worker->loop().track(u);
    return u;
}

UpstreamConnection *UpstreamConnection::adopt(UpstreamSocket &from, Worker *worker, std::string key,
                                              const UpstreamTarget &target)
{
    auto *u = new UpstreamConnection(worker, std::move(key), target, Offer::Http1);
    worker->loop().track(u);
    u->adoptSocket(from);
    u->m_state = State::Connecting; // attach() goes straight on to socketReady()
    u->m_adopted = true;
    return u;
}

void UpstreamConnection::start(UpstreamListener *listener, const UpstreamRequestHead &head, bool headRequest,
                               bool upgrade, std::chrono::milliseconds responseTimeout)
{
    send(head.bytes());
    attach(listener, headRequest, upgrade, responseTimeout);
}

void UpstreamConnection::attach(UpstreamListener *listener, bool headRequest, bool upgrade,
                                std::chrono::milliseconds responseTimeout)
{
    m_listener = listener;
    m_parser.expectNoBody(headRequest);
    m_upgrade = upgrade;
    m_responseTimeout = responseTimeout;
    m_gotBytes = m_headSeen = m_complete = m_tunnelNotified = m_clientWaiting = m_parsePaused = false;
    m_interim = 0;
    m_failReason.clear();
    if (m_state == State::Idle) {
        m_reused = true;
        m_state = State::Ready;
        setDeadline(m_loop->now() + m_responseTimeout);
        m_loop->queueFlush(this);
        return;
    }
    if (m_adopted) {
        m_adopted = false;
        m_readable = true; // whatever the socket had before it changed hands is read now
        socketReady();
        return;
    }
    m_state = State::Connecting;
    setDeadline(m_loop->now() + m_target.connectTimeout);
    startConnect();
}

void UpstreamConnection::socketFailed(int status, const std::string &reason)
{
    fail(status, reason, false);
}

void UpstreamConnection::socketTlsResumed()
{
    if (m_listener)
        m_listener->upstreamTlsResumed();
}

void UpstreamConnection::socketReady()
{
    m_state = State::Ready;
    setDeadline(m_loop->now() + m_responseTimeout);
    m_readable = true;
    flush();
    if (!m_closed)
        processInput();
}

void UpstreamConnection::send(std::string_view bytes)
{
    m_out.append(bytes);
    if (m_out.size() > OutputCap)
        m_clientWaiting = true;
    m_loop->queueFlush(this);
}

void UpstreamConnection::sendBody(const char *data, size_t len, bool chunked)
{
    if (!len)
        return;
    if (chunked) {
        m_out.appendNumber(len, 16);
        m_out.append("\r\n", 2);
        m_out.append(data, len);
        m_out.append("\r\n", 2);
        if (m_out.size() > OutputCap)
            m_clientWaiting = true;
        m_loop->queueFlush(this);
    } else {
        send({data, len});
    }
}

void UpstreamConnection::endBody(bool chunked)
{
    if (chunked)
        send("0\r\n\r\n");
}

void UpstreamConnection::clientGone()
{
    m_listener = nullptr;
    closeNow();
}

void UpstreamConnection::clientDrained()
{
    // Buffered bytes or a paused parse go on now even when the socket has nothing new (no read event will come).
    if (!m_closed && (m_readable || !m_in.empty() || m_parsePaused) &&
        (m_state == State::Ready || m_state == State::Tunnel))
        processInput();
}

void UpstreamConnection::tunnelShutdown()
{
    m_tunnelShutdown = true;
    m_loop->queueFlush(this);
}

void UpstreamConnection::closeNow()
{
    if (m_closed)
        return;
    m_closed = true;
    if (m_state == State::Idle)
        m_worker->pool().drop(m_key, this);
    closeSocket();
    m_loop->destroy(this);
}

void UpstreamConnection::fail(int status, const std::string &reason, bool retryable)
{
    UpstreamListener *c = m_listener;
    m_listener = nullptr;
    closeNow();
    if (c)
        c->upstreamFailed(status, reason, retryable);
}

void UpstreamConnection::onIo(uint32_t events)
{
    if (m_closed)
        return;
    if (events & Poller::Read)
        m_readable = true;
    if (events & Poller::Hangup)
        m_hup = true; // data and FIN may have come together: read until EOF, not just until a short read
    switch (m_state) {
    case State::Connecting:
        connectIo(events);
        return;
    case State::Ready:
    case State::Tunnel:
    case State::Idle:
        if (events & Poller::Write)
            flush();
        if (!m_closed && m_readable)
            processInput();
        return;
    case State::Fresh:
        return;
    }
}

void UpstreamConnection::onDeadline()
{
    switch (m_state) {
    case State::Fresh:
    case State::Connecting:
        fail(504, "connecting to " + where() + " timed out", false);
        return;
    case State::Ready:
        if (!m_headSeen)
            fail(504, where() + " did not answer in time", false);
        else if (m_listener && m_listener->downstreamFull()) // we stopped reading: the client is not taking it
            fail(504, clientNotReading(m_responseTimeout), false);
        else
            fail(504, where() + " stalled in the middle of its response", false);
        return;
    case State::Idle:
        closeNow();
        return;
    case State::Tunnel:
        return;
    }
}

void UpstreamConnection::flush()
{
    if (m_closed || (m_state != State::Ready && m_state != State::Tunnel))
        return;
    bool wrote = false;
    while (!m_out.empty()) {
        ssize_t n = m_stream->write(m_out.data(), m_out.size());
        if (n > 0) {
            m_out.consume(static_cast<size_t>(n));
            wrote = true;
            continue;
        }
        if (n == Stream::Again)
            break;
        if (m_state == State::Tunnel) {
            UpstreamListener *c = m_listener;
            m_listener = nullptr;
            closeNow();
            if (c)
                c->tunnelClosed();
            return;
        }
        fail(502, "sending the request to " + where() + " failed: " + m_stream->error(), m_reused && !m_gotBytes);
        return;
    }
    if (wrote && m_state == State::Ready && !m_headSeen)
        setDeadline(m_loop->now() + m_responseTimeout); // the response clock starts when the request is out
    if (m_out.empty()) {
        m_out.shrinkIfIdle(ReadMax);
        if (m_tunnelShutdown && !m_shutdownSent) {
            m_shutdownSent = true;
            m_stream->shutdownWrite();
        }
    }
    if (m_clientWaiting && m_out.size() < OutputLowMark && m_listener) {
        m_clientWaiting = false;
        m_listener->upstreamWritable();
    }
}

void UpstreamConnection::processInput()
{
    if (m_inProcess)
        return;
    m_inProcess = true;
    struct Guard {
        bool &f;
        ~Guard() { f = false; }
    } guard{m_inProcess};
    for (;;) {
        if (m_closed)
            return;
        if (m_state == State::Idle) {
            // Anything from an idle pooled connection (data or EOF) means it is no longer usable.
            char b[512];
            ssize_t n = m_stream->read(b, sizeof b);
            if (n == Stream::Again) {
                m_readable = false;
                return;
            }
            closeNow();
            return;
        }
        if (!m_listener) {
            closeNow();
            return;
        }
        if (m_state == State::Tunnel) {
            if (!m_tunnelNotified) {
                m_tunnelNotified = true;
                m_listener->upstreamWritable();
                continue;
            }
            if (!m_in.empty()) {
                if (m_listener->downstreamFull())
                    return;
                m_listener->upstreamData(m_in.data(), m_in.size());
                m_in.clear();
            }
        } else if (!m_in.empty() || m_parsePaused) {
            if (m_listener->downstreamFull())
                return;
            auto r = m_parser.feed(m_in.data(), m_in.size());
            m_in.consume(r.consumed);
            m_parsePaused = r.status == MessageParser::Status::Paused;
            if (m_closed)
                return;
            if (r.status == MessageParser::Status::Error) {
                std::string why = m_failReason.empty() ? m_parser.errorReason() : m_failReason;
                fail(502, "invalid response from " + where() + ": " + why, false);
                return;
            }
            if (m_complete) {
                finishCycle();
                return;
            }
            if (r.status == MessageParser::Status::Paused)
                continue;
        }
        if (!m_readable || m_listener->downstreamFull())
            return;
        char *p = m_in.prepare(ReadChunk);
        size_t room = std::min(m_in.tailRoom(), ReadMax);
        ssize_t n = m_readError ? Stream::Failed : m_stream->read(p, room);
        if (n > 0) {
            m_in.commit(static_cast<size_t>(n));
            m_gotBytes = true;
            if (m_headSeen && m_state == State::Ready)
                setDeadline(m_loop->now() + m_responseTimeout); // idle clock while the body streams
            if (!m_stream->isTls() && !m_hup && static_cast<size_t>(n) < room)
                m_readable = false;
            // A streaming body: gather before parsing, so the client side gets one large write instead of one per
            // 16 KiB record.
            while (m_readable && m_headSeen && m_state == State::Ready && m_in.size() < StreamGather) {
                char *q = m_in.prepare(ReadChunk);
                ssize_t more = m_stream->read(q, std::min(m_in.tailRoom(), StreamGather - m_in.size()));
                if (more <= 0) {
                    if (more == Stream::Again)
                        m_readable = false;
                    // EOF: the next read reports it again. A reset is reported once and the read after it says
                    // EOF, which would end a close-delimited body cleanly: keep it for the next turn.
                    m_readError = more == Stream::Failed;
                    break;
                }
                m_in.commit(static_cast<size_t>(more));
            }
            continue;
        }
        m_readable = false;
        if (n == Stream::Again)
            return;
        readFailed(n == 0);
        return;
    }
}

void UpstreamConnection::readFailed(bool eof)
{
    if (m_state == State::Tunnel) {
        UpstreamListener *c = m_listener;
        m_listener = nullptr;
        closeNow();
        if (c)
            c->tunnelClosed();
        return;
    }
    if (eof && m_parser.midMessage() && !m_parser.inHead() && m_parser.bodyUntilEof()) {
        if (m_parser.finishOnEof() && m_complete) {
            finishCycle();
            return;
        }
    }
    std::string why = eof ? "closed the connection" : m_stream->error();
    if (!m_headSeen)
        fail(502, where() + " " + why + " before answering", m_reused && !m_gotBytes);
    else
        fail(502, where() + " " + why + " in the middle of its response", false);
}

int UpstreamConnection::onHead()
{
    ResponseHead &rs = m_parser.response();
    if (rs.status >= 100 && rs.status < 200 && rs.status != 101) {
        if (++m_interim > MaxInterimResponses) {
            m_failReason = "too many interim (1xx) responses";
            return -1;
        }
        return 0; // 100 was answered by us already; other interim responses are dropped
    }
    if (rs.status == 101 && !m_upgrade) {
        m_failReason = "switched protocols without being asked";
        return -1;
    }
    m_headSeen = true;
    if (!m_listener || !m_listener->upstreamHead(rs, m_parser.contentLength())) {
        if (m_failReason.empty())
            m_failReason = "client gone";
        return -1;
    }
    if (rs.status == 101) {
        m_state = State::Tunnel;
        clearDeadline();
        return MessageParser::Pause;
    }
    setDeadline(m_loop->now() + m_responseTimeout);
    return 0;
}

int UpstreamConnection::onBody(const char *data, size_t len)
{
    if (!m_listener)
        return -1;
    return m_listener->upstreamData(data, len) ? MessageParser::Pause : 0;
}

int UpstreamConnection::onComplete()
{
    const int status = m_parser.response().status;
    if (status < 200 && status != 101)
        return 0; // an interim response ended; the real one follows
    m_complete = true;
    if (m_listener)
        m_listener->upstreamComplete();
    return MessageParser::Pause;
}

void UpstreamConnection::finishCycle()
{
    UpstreamListener *c = m_listener;
    m_listener = nullptr;
    m_complete = false;
    if (SSL *ssl = m_stream->ssl())
        keepSessionOf(ssl);
    const bool reusable =
        m_parser.keepAlive() && m_in.empty() && m_out.empty() && c && c->requestSent() && m_state == State::Ready;
    if (reusable && m_worker->pool().put(m_key, this)) {
        m_state = State::Idle;
        m_reused = true;
        m_in.shrinkIfIdle(ReadMax); // a pooled connection does not keep a stream's gathering buffer
        setDeadline(m_loop->now() + PoolIdleTimeout);
    } else {
        closeNow();
    }
    if (c)
        c->upstreamReleased();
}

} // namespace heyo::net
