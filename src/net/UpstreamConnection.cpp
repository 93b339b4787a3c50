// Upstream side of the proxy path.
#include "net/UpstreamConnection.h"

#include "net/FdLimit.h"
#include "net/FlowControl.h"
#include "net/UpstreamListener.h"
#include "net/UpstreamPool.h"
#include "net/Worker.h"

#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace heyo::net {

namespace {
constexpr size_t ReadChunk = 16 * 1024;
constexpr size_t ReadMax = 64 * 1024; // one read, and the most an idle connection's buffers keep
// A streaming body is gathered up to this (several TLS records) before the client side sends it: 256 KiB measured
// 6-11 % more MiB/s than 64 KiB at the same CPU per GiB (fewer, larger sends wake the client less often).
constexpr size_t StreamGather = 256 * 1024;

bool isIpLiteral(const std::string &s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}
} // namespace

UpstreamConnection::UpstreamConnection(Worker *worker, std::string key, const UpstreamTarget &target)
    : IoHandler(&worker->loop()), m_worker(worker), m_key(std::move(key)), m_target(target),
      m_parser(MessageParser::Kind::Response, this)
{
    if (m_target.sni.empty())
        m_target.sni = m_target.host;
}

UpstreamConnection *UpstreamConnection::open(Worker *worker, std::string key, const UpstreamTarget &target)
{
    auto *u = new UpstreamConnection(worker, std::move(key), target);
    worker->loop().track(u);
    return u;
}

std::string UpstreamConnection::where() const
{
    return m_target.host + ":" + std::to_string(m_target.port);
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
    setDeadline(m_loop->now() + m_target.connectTimeout);
    startResolve();
}

void UpstreamConnection::startResolve()
{
    m_state = State::Resolving;
    Resolver::Addresses addrs;
    if (m_worker->resolver().resolveNow(m_target.host, m_target.port, &addrs)) {
        m_addrs = std::move(addrs);
        connectNext();
        return;
    }
    std::weak_ptr<int> alive = m_alive;
    m_worker->resolver().resolveLater(m_target.host, m_target.port, m_loop,
                                      [this, alive](Resolver::Addresses a, std::string error) {
                                          if (alive.expired() || m_closed)
                                              return;
                                          if (a.empty()) {
                                              fail(502, error, false);
                                              return;
                                          }
                                          m_addrs = std::move(a);
                                          connectNext();
                                      });
}

void UpstreamConnection::connectNext()
{
    while (m_addrIndex < m_addrs.size()) {
        const sockaddr_storage &a = m_addrs[m_addrIndex++];
        int fd = ::socket(a.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            // This process's shortage, not the upstream's: a 503 the client may retry, never "cannot connect".
            if (outOfDescriptors(errno)) {
                fail(503,
                     std::string("out of file descriptors (") + std::strerror(errno) + ") to connect to " + where() +
                         "; try again shortly",
                     false);
                return;
            }
            m_connectError = std::strerror(errno);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        socklen_t len = a.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
        int r = ::connect(fd, reinterpret_cast<const sockaddr *>(&a), len);
        if (r == 0 || errno == EINPROGRESS) {
            m_stream.attach(fd);
            m_state = State::Connecting;
            m_loop->poller().addEdge(fd, this);
            if (r == 0)
                connected();
            return;
        }
        m_connectError = std::strerror(errno);
        ::close(fd);
    }
    fail(502, "cannot connect to " + where() + ": " + (m_connectError.empty() ? "no address" : m_connectError), false);
}

void UpstreamConnection::connected()
{
    if (!m_target.tls) {
        ready();
        return;
    }
    if (!m_stream.startTls(m_target.tls, false)) {
        fail(502, "TLS setup for " + m_target.sni + " failed", false);
        return;
    }
    SSL *ssl = m_stream.ssl();
    const std::string &name = m_target.sni;
    if (isIpLiteral(name)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    } else {
        SSL_set_tlsext_host_name(ssl, name.c_str());
        SSL_set1_host(ssl, name.c_str());
    }
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr); // whatever the context says: never without verification
    static const unsigned char alpn[] = "\x08http/1.1";
    SSL_set_alpn_protos(ssl, alpn, sizeof alpn - 1);
    SSL_set_app_data(ssl, this); // for upstreamNewSession
    if (SSL_SESSION *cached = m_worker->pool().session(m_key)) {
        // Offer a private copy: OpenSSL marks the session object of a connection that is freed without a TLS
        // shutdown as not resumable, and that must not spoil the pool's copy for every later connection.
        if (SSL_SESSION *copy = SSL_SESSION_dup(cached)) {
            SSL_set_session(ssl, copy);
            SSL_SESSION_free(copy);
        }
    }
    m_state = State::Handshaking;
    handshakeStep();
}

void UpstreamConnection::handshakeStep()
{
    int r = m_stream.handshake();
    if (r == 0)
        return;
    if (r > 0) {
        if (SSL_session_reused(m_stream.ssl()) && m_listener)
            m_listener->upstreamTlsResumed();
        ready();
        return;
    }
    long v = SSL_get_verify_result(m_stream.ssl());
    if (v != X509_V_OK)
        fail(502, "TLS certificate of " + m_target.sni + " is not trusted: " + X509_verify_cert_error_string(v), false);
    else
        fail(502, "TLS handshake with " + m_target.sni + " failed: " + m_stream.error(), false);
}

void UpstreamConnection::ready()
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
    if (m_stream.fd() >= 0)
        m_loop->poller().remove(m_stream.fd());
    m_stream.close();
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
    case State::Connecting: {
        if (!(events & (Poller::Write | Poller::Error | Poller::Hangup)))
            return;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(m_stream.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0 && !(events & Poller::Error)) {
            connected();
            return;
        }
        m_connectError = std::strerror(err ? err : ECONNREFUSED);
        m_loop->poller().remove(m_stream.fd());
        m_stream.close();
        connectNext();
        return;
    }
    case State::Handshaking:
        handshakeStep();
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
    case State::Resolving:
        return;
    }
}

void UpstreamConnection::onDeadline()
{
    switch (m_state) {
    case State::Fresh:
    case State::Resolving:
    case State::Connecting:
    case State::Handshaking:
        fail(504, "connecting to " + where() + " timed out", false);
        return;
    case State::Ready:
        if (!m_headSeen)
            fail(504, where() + " did not answer in time", false);
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
        ssize_t n = m_stream.write(m_out.data(), m_out.size());
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
        fail(502, "sending the request to " + where() + " failed: " + m_stream.error(), m_reused && !m_gotBytes);
        return;
    }
    if (wrote && m_state == State::Ready && !m_headSeen)
        setDeadline(m_loop->now() + m_responseTimeout); // the response clock starts when the request is out
    if (m_out.empty()) {
        m_out.shrinkIfIdle(ReadMax);
        if (m_tunnelShutdown && !m_shutdownSent) {
            m_shutdownSent = true;
            m_stream.shutdownWrite();
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
            ssize_t n = m_stream.read(b, sizeof b);
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
        ssize_t n = m_readError ? Stream::Failed : m_stream.read(p, room);
        if (n > 0) {
            m_in.commit(static_cast<size_t>(n));
            m_gotBytes = true;
            if (m_headSeen && m_state == State::Ready)
                setDeadline(m_loop->now() + m_responseTimeout); // idle clock while the body streams
            if (!m_stream.isTls() && !m_hup && static_cast<size_t>(n) < room)
                m_readable = false;
            // A streaming body: gather before parsing, so the client side gets one large write instead of one per
            // 16 KiB record.
            while (m_readable && m_headSeen && m_state == State::Ready && m_in.size() < StreamGather) {
                char *q = m_in.prepare(ReadChunk);
                ssize_t more = m_stream.read(q, std::min(m_in.tailRoom(), StreamGather - m_in.size()));
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
    std::string why = eof ? "closed the connection" : m_stream.error();
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

void UpstreamConnection::keepSession(SSL_SESSION *session)
{
    // A copy, never the object the live connection holds (see connected()).
    if (SSL_SESSION *copy = SSL_SESSION_dup(session)) {
        m_worker->pool().storeSession(m_key, copy);
        m_sessionKept = true;
    }
}

int upstreamNewSession(SSL *ssl, SSL_SESSION *session)
{
    // TLS 1.3 tickets arrive after the handshake, with the first bytes read; keep each as it comes, so even a
    // connection that fails later has left a resumable session behind.
    if (auto *u = static_cast<UpstreamConnection *>(SSL_get_app_data(ssl)); u && SSL_SESSION_is_resumable(session))
        u->keepSession(session);
    return 0; // we took no reference to `session`
}

void UpstreamConnection::finishCycle()
{
    UpstreamListener *c = m_listener;
    m_listener = nullptr;
    m_complete = false;
    if (SSL *ssl = m_stream.ssl()) {
        // Contexts without upstreamNewSession (a caller's own SSL_CTX) still get resumption from here.
        SSL_SESSION *s = SSL_get1_session(ssl);
        if (s && SSL_SESSION_is_resumable(s) && !m_sessionKept)
            keepSession(s);
        if (s)
            SSL_SESSION_free(s);
    }
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
