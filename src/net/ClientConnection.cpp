// The client side of the engine: request parsing driven in steps, responses, proxying and tunnels.
#include "net/ClientConnection.h"

#include "net/ExchangeImpl.h"
#include "net/HeaderUtil.h"
#include "net/UpstreamConnection.h"
#include "net/UpstreamPool.h"
#include "net/Worker.h"

#include <charconv>
#include <cstdio>

namespace heyo::net {

namespace {
constexpr size_t ReadChunk = 16 * 1024;
constexpr size_t InputCap = 64 * 1024;
constexpr size_t DiscardLimit = 1024 * 1024; // unread request body we drain to keep a connection alive
constexpr auto LingerTime = std::chrono::seconds(2);

bool idempotent(std::string_view m)
{
    return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE" || m == "TRACE";
}
} // namespace

ClientConnection::ClientConnection(Worker *worker, std::shared_ptr<ListenerState> state, int fd, PeerInfo peer)
    : IoHandler(&worker->loop()), m_worker(worker), m_state(std::move(state)),
      m_peer(std::make_shared<const PeerInfo>(std::move(peer))), m_parser(MessageParser::Kind::Request, this)
{
    m_stream.attach(fd);
    m_parser.setLimits(m_state->config.maxHeaderBytes, m_state->config.maxUriBytes);
}

ClientConnection::~ClientConnection()
{
    if (m_exchange)
        m_exchange->detach();
}

void ClientConnection::start()
{
    m_loop->track(this);
    m_worker->registerClient(this);
    m_state->openConnections.fetch_add(1, std::memory_order_relaxed);
    if (!m_loop->poller().addEdge(m_stream.fd(), this)) {
        close();
        return;
    }
    setDeadline(m_loop->now() + m_state->config.headerTimeout);
    m_headTimerArmed = true;
    if (m_state->config.tls) {
        if (!m_stream.startTls(m_state->config.tls, true)) {
            close();
            return;
        }
        m_phase = Phase::Handshake;
    }
    if (m_state->closing)
        m_shutdown = true;
}

void ClientConnection::close()
{
    if (m_closed)
        return;
    m_closed = true;
    if (m_exchange) {
        if (m_phase == Phase::Tunnel)
            logAndDetach();
        else {
            m_exchange->detach();
            m_exchange.reset();
            m_worker->activeExchanges.fetch_sub(1, std::memory_order_relaxed);
        }
    }
    if (m_up) {
        UpstreamConnection *u = m_up;
        m_up = nullptr;
        u->clientGone();
    }
    if (m_stream.fd() >= 0)
        m_loop->poller().remove(m_stream.fd());
    m_stream.close();
    m_worker->unregisterClient(this);
    m_state->openConnections.fetch_sub(1, std::memory_order_relaxed);
    m_loop->destroy(this);
}

void ClientConnection::beginShutdown()
{
    m_shutdown = true;
    if (m_phase == Phase::Handshake)
        close();
}

void ClientConnection::onIo(uint32_t events)
{
    if (m_closed)
        return;
    if (events & Poller::Read)
        m_readable = true;
    if (events & Poller::Hangup)
        m_hup = true; // data and FIN may have come together: read until EOF, not just until a short read
    switch (m_phase) {
    case Phase::Handshake: {
        int r = m_stream.handshake();
        if (r < 0) {
            close();
        } else if (r > 0) {
            m_phase = Phase::Http;
            m_readable = true;
            processInput();
        }
        return;
    }
    case Phase::Lingering:
        for (;;) {
            char buf[16384];
            ssize_t n = m_stream.read(buf, sizeof buf);
            if (n == Stream::Again)
                return;
            if (n <= 0) {
                close();
                return;
            }
        }
    case Phase::Http:
    case Phase::Tunnel:
        if ((events & Poller::Write) && !m_out.empty())
            flush();
        if (!m_closed && m_readable)
            processInput();
        return;
    }
}

void ClientConnection::onDeadline()
{
    switch (m_phase) {
    case Phase::Handshake:
    case Phase::Lingering:
        close();
        return;
    case Phase::Tunnel:
        return;
    case Phase::Http:
        if (m_authHeld && m_exchange) {
            // The handler never decided what to do with the held 401: answer rather than hang.
            m_exchange->setHeld(false);
            m_authHeld = false;
            Headers h;
            h.add("Content-Type", "text/plain; charset=utf-8");
            noteError("the endpoint refused the token and no new one arrived in time");
            respond(401, std::move(h), "the endpoint refused the token and no new one arrived in time\n");
            return;
        }
        if (m_exchange || m_closing)
            return;
        if (m_parser.midMessage() || !m_in.empty())
            sendError(408, "request head not received in time", true);
        else
            close(); // idle keep-alive connection
        return;
    }
}

void ClientConnection::processInput()
{
    if (m_inProcess) {
        m_again = true;
        return;
    }
    m_inProcess = true;
    do {
        m_again = false;
        step();
    } while (m_again && !m_closed);
    m_inProcess = false;
    if (!m_closed && !m_out.empty())
        m_loop->queueFlush(this);
}

bool ClientConnection::wantRead() const
{
    if (m_in.size() >= InputCap || m_eof)
        return false;
    if (!m_exchange)
        return true;
    if (!m_reqDone) {
        if (m_bodyMode == BodyMode::Hold)
            return false;
        return !(m_bodyMode == BodyMode::Proxy && m_up && m_up->pendingOut() > OutputCap);
    }
    return true; // pipelined requests wait in m_in (bounded by InputCap)
}

void ClientConnection::step()
{
    for (;;) {
        if (m_closed || m_closing)
            return;
        if (m_phase == Phase::Tunnel) {
            pumpTunnel();
            return;
        }
        if (m_phase != Phase::Http)
            return;
        if (m_exchange && m_respDone && (m_reqDone || m_closeAfterResponse)) {
            finishExchange();
            continue;
        }
        if (m_collectOverflow) {
            m_collectOverflow = false;
            m_collectDone = nullptr;
            m_collected.clear();
            m_closeAfterResponse = true;
            m_exchange->markAnswered();
            respond(413, Headers{}, "request body too large\n");
            continue;
        }
        if (m_exchange && m_reqDone && m_bodyMode == BodyMode::Collect && m_collectDone) {
            auto done = std::move(m_collectDone);
            m_collectDone = nullptr;
            done(std::move(m_collected));
            m_collected.clear();
            continue;
        }
        bool consume;
        if (!m_exchange)
            consume = true;
        else
            consume = !m_reqDone && m_bodyMode != BodyMode::Hold &&
                      !(m_bodyMode == BodyMode::Proxy && m_up && m_up->pendingOut() > OutputCap);
        if (consume) {
            auto r = m_parser.feed(m_in.data(), m_in.size());
            m_in.consume(r.consumed);
            if (r.status == MessageParser::Status::Error) {
                parseError();
                return;
            }
            if (m_headReady) {
                dispatch();
                continue;
            }
            if (r.status == MessageParser::Status::Paused)
                continue;
            if (!m_exchange && m_parser.midMessage() && !m_headTimerArmed) {
                setDeadline(m_loop->now() + m_state->config.headerTimeout);
                m_headTimerArmed = true;
            }
        }
        if (!m_readable || !wantRead())
            return;
        if (!readSome())
            return;
    }
}

bool ClientConnection::readSome()
{
    char *p = m_in.prepare(ReadChunk);
    size_t room = std::min(m_in.tailRoom(), InputCap);
    ssize_t n = m_stream.read(p, room);
    if (n > 0) {
        m_in.commit(static_cast<size_t>(n));
        m_state->bytesIn.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
        m_reqBytes += static_cast<uint64_t>(n);
        if (!m_stream.isTls() && !m_hup && static_cast<size_t>(n) < room)
            m_readable = false; // edge-triggered: a short read drained the socket
        return true;
    }
    m_readable = false;
    if (n == Stream::Again)
        return false;
    if (n == 0) {
        m_eof = true;
        onEof();
        return false;
    }
    close();
    return false;
}

void ClientConnection::onEof()
{
    if (!m_exchange) {
        if (m_out.empty())
            close();
        else
            closeAfterFlush();
        return;
    }
    if (!m_reqDone) { // the client went away in the middle of its request
        close();
        return;
    }
    m_closeAfterResponse = true; // half-close: answer, then close
}

int ClientConnection::onHead()
{
    m_headReady = true;
    return MessageParser::Pause;
}

int ClientConnection::onBody(const char *data, size_t len)
{
    switch (m_bodyMode) {
    case BodyMode::Proxy:
        if (m_replayKeep) {
            if (m_replayBody.size() + len > m_hooks.replayLimit) {
                m_replayKeep = m_replayOk = false; // too big to replay: a 401 will pass through
                std::string().swap(m_replayBody);
            } else {
                m_replayBody.append(data, len);
            }
        }
        if (!m_up)
            return 0;
        m_up->sendBody(data, len, m_exchange->request().chunked);
        return m_up->pendingOut() > OutputCap ? MessageParser::Pause : 0;
    case BodyMode::Collect:
        if (m_collected.size() + len > m_collectLimit) {
            m_collectOverflow = true;
            return MessageParser::Pause;
        }
        m_collected.append(data, len);
        return 0;
    case BodyMode::Discard:
        m_discarded += len;
        if (m_discarded > DiscardLimit) {
            m_closeAfterResponse = true;
            return MessageParser::Pause;
        }
        return 0;
    case BodyMode::Hold:
        break;
    }
    return MessageParser::Pause;
}

int ClientConnection::onComplete()
{
    m_reqDone = true;
    if (m_bodyMode == BodyMode::Proxy && m_up)
        m_up->endBody(m_exchange->request().chunked);
    return MessageParser::Pause;
}

void ClientConnection::dispatch()
{
    m_headReady = false;
    clearDeadline();
    m_headTimerArmed = false;
    m_reqStart = Clock::now();
    m_reqDone = m_respStarted = m_respDone = false;
    m_closeAfterResponse = m_sentContinue = m_retried = m_collectOverflow = false;
    m_replayKeep = m_replayOk = m_authHeld = m_authRetried = false;
    m_replayBody.clear();
    m_bodyMode = BodyMode::Hold;
    m_framing = Framing::Length;
    m_status = 0;
    m_respBytes = m_discarded = 0;
    m_outMark = m_out.appended();
    m_keepAlive = m_parser.keepAlive();
    RequestHead &rq = m_parser.request();
    m_headRequest = rq.method == "HEAD";
    m_upgrade = false;
    m_state->requests.fetch_add(1, std::memory_order_relaxed);
    m_worker->activeExchanges.fetch_add(1, std::memory_order_relaxed);
    auto ex = std::make_shared<ExchangeImpl>(this, m_loop, std::move(rq), m_peer);
    m_exchange = ex;
    if (m_state->closing || m_shutdown) {
        ex->markAnswered();
        m_closeAfterResponse = true;
        Headers h;
        h.add("Content-Type", "text/plain; charset=utf-8");
        respond(503, std::move(h), "shutting down\n");
        return;
    }
    try {
        m_state->handler(ex);
    } catch (const std::exception &e) {
        if (!ex->answered() && !ex->closed()) {
            ex->markAnswered();
            noteError(std::string("handler failed: ") + e.what());
            respond(500, Headers{}, "internal error\n");
        }
    } catch (...) {
        if (!ex->answered() && !ex->closed()) {
            ex->markAnswered();
            respond(500, Headers{}, "internal error\n");
        }
    }
    // Nobody kept the exchange and nobody answered it: answer rather than hang.
    if (m_exchange == ex && !ex->answered() && !ex->reading() && ex.use_count() <= 2) {
        ex->markAnswered();
        respond(500, Headers{}, "the request was not answered\n");
    }
}

void ClientConnection::logAndDetach()
{
    if (m_state->config.accessLog) {
        AccessRecord rec;
        const RequestHead &rq = m_exchange->request();
        rec.method = rq.method;
        if (const std::string *h = rq.headers.find("host"))
            rec.host = *h;
        rec.path = std::string(rq.path());
        rec.status = m_status;
        rec.bytesIn = m_reqBytes;
        rec.bytesOut = m_out.appended() - m_outMark;
        rec.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - m_reqStart);
        m_state->config.accessLog(rec);
    }
    m_exchange->detach();
    m_exchange.reset();
    m_worker->activeExchanges.fetch_sub(1, std::memory_order_relaxed);
}

void ClientConnection::finishExchange()
{
    logAndDetach();
    m_reqBytes = 0;
    m_collected.clear();
    m_collected.shrink_to_fit();
    std::string().swap(m_replayBody);
    m_hooks = ProxyHooks{};
    bool closeIt = !m_keepAlive || m_closeAfterResponse || m_eof || m_shutdown || m_state->closing ||
                   m_framing == Framing::UntilClose;
    if (closeIt) {
        closeAfterFlush();
        return;
    }
    setDeadline(m_loop->now() + m_state->config.idleTimeout);
}

void ClientConnection::parseError()
{
    const int st = m_parser.errorStatus() ? m_parser.errorStatus() : 400;
    const std::string line = std::string(reasonPhrase(st)) + ": " + m_parser.errorReason();
    noteError(line);
    if (m_up) {
        UpstreamConnection *u = m_up;
        m_up = nullptr;
        u->clientGone();
    }
    if (m_exchange) {
        if (m_respStarted) {
            close();
            return;
        }
        m_exchange->markAnswered();
        m_closeAfterResponse = true;
        m_bodyMode = BodyMode::Discard;
        m_reqDone = true; // nothing more will be read
        Headers h;
        h.add("Content-Type", "text/plain; charset=utf-8");
        respond(st, std::move(h), line + "\n");
        return;
    }
    sendError(st, line, true);
}

void ClientConnection::sendError(int status, const std::string &line, bool)
{
    m_keepAlive = false;
    m_closeAfterResponse = true;
    noteError(line);
    Headers h;
    h.add("Content-Type", "text/plain; charset=utf-8");
    std::string body = line + "\n";
    m_framing = Framing::Length;
    writeHead(status, {}, h, Framing::Length, body.size(), false);
    m_out.append(body);
    closeAfterFlush();
}

void ClientConnection::noteError(const std::string &line)
{
    m_state->setError(line, m_exchange ? m_reqStart : Clock::now());
}

void ClientConnection::closeAfterFlush()
{
    m_closing = true;
    clearDeadline();
    m_loop->queueFlush(this);
}

void ClientConnection::startLingering()
{
    // Close the write side and read what the client still sends, so our last response is not lost to a reset.
    m_phase = Phase::Lingering;
    m_stream.shutdownWrite();
    setDeadline(m_loop->now() + LingerTime);
    onIo(Poller::Read);
}

void ClientConnection::writeHead(int status, std::string_view reason, const Headers &headers, Framing framing,
                                 uint64_t length, bool keepContentLength)
{
    const int minor = m_exchange ? m_exchange->request().httpMinor : 1;
    if (status != 101 && (!m_keepAlive || m_eof || m_shutdown || m_state->closing || framing == Framing::UntilClose))
        m_closeAfterResponse = true;
    m_out.append("HTTP/1.1 ");
    m_out.appendNumber(static_cast<uint64_t>(status));
    m_out.append(" ");
    m_out.append(reason.empty() ? reasonPhrase(status) : reason);
    m_out.append("\r\n");
    for (const Header &h : headers.list()) {
        if (equalsIgnoreCase(h.name, "content-length")) {
            if (!(keepContentLength && framing == Framing::None))
                continue;
        } else if (equalsIgnoreCase(h.name, "transfer-encoding") || equalsIgnoreCase(h.name, "connection") ||
                   equalsIgnoreCase(h.name, "keep-alive")) {
            continue;
        }
        m_out.append(h.name);
        m_out.append(": ");
        m_out.append(h.value);
        m_out.append("\r\n");
    }
    if (framing == Framing::Length && status >= 200 && status != 204 && status != 304) {
        m_out.append("Content-Length: ");
        m_out.appendNumber(length);
        m_out.append("\r\n");
    } else if (framing == Framing::Chunked) {
        m_out.append("Transfer-Encoding: chunked\r\n");
    }
    if (status == 101)
        m_out.append("Connection: upgrade\r\n");
    else if (m_closeAfterResponse)
        m_out.append("Connection: close\r\n");
    else if (minor == 0)
        m_out.append("Connection: keep-alive\r\n");
    m_out.append("\r\n");
    m_loop->queueFlush(this);
}

void ClientConnection::writeBody(const char *data, size_t len)
{
    if (!len)
        return;
    if (m_framing == Framing::Chunked) {
        m_out.appendNumber(len, 16);
        m_out.append("\r\n", 2);
        m_out.append(data, len);
        m_out.append("\r\n", 2);
    } else {
        // Write-through: with nothing queued, send straight from the caller's bytes and keep only what the socket
        // did not take (saves one copy of every body byte on a plain client socket).
        if (m_out.empty() && !m_stream.isTls() && m_phase != Phase::Handshake && m_phase != Phase::Lingering) {
            ssize_t n = m_stream.write(data, len);
            if (n > 0) {
                m_state->bytesOut.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
                if (m_phase != Phase::Tunnel)
                    m_respBytes += static_cast<uint64_t>(n);
                data += n;
                len -= static_cast<size_t>(n);
                if (!len)
                    return;
            }
        }
        m_out.append(data, len);
    }
    m_loop->queueFlush(this);
}

void ClientConnection::sendContinue()
{
    if (m_exchange && m_exchange->request().expectContinue && !m_sentContinue && !m_reqDone) {
        m_out.append("HTTP/1.1 100 Continue\r\n\r\n");
        m_sentContinue = true;
        m_loop->queueFlush(this);
    }
}

void ClientConnection::respond(int status, Headers headers, std::string body)
{
    if (m_closed || m_respStarted || !m_exchange)
        return;
    m_respStarted = true;
    m_status = status;
    if (status < 400)
        m_state->noteAnswered(m_reqStart);
    if (!m_reqDone) {
        if (m_exchange->request().expectContinue && !m_sentContinue)
            m_closeAfterResponse = true; // the client may never send the body it announced
        else
            m_bodyMode = BodyMode::Discard; // drain what is left (bounded), keep the connection
        m_collectDone = nullptr;
    }
    m_framing = Framing::Length;
    writeHead(status, {}, headers, Framing::Length, body.size(), false);
    if (!m_headRequest && status >= 200 && status != 204 && status != 304)
        m_out.append(body);
    m_respDone = true;
    processInput();
}

void ClientConnection::readBody(size_t limit, std::function<void(std::string)> done)
{
    if (m_closed || !m_exchange || m_respStarted)
        return;
    const RequestHead &rq = m_exchange->request();
    if (rq.contentLength && *rq.contentLength > limit) {
        m_exchange->markAnswered();
        m_closeAfterResponse = true;
        respond(413, Headers{}, "request body too large\n");
        return;
    }
    m_collectLimit = limit;
    m_collectDone = std::move(done);
    m_collected.clear();
    m_bodyMode = BodyMode::Collect;
    sendContinue();
    processInput();
}

void ClientConnection::proxy(const UpstreamTarget &target, const RequestHead &head, ProxyHooks hooks)
{
    if (m_closed || !m_exchange || m_respStarted)
        return;
    const RequestHead &orig = m_exchange->request();
    m_target = target; // same-sized strings on a keep-alive connection: copied into the buffers it already has
    if (m_target.sni.empty())
        m_target.sni = m_target.host;
    UpstreamPool::writeKey(m_target, m_poolKey);
    m_hooks = std::move(hooks);
    m_upgrade = orig.upgrade && head.upgrade;
    const bool collected = m_bodyMode == BodyMode::Collect && m_reqDone;

    // Keep what a retry after a 401 would have to send again (bounded; beyond the limit a 401 passes through).
    m_replayBody.clear();
    m_replayKeep = false;
    m_replayOk = static_cast<bool>(m_hooks.onUnauthorized);
    if (m_replayOk) {
        if (collected) {
            if (m_collected.size() <= m_hooks.replayLimit)
                m_replayBody = m_collected;
            else
                m_replayOk = false;
        } else if (orig.hasBody()) {
            if (orig.contentLength && *orig.contentLength > m_hooks.replayLimit)
                m_replayOk = false;
            else if (!m_reqDone)
                m_replayKeep = true;
        }
    }

    buildUpstreamHead(head, collected ? &m_collected : nullptr);
    m_replayable = (collected || !orig.hasBody()) && (idempotent(head.method) || head.headers.has("idempotency-key"));
    m_headRequest = head.method == "HEAD";
    if (!collected && !m_reqDone) {
        m_bodyMode = BodyMode::Proxy;
        sendContinue();
    }
    acquireUpstream(false);
    processInput();
}

// The request line and headers for the upstream; with `fullBody` the body goes along with a Content-Length,
// otherwise it is streamed after the head with the client's framing.
void ClientConnection::buildUpstreamHead(const RequestHead &head, const std::string *fullBody)
{
    const RequestHead &orig = m_exchange->request();
    std::string &s = m_upHead;
    s.clear();
    s.reserve(512 + (fullBody ? fullBody->size() : 0));
    s += head.method;
    s += ' ';
    s += head.target;
    s += " HTTP/1.1\r\n";
    for (const Header &h : head.headers.list()) {
        if (equalsIgnoreCase(h.name, "content-length") || equalsIgnoreCase(h.name, "transfer-encoding") ||
            equalsIgnoreCase(h.name, "connection") || (!m_upgrade && equalsIgnoreCase(h.name, "upgrade")))
            continue;
        s += h.name;
        s += ": ";
        s += h.value;
        s += "\r\n";
    }
    if (fullBody) {
        if (orig.hasBody() || !fullBody->empty())
            s += "Content-Length: " + std::to_string(fullBody->size()) + "\r\n";
    } else if (orig.chunked) {
        s += "Transfer-Encoding: chunked\r\n";
    } else if (orig.contentLength) {
        s += "Content-Length: " + std::to_string(*orig.contentLength) + "\r\n";
    }
    if (m_upgrade)
        s += "Connection: upgrade\r\n";
    s += "\r\n";
    if (fullBody)
        s += *fullBody;
}

void ClientConnection::holdForRetry()
{
    // Nothing of the 401 reached the client; drop it with its connection (the rest of it is never read).
    if (UpstreamConnection *u = m_up) {
        m_up = nullptr;
        u->clientGone();
    }
    m_authHeld = true;
    m_exchange->setHeld(true);
    setDeadline(m_loop->now() + m_target.responseTimeout);
}

void ClientConnection::retryProxy(const RequestHead &head)
{
    if (m_closed || !m_exchange || !m_authHeld)
        return;
    m_authHeld = false;
    m_authRetried = true; // a second 401 goes to the client
    m_retried = false;
    clearDeadline();
    buildUpstreamHead(head, &m_replayBody);
    m_replayable = idempotent(head.method) || head.headers.has("idempotency-key");
    m_headRequest = head.method == "HEAD";
    acquireUpstream(false);
    processInput();
}

void ClientConnection::respondHeld(int status, Headers headers, std::string body)
{
    if (m_closed || !m_exchange || !m_authHeld)
        return;
    m_authHeld = false;
    clearDeadline();
    respond(status, std::move(headers), std::move(body));
}

void ClientConnection::acquireUpstream(bool fresh)
{
    UpstreamConnection *u = fresh ? nullptr : m_worker->pool().take(m_poolKey);
    if (!u) {
        u = UpstreamConnection::open(m_worker, m_poolKey, m_target);
        m_state->upstreamConnections.fetch_add(1, std::memory_order_relaxed);
    }
    m_state->upstreamRequests.fetch_add(1, std::memory_order_relaxed);
    m_up = u;
    u->send(m_upHead);
    u->attach(this, m_headRequest, m_upgrade, m_target.responseTimeout);
}

int ClientConnection::upstreamHead(ResponseHead &head, const MessageParser &parser)
{
    if (m_closed || !m_exchange)
        return -1;
    if (head.status == 401 && m_hooks.onUnauthorized && m_replayOk && m_reqDone && !m_authRetried &&
        m_hooks.onUnauthorized(head)) {
        holdForRetry();
        return -1; // the upstream stops parsing; it was already told we are gone
    }
    m_respStarted = true;
    m_state->noteAnswered(m_reqStart); // the upstream answered: earlier errors are over (a hook may note a new one)
    if (m_hooks.onResponseHead)
        m_hooks.onResponseHead(head);
    m_status = head.status;
    if (head.status == 101) {
        m_framing = Framing::None;
        writeHead(101, head.reason, head.headers, Framing::None, 0, false);
        m_phase = Phase::Tunnel;
        clearDeadline();
        return MessageParser::Pause;
    }
    const bool bodiless = m_headRequest || head.status < 200 || head.status == 204 || head.status == 304;
    uint64_t len = 0;
    if (bodiless) {
        m_framing = Framing::None;
    } else if (parser.contentLength()) {
        m_framing = Framing::Length;
        len = *parser.contentLength();
    } else if (m_exchange->request().httpMinor >= 1) {
        m_framing = Framing::Chunked;
    } else {
        m_framing = Framing::UntilClose;
    }
    writeHead(head.status, head.reason, head.headers, m_framing, len, head.status != 204);
    return 0;
}

int ClientConnection::upstreamBody(const char *data, size_t len)
{
    if (m_closed)
        return -1;
    writeBody(data, len);
    return outputFull() ? MessageParser::Pause : 0;
}

void ClientConnection::upstreamMessageDone()
{
    if (m_framing == Framing::Chunked)
        m_out.append("0\r\n\r\n");
    m_respDone = true;
    m_loop->queueFlush(this);
}

void ClientConnection::upstreamReleased()
{
    m_up = nullptr;
    if (!m_reqDone) {
        m_closeAfterResponse = true;
        m_bodyMode = BodyMode::Discard;
    }
    processInput();
}

void ClientConnection::upstreamFailed(int status, const std::string &reason, bool retryable)
{
    m_up = nullptr;
    if (m_closed)
        return;
    if (m_phase == Phase::Tunnel) {
        closeAfterFlush();
        return;
    }
    if (m_respStarted) {
        // The head is out: closing without the rest is the only honest signal left.
        noteError(reason);
        closeAfterFlush();
        return;
    }
    if (retryable && m_replayable && !m_retried) {
        m_retried = true; // a stale pooled connection: once more on a fresh one
        acquireUpstream(true);
        return;
    }
    // A 503 is this process out of descriptors: the engine's own words, not the caller's wording about the upstream.
    std::string line = m_hooks.describeError && status != 503 ? m_hooks.describeError(status, reason) : reason;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
    noteError(line);
    if (m_bodyMode == BodyMode::Proxy)
        m_bodyMode = BodyMode::Discard;
    Headers h;
    h.add("Content-Type", "text/plain; charset=utf-8");
    if (status == 503)
        h.add("Retry-After", "1");
    respond(status, std::move(h), line + "\n");
}

void ClientConnection::upstreamTlsResumed()
{
    m_state->upstreamTlsResumed.fetch_add(1, std::memory_order_relaxed);
}

void ClientConnection::upstreamDrained()
{
    if (!m_closed)
        processInput();
}

void ClientConnection::pumpTunnel()
{
    for (;;) {
        if (!m_up)
            return;
        if (!m_in.empty()) {
            if (m_up->pendingOut() > OutputCap)
                return;
            m_up->sendRaw(m_in.data(), m_in.size());
            m_in.clear();
        }
        if (m_up->pendingOut() > OutputCap || !m_readable || m_tunnelClientEof)
            return;
        char *p = m_in.prepare(ReadChunk);
        size_t room = std::min(m_in.tailRoom(), InputCap);
        ssize_t n = m_stream.read(p, room);
        if (n > 0) {
            m_in.commit(static_cast<size_t>(n));
            m_state->bytesIn.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
            m_reqBytes += static_cast<uint64_t>(n);
            continue;
        }
        m_readable = false;
        if (n == Stream::Again)
            return;
        if (n == 0) {
            m_tunnelClientEof = true;
            m_up->tunnelShutdown();
            return;
        }
        close();
        return;
    }
}

void ClientConnection::tunnelData(const char *data, size_t len)
{
    m_out.append(data, len);
    m_respBytes += len;
    m_loop->queueFlush(this);
}

void ClientConnection::tunnelStarted()
{
    if (!m_closed)
        processInput();
}

void ClientConnection::tunnelEof()
{
    m_up = nullptr;
    m_respDone = true;
    closeAfterFlush();
}

void ClientConnection::flush()
{
    if (m_closed || m_phase == Phase::Handshake || m_phase == Phase::Lingering)
        return;
    while (!m_out.empty()) {
        ssize_t n = m_stream.write(m_out.data(), m_out.size());
        if (n > 0) {
            m_out.consume(static_cast<size_t>(n));
            m_state->bytesOut.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
            if (m_phase != Phase::Tunnel)
                m_respBytes += static_cast<uint64_t>(n);
            continue;
        }
        if (n == Stream::Again)
            break;
        close();
        return;
    }
    if (m_out.empty()) {
        if (m_closing) {
            if (m_exchange)
                logAndDetach();
            startLingering();
            return;
        }
        m_out.shrinkIfIdle(InputCap);
    }
    if (m_up && m_out.size() < LowMark)
        m_up->clientDrained();
}

} // namespace heyo::net
