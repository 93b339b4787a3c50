// A proxied exchange: choosing and driving the upstream connection, the 401 hold and replay, the tunnel.
#include "net/ProxySession.h"

#include "net/FlowControl.h"
#include "net/Http2UpstreamConnection.h"
#include "net/ListenerState.h"
#include "net/UpstreamConnection.h"
#include "net/UpstreamPool.h"
#include "net/Worker.h"

namespace heyo::net {

namespace {
bool idempotent(std::string_view m)
{
    return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE" || m == "TRACE";
}

// Sending the request again (after a stale pooled connection failed) is safe only when its whole body is at hand
// and doing it twice does no harm.
bool resendable(const RequestHead &head)
{
    return idempotent(head.method) || head.headers.has("idempotency-key");
}
} // namespace

ProxySession::ProxySession(Worker &worker, ListenerState &listener, ProxyDownstream &down)
    : m_worker(worker), m_listener(listener), m_down(down)
{
}

void ProxySession::proxy(const RequestHead &orig, Clock::time_point began, const UpstreamTarget &target,
                         const RequestHead &head, ProxyHooks hooks)
{
    m_began = began;
    m_target = target; // same-sized strings on a keep-alive connection: copied into the buffers it already has
    if (m_target.sni.empty())
        m_target.sni = m_target.host;
    UpstreamPool::writeKey(m_target, m_poolKey);
    m_hooks = std::move(hooks);
    m_upgrade = orig.upgrade && head.upgrade;
    m_framing = {orig.hasBody(), orig.chunked, orig.contentLength};
    m_authRetried = m_tunnelClientEof = false;
    const ProxyDownstream::RequestBody body = m_down.takeRequestBody();

    // Keep what a retry after a 401 would have to send again (bounded; beyond the limit a 401 passes through).
    m_replayBody.clear();
    m_replay = m_hooks.onUnauthorized ? Replay::Ready : Replay::Off;
    if (m_replay != Replay::Off) {
        if (body.buffered) {
            if (body.buffered->size() <= m_hooks.replayLimit)
                m_replayBody = *body.buffered;
            else
                m_replay = Replay::Off;
        } else if (orig.hasBody()) {
            if (orig.contentLength && *orig.contentLength > m_hooks.replayLimit)
                m_replay = Replay::Off;
            else if (!body.complete)
                m_replay = Replay::Keeping;
        }
    }

    buildHead(head, body.buffered);
    m_freshRetry = (body.buffered || !orig.hasBody()) && resendable(head);
    m_headRequest = head.method == "HEAD";
    m_phase = Phase::Requesting;
    acquire(false);
    m_down.resumeInput();
}

void ProxySession::retry(const RequestHead &head)
{
    if (m_phase != Phase::Held)
        return;
    m_authRetried = true;
    m_down.stopHoldTimer();
    buildHead(head, &m_replayBody);
    m_freshRetry = resendable(head);
    m_headRequest = head.method == "HEAD";
    m_phase = Phase::Requesting;
    acquire(false);
    m_down.resumeInput();
}

void ProxySession::respondHeld(int status, Headers headers, std::string body)
{
    if (m_phase != Phase::Held)
        return;
    m_phase = Phase::Idle;
    m_down.stopHoldTimer();
    m_down.answer(status, std::move(headers), std::move(body));
}

void ProxySession::holdExpired()
{
    if (m_phase != Phase::Held)
        return;
    // The handler never decided what to do with the held 401: answer rather than hang.
    m_phase = Phase::Idle;
    Headers h;
    h.add("Content-Type", "text/plain; charset=utf-8");
    noteError("the endpoint refused the token and no new one arrived in time");
    m_down.answer(401, std::move(h), "the endpoint refused the token and no new one arrived in time\n");
}

void ProxySession::holdForRetry()
{
    // Nothing of the 401 reached the client; drop it with its connection (the rest of it is never read).
    // Over HTTP/2 only this exchange's stream is reset; the shared connection goes on.
    if (UpstreamExchange *u = m_up) {
        m_up = nullptr;
        u->clientGone();
    }
    m_phase = Phase::Held;
    m_down.startHoldTimer(m_target.responseTimeout);
}

bool ProxySession::wantsHttp2() const
{
    using P = UpstreamTarget::Protocol;
    if (m_target.protocol == P::Http2)
        return true;
    // Negotiate: h2 by ALPN over TLS, unless this key already said http/1.1 or the request asks for an upgrade.
    return m_target.protocol == P::Negotiate && m_target.tls && !m_upgrade && !m_worker.pool().speaksHttp1(m_poolKey);
}

void ProxySession::buildHead(const RequestHead &head, const std::string *fullBody)
{
    // The HTTP/1.1 bytes always (an h2 attempt may fall back to them); the HTTP/2 form only for an h2 attempt.
    if (!wantsHttp2()) {
        m_head.build(head, m_framing, m_upgrade, fullBody);
        return;
    }
    m_head.build(head, m_framing, m_upgrade, fullBody, true, m_target.tls ? "https" : "http",
                 m_target.host + ":" + std::to_string(m_target.port));
}

void ProxySession::acquire(bool fresh)
{
    UpstreamPool &pool = m_worker.pool();
    UpstreamExchange *u = nullptr;
    if (wantsHttp2()) {
        // Every exchange to this key shares one connection, up to the server's concurrent-stream limit.
        Http2UpstreamConnection *c = fresh ? nullptr : pool.http2(m_poolKey);
        if (!c) {
            c = Http2UpstreamConnection::open(&m_worker, m_poolKey, m_target);
            m_listener.upstreamConnections.fetch_add(1, std::memory_order_relaxed);
        }
        u = c->newStream();
    } else {
        UpstreamConnection *c = fresh ? nullptr : pool.take(m_poolKey);
        if (!c) {
            c = UpstreamConnection::open(&m_worker, m_poolKey, m_target);
            m_listener.upstreamConnections.fetch_add(1, std::memory_order_relaxed);
        }
        u = c;
    }
    m_listener.upstreamRequests.fetch_add(1, std::memory_order_relaxed);
    m_up = u;
    u->start(this, m_head, m_headRequest, m_upgrade, m_target.responseTimeout);
}

void ProxySession::noteError(const std::string &line)
{
    m_listener.setError(line, m_began);
}

bool ProxySession::requestBody(const char *data, size_t len)
{
    if (m_replay == Replay::Keeping) {
        if (m_replayBody.size() + len > m_hooks.replayLimit) {
            m_replay = Replay::Off; // too big to replay: a 401 will pass through
            std::string().swap(m_replayBody);
        } else {
            m_replayBody.append(data, len);
        }
    }
    if (!m_up)
        return false;
    m_up->sendBody(data, len, m_framing.chunked);
    return m_up->pendingOut() > OutputCap;
}

void ProxySession::requestBodyEnd()
{
    if (m_up)
        m_up->endBody(m_framing.chunked);
}

bool ProxySession::upstreamFull() const
{
    return m_up && m_up->pendingOut() > OutputCap;
}

void ProxySession::downstreamDrained()
{
    if (m_up)
        m_up->clientDrained();
}

void ProxySession::tunnelSend(const char *data, size_t len)
{
    if (m_up)
        m_up->sendRaw(data, len);
}

void ProxySession::tunnelClientEof()
{
    m_tunnelClientEof = true;
    if (m_up)
        m_up->tunnelShutdown();
}

void ProxySession::cancel()
{
    if (UpstreamExchange *u = m_up) {
        m_up = nullptr;
        u->clientGone();
    }
    m_phase = Phase::Idle;
}

void ProxySession::reset()
{
    std::string().swap(m_replayBody);
    m_hooks = ProxyHooks{};
    m_phase = Phase::Idle;
    m_replay = Replay::Off;
}

bool ProxySession::upstreamHead(ResponseHead &head, std::optional<uint64_t> contentLength)
{
    if (!m_up)
        return false;
    if (head.status == 401 && m_hooks.onUnauthorized && m_replay != Replay::Off && m_down.requestComplete() &&
        !m_authRetried && m_hooks.onUnauthorized(head)) {
        holdForRetry();
        return false; // the connection stops parsing; it was already told we are gone
    }
    m_listener.noteAnswered(m_began); // the upstream answered: earlier errors are over (a hook may note a new one)
    if (m_hooks.onResponseHead)
        m_hooks.onResponseHead(head);
    if (head.status == 101) {
        m_phase = Phase::Tunnel;
        m_down.responseHead(head, ProxyDownstream::Body::Tunnel, 0);
        return true;
    }
    m_phase = Phase::Responding;
    using Body = ProxyDownstream::Body;
    const bool bodiless = m_headRequest || head.status < 200 || head.status == 204 || head.status == 304;
    const Body body = bodiless ? Body::None : contentLength ? Body::Length : Body::Unknown;
    m_down.responseHead(head, body, body == Body::Length ? *contentLength : 0);
    return true;
}

bool ProxySession::upstreamData(const char *data, size_t len)
{
    if (m_phase == Phase::Tunnel) {
        m_down.tunnelData(data, len);
        return false;
    }
    return m_down.responseBody(data, len);
}

void ProxySession::upstreamTrailers(Headers &trailers)
{
    m_down.responseTrailers(std::move(trailers));
}

void ProxySession::upstreamComplete()
{
    m_down.responseEnd();
}

void ProxySession::upstreamReleased()
{
    m_up = nullptr;
    m_phase = Phase::Idle;
    m_down.proxyFinished();
}

void ProxySession::upstreamFailed(int status, const std::string &reason, bool retryable)
{
    m_up = nullptr;
    if (m_phase == Phase::Tunnel) {
        m_down.abortResponse();
        return;
    }
    if (m_phase == Phase::Responding) {
        // The head is out: ending the response abruptly is the only honest signal left.
        noteError(reason);
        m_down.abortResponse();
        return;
    }
    if (retryable && m_freshRetry) {
        m_freshRetry = false; // a stale pooled connection: once more on a fresh one
        acquire(true);
        return;
    }
    // A 503 is this process out of descriptors: the engine's own words, not the caller's wording about the upstream.
    std::string line = m_hooks.describeError && status != 503 ? m_hooks.describeError(status, reason) : reason;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
    noteError(line);
    m_phase = Phase::Idle;
    Headers h;
    h.add("Content-Type", "text/plain; charset=utf-8");
    if (status == 503)
        h.add("Retry-After", "1");
    m_down.answer(status, std::move(h), line + "\n");
}

void ProxySession::upstreamWritable()
{
    m_down.resumeInput();
}

void ProxySession::upstreamTlsResumed()
{
    m_listener.upstreamTlsResumed.fetch_add(1, std::memory_order_relaxed);
}

void ProxySession::tunnelClosed()
{
    m_up = nullptr;
    m_down.responseEnd();
}

void ProxySession::upstreamReplaced(UpstreamExchange *next, bool newConnection)
{
    m_up = next;
    if (newConnection)
        m_listener.upstreamConnections.fetch_add(1, std::memory_order_relaxed);
}

bool ProxySession::downstreamFull() const
{
    return m_down.outputFull();
}

bool ProxySession::requestSent() const
{
    return m_down.requestComplete();
}

} // namespace heyo::net
