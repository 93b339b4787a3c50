// The HTTP/1.1 side of the engine: request parsing driven in steps, response framing and writing, keep-alive.
#include "net/ClientConnection.h"

#include "net/FlowControl.h"
#include "net/HeaderUtil.h"
#include "net/Http2Connection.h"
#include "net/TlsContext.h"
#include "net/Worker.h"

namespace heyo::net {

namespace {
constexpr size_t ReadChunk = 16 * 1024;
constexpr size_t InputCap = 64 * 1024;
constexpr size_t DiscardLimit = 1024 * 1024; // unread request body we drain to keep a connection alive
constexpr auto LingerTime = std::chrono::seconds(2);
constexpr std::string_view Http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
} // namespace

ClientConnection::ClientConnection(Worker *worker, std::shared_ptr<ListenerState> state, int fd, PeerInfo peer)
    : ServerConnection(&worker->loop()), m_worker(worker), m_state(std::move(state)),
      m_peer(std::make_shared<const PeerInfo>(std::move(peer))), m_parser(MessageParser::Kind::Request, this),
      m_proxy(*worker, *m_state, *this)
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
        if (m_state->config.http2)
            offerHttp2(m_stream.ssl());
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
    m_proxy.cancel();
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
            if (m_state->config.http2 && selectedHttp2(m_stream.ssl())) {
                switchToHttp2(false);
                return;
            }
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
        if (m_exchange && m_proxy.held()) {
            m_proxy.holdExpired();
            return;
        }
        if (m_exchange || m_closing)
            return;
        if (m_parser.midMessage() || !m_in.empty())
            sendError(408, "request head not received in time");
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
    if (!m_ex.reqDone) {
        if (m_ex.bodyMode == BodyMode::Hold)
            return false;
        return !(m_ex.bodyMode == BodyMode::Proxy && m_proxy.upstreamFull());
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
        if (m_exchange && m_ex.respDone && (m_ex.reqDone || m_ex.closeAfterResponse)) {
            finishExchange();
            continue;
        }
        if (m_ex.collectOverflow) {
            m_ex.collectOverflow = false;
            m_collectDone = nullptr;
            m_collected.clear();
            m_ex.closeAfterResponse = true;
            m_exchange->markAnswered();
            respond(413, Headers{}, "request body too large\n");
            continue;
        }
        if (m_exchange && m_ex.reqDone && m_ex.bodyMode == BodyMode::Collect && m_collectDone) {
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
            consume = !m_ex.reqDone && m_ex.bodyMode != BodyMode::Hold &&
                      !(m_ex.bodyMode == BodyMode::Proxy && m_proxy.upstreamFull());
        if (consume && !m_prefaceChecked) {
            const Preface p = matchPreface();
            if (p == Preface::Full) {
                switchToHttp2(!m_state->config.http2 || m_stream.isTls()); // over TLS, h2 only by ALPN (RFC 9113 §3.3)
                return;
            }
            if (p == Preface::Partial)
                consume = false; // wait for the rest of the first bytes
            else
                m_prefaceChecked = true;
        }
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
    if (!m_ex.reqDone) { // the client went away in the middle of its request
        close();
        return;
    }
    m_ex.closeAfterResponse = true; // half-close: answer, then close
}

int ClientConnection::onHead()
{
    m_headReady = true;
    return MessageParser::Pause;
}

int ClientConnection::onBody(const char *data, size_t len)
{
    switch (m_ex.bodyMode) {
    case BodyMode::Proxy:
        return m_proxy.requestBody(data, len) ? MessageParser::Pause : 0;
    case BodyMode::Collect:
        if (m_collected.size() + len > m_ex.collectLimit) {
            m_ex.collectOverflow = true;
            return MessageParser::Pause;
        }
        m_collected.append(data, len);
        return 0;
    case BodyMode::Discard:
        m_ex.discarded += len;
        if (m_ex.discarded > DiscardLimit) {
            m_ex.closeAfterResponse = true;
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
    m_ex.reqDone = true;
    if (m_ex.bodyMode == BodyMode::Proxy)
        m_proxy.requestBodyEnd();
    return MessageParser::Pause;
}

void ClientConnection::dispatch()
{
    m_headReady = false;
    clearDeadline();
    m_headTimerArmed = false;
    m_ex = ExchangeState{};
    m_ex.start = Clock::now();
    m_ex.outMark = m_out.appended();
    m_ex.keepAlive = m_parser.keepAlive();
    RequestHead &rq = m_parser.request();
    m_ex.headRequest = rq.method == "HEAD";
    m_state->requests.fetch_add(1, std::memory_order_relaxed);
    m_worker->activeExchanges.fetch_add(1, std::memory_order_relaxed);
    auto ex = std::make_shared<ExchangeImpl>(this, &m_proxy, m_loop, std::move(rq), m_peer, m_ex.start);
    m_exchange = ex;
    if (m_state->closing || m_shutdown) {
        ex->markAnswered();
        m_ex.closeAfterResponse = true;
        Headers h;
        h.add("Content-Type", "text/plain; charset=utf-8");
        respond(503, std::move(h), "shutting down\n");
        return;
    }
    ExchangeImpl::run(std::move(ex), m_state->handler);
}

ClientConnection::Preface ClientConnection::matchPreface() const
{
    const std::string_view in(m_in.data(), std::min(m_in.size(), Http2Preface.size()));
    if (in != Http2Preface.substr(0, in.size()))
        return Preface::No;
    return in.size() == Http2Preface.size() ? Preface::Full : Preface::Partial;
}

void ClientConnection::switchToHttp2(bool refuse)
{
    m_loop->poller().remove(m_stream.fd());
    auto *h2 = new Http2Connection(m_worker, m_state, m_peer, m_stream, {m_in.data(), m_in.size()}, refuse);
    m_in.clear();
    // This object is done with the connection; the socket lives on in h2.
    m_closed = true;
    clearDeadline();
    m_proxy.cancel();
    m_worker->unregisterClient(this);
    m_state->openConnections.fetch_sub(1, std::memory_order_relaxed);
    m_loop->destroy(this);
    h2->start();
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
        rec.status = m_ex.status;
        rec.bytesIn = m_reqBytes;
        rec.bytesOut = m_out.appended() - m_ex.outMark;
        rec.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - m_ex.start);
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
    m_proxy.reset();
    bool closeIt = !m_ex.keepAlive || m_ex.closeAfterResponse || m_eof || m_shutdown || m_state->closing ||
                   m_ex.framing == Framing::UntilClose;
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
    m_proxy.cancel();
    if (m_exchange) {
        if (m_ex.respStarted) {
            close();
            return;
        }
        m_exchange->markAnswered();
        m_ex.closeAfterResponse = true;
        m_ex.bodyMode = BodyMode::Discard;
        m_ex.reqDone = true; // nothing more will be read
        Headers h;
        h.add("Content-Type", "text/plain; charset=utf-8");
        respond(st, std::move(h), line + "\n");
        return;
    }
    sendError(st, line);
}

void ClientConnection::sendError(int status, const std::string &line)
{
    m_ex.keepAlive = false;
    m_ex.closeAfterResponse = true;
    noteError(line);
    Headers h;
    h.add("Content-Type", "text/plain; charset=utf-8");
    std::string body = line + "\n";
    m_ex.framing = Framing::Length;
    writeHead(status, {}, h, Framing::Length, body.size(), false);
    m_out.append(body);
    closeAfterFlush();
}

void ClientConnection::noteError(const std::string &line)
{
    m_state->setError(line, m_exchange ? m_ex.start : Clock::now());
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
    if (status != 101 && (!m_ex.keepAlive || m_eof || m_shutdown || m_state->closing || framing == Framing::UntilClose))
        m_ex.closeAfterResponse = true;
    m_out.append("HTTP/1.1 ");
    m_out.appendNumber(static_cast<uint64_t>(status));
    m_out.append(" ");
    m_out.append(reason.empty() ? reasonPhrase(status) : reason);
    m_out.append("\r\n");
    // The client hop's framing is ours: the upstream's Content-Length, Transfer-Encoding and Connection never pass.
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
    else if (m_ex.closeAfterResponse)
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
    if (m_ex.framing == Framing::Chunked) {
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
    if (m_exchange && m_exchange->request().expectContinue && !m_ex.sentContinue && !m_ex.reqDone) {
        m_out.append("HTTP/1.1 100 Continue\r\n\r\n");
        m_ex.sentContinue = true;
        m_loop->queueFlush(this);
    }
}

void ClientConnection::respond(int status, Headers headers, std::string body)
{
    if (m_closed || m_ex.respStarted || !m_exchange)
        return;
    m_ex.respStarted = true;
    m_ex.status = status;
    if (status < 400)
        m_state->noteAnswered(m_ex.start);
    if (!m_ex.reqDone) {
        if (m_exchange->request().expectContinue && !m_ex.sentContinue)
            m_ex.closeAfterResponse = true; // the client may never send the body it announced
        else
            m_ex.bodyMode = BodyMode::Discard; // drain what is left (bounded), keep the connection
        m_collectDone = nullptr;
    }
    m_ex.framing = Framing::Length;
    writeHead(status, {}, headers, Framing::Length, body.size(), false);
    if (!m_ex.headRequest && status >= 200 && status != 204 && status != 304)
        m_out.append(body);
    m_ex.respDone = true;
    processInput();
}

void ClientConnection::readBody(size_t limit, std::function<void(std::string)> done)
{
    if (m_closed || !m_exchange || m_ex.respStarted)
        return;
    const RequestHead &rq = m_exchange->request();
    if (rq.contentLength && *rq.contentLength > limit) {
        m_exchange->markAnswered();
        m_ex.closeAfterResponse = true;
        respond(413, Headers{}, "request body too large\n");
        return;
    }
    m_ex.collectLimit = limit;
    m_collectDone = std::move(done);
    m_collected.clear();
    m_ex.bodyMode = BodyMode::Collect;
    sendContinue();
    processInput();
}

// ProxyDownstream: the HTTP/1.1 framing of what the session relays.

ProxyDownstream::RequestBody ClientConnection::takeRequestBody()
{
    const bool collected = m_ex.bodyMode == BodyMode::Collect && m_ex.reqDone;
    RequestBody body{m_ex.reqDone, collected ? &m_collected : nullptr};
    if (!collected && !m_ex.reqDone) {
        m_ex.bodyMode = BodyMode::Proxy;
        sendContinue();
    }
    return body;
}

bool ClientConnection::outputFull() const
{
    return m_out.size() > OutputCap;
}

void ClientConnection::responseHead(const ResponseHead &head, Body body, uint64_t length)
{
    m_ex.respStarted = true;
    m_ex.status = head.status;
    switch (body) {
    case Body::Tunnel:
        m_ex.framing = Framing::None;
        writeHead(101, head.reason, head.headers, Framing::None, 0, false);
        m_phase = Phase::Tunnel;
        clearDeadline();
        return;
    case Body::None:
        m_ex.framing = Framing::None;
        break;
    case Body::Length:
        m_ex.framing = Framing::Length;
        break;
    case Body::Unknown: // HTTP/1.0 has no chunked coding: the end of the body is the end of the connection
        m_ex.framing = m_exchange->request().httpMinor >= 1 ? Framing::Chunked : Framing::UntilClose;
        break;
    }
    // A bodiless response keeps the upstream's Content-Length (it describes the resource), except on a 204.
    writeHead(head.status, head.reason, head.headers, m_ex.framing, length, head.status != 204);
}

bool ClientConnection::responseBody(const char *data, size_t len)
{
    writeBody(data, len);
    return outputFull();
}

void ClientConnection::responseTrailers(Headers)
{
    // Dropped: an HTTP/1.1 client gets no trailers, as MessageParser drops an HTTP/1.1 upstream's (they could carry
    // Host, Content-Length or credentials past every check); gRPC, which needs them, speaks HTTP/2.
}

void ClientConnection::responseEnd()
{
    if (m_phase == Phase::Tunnel) {
        m_ex.respDone = true;
        closeAfterFlush();
        return;
    }
    if (m_ex.framing == Framing::Chunked)
        m_out.append("0\r\n\r\n");
    m_ex.respDone = true;
    m_loop->queueFlush(this);
}

void ClientConnection::tunnelData(const char *data, size_t len)
{
    m_out.append(data, len);
    m_loop->queueFlush(this);
}

void ClientConnection::answer(int status, Headers headers, std::string body)
{
    if (m_ex.bodyMode == BodyMode::Proxy)
        m_ex.bodyMode = BodyMode::Discard;
    respond(status, std::move(headers), std::move(body));
}

void ClientConnection::abortResponse()
{
    closeAfterFlush();
}

void ClientConnection::proxyFinished()
{
    if (!m_ex.reqDone) {
        m_ex.closeAfterResponse = true;
        m_ex.bodyMode = BodyMode::Discard;
    }
    processInput();
}

void ClientConnection::resumeInput()
{
    if (!m_closed)
        processInput();
}

void ClientConnection::startHoldTimer(std::chrono::milliseconds timeout)
{
    setDeadline(m_loop->now() + timeout);
}

void ClientConnection::stopHoldTimer()
{
    clearDeadline();
}

void ClientConnection::pumpTunnel()
{
    for (;;) {
        if (!m_proxy.upstreamAttached())
            return;
        if (!m_in.empty()) {
            if (m_proxy.upstreamFull())
                return;
            m_proxy.tunnelSend(m_in.data(), m_in.size());
            m_in.clear();
        }
        if (m_proxy.upstreamFull() || !m_readable || m_proxy.tunnelClientEnded())
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
            m_proxy.tunnelClientEof();
            return;
        }
        close();
        return;
    }
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
    if (m_proxy.upstreamAttached() && m_out.size() < OutputLowMark)
        m_proxy.downstreamDrained();
}

} // namespace heyo::net
