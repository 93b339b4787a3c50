// Resolving, connecting and the TLS client handshake, shared by the HTTP/1.1 and HTTP/2 upstream connections.
#include "net/UpstreamSocket.h"

#include "net/FdLimit.h"
#include "net/UpstreamPool.h"
#include "net/Worker.h"

#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace heyo::net {

namespace {
bool isIpLiteral(const std::string &s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}
} // namespace

UpstreamSocket::UpstreamSocket(Worker *worker, std::string key, const UpstreamTarget &target, Offer offer)
    : IoHandler(&worker->loop()), m_worker(worker), m_key(std::move(key)), m_target(target), m_offer(offer)
{
    if (m_target.sni.empty())
        m_target.sni = m_target.host;
}

UpstreamSocket::~UpstreamSocket() = default;

std::string UpstreamSocket::where() const
{
    return m_target.host + ":" + std::to_string(m_target.port);
}

std::string UpstreamSocket::clientNotReading(std::chrono::milliseconds timeout) const
{
    return "the client read nothing of the response from " + where() + " for " +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) + " s";
}

std::string_view UpstreamSocket::alpn() const
{
    if (!m_stream->ssl())
        return {};
    const unsigned char *p = nullptr;
    unsigned int n = 0;
    SSL_get0_alpn_selected(m_stream->ssl(), &p, &n);
    return p ? std::string_view(reinterpret_cast<const char *>(p), n) : std::string_view();
}

void UpstreamSocket::startConnect()
{
    m_phase = Phase::Resolving;
    Resolver::Addresses addrs;
    if (m_worker->resolver().resolveNow(m_target.host, m_target.port, &addrs)) {
        m_addrs = std::move(addrs);
        connectNext();
        return;
    }
    std::weak_ptr<int> alive = m_alive;
    m_worker->resolver().resolveLater(m_target.host, m_target.port, m_loop,
                                      [this, alive](Resolver::Addresses a, std::string error) {
                                          if (alive.expired() || m_phase != Phase::Resolving)
                                              return;
                                          if (a.empty()) {
                                              m_phase = Phase::Done;
                                              socketFailed(502, error);
                                              return;
                                          }
                                          m_addrs = std::move(a);
                                          connectNext();
                                      });
}

void UpstreamSocket::connectNext()
{
    while (m_addrIndex < m_addrs.size()) {
        const sockaddr_storage &a = m_addrs[m_addrIndex++];
        int fd = ::socket(a.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            // This process's shortage, not the upstream's: a 503 the client may retry, never "cannot connect".
            if (outOfDescriptors(errno)) {
                m_phase = Phase::Done;
                socketFailed(503, std::string("out of file descriptors (") + std::strerror(errno) + ") to connect to " +
                                      where() + "; try again shortly");
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
            m_stream->attach(fd);
            m_phase = Phase::Connecting;
            m_loop->poller().addEdge(fd, this);
            if (r == 0)
                connected();
            return;
        }
        m_connectError = std::strerror(errno);
        ::close(fd);
    }
    m_phase = Phase::Done;
    socketFailed(502, "cannot connect to " + where() + ": " + (m_connectError.empty() ? "no address" : m_connectError));
}

void UpstreamSocket::connectIo(uint32_t events)
{
    if (m_phase == Phase::Handshaking) {
        handshakeStep();
        return;
    }
    if (m_phase != Phase::Connecting || !(events & (Poller::Write | Poller::Error | Poller::Hangup)))
        return;
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(m_stream->fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == 0 && !(events & Poller::Error)) {
        connected();
        return;
    }
    m_connectError = std::strerror(err ? err : ECONNREFUSED);
    m_loop->poller().remove(m_stream->fd());
    m_stream->close();
    m_stream = std::make_unique<Stream>();
    connectNext();
}

void UpstreamSocket::connected()
{
    if (!m_target.tls) {
        m_phase = Phase::Done;
        socketReady();
        return;
    }
    if (!m_stream->startTls(m_target.tls, false)) {
        m_phase = Phase::Done;
        socketFailed(502, "TLS setup for " + m_target.sni + " failed");
        return;
    }
    SSL *ssl = m_stream->ssl();
    const std::string &name = m_target.sni;
    if (isIpLiteral(name)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    } else {
        SSL_set_tlsext_host_name(ssl, name.c_str());
        SSL_set1_host(ssl, name.c_str());
    }
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr); // whatever the context says: never without verification
    static const unsigned char http1[] = "\x08http/1.1";
    static const unsigned char http2[] = "\x02h2";
    static const unsigned char both[] = "\x02h2\x08http/1.1";
    switch (m_offer) {
    case Offer::Http1:
        SSL_set_alpn_protos(ssl, http1, sizeof http1 - 1);
        break;
    case Offer::Http2:
        SSL_set_alpn_protos(ssl, http2, sizeof http2 - 1);
        break;
    case Offer::Both:
        SSL_set_alpn_protos(ssl, both, sizeof both - 1);
        break;
    }
    SSL_set_app_data(ssl, this); // for upstreamNewSession
    if (SSL_SESSION *cached = m_worker->pool().session(m_key)) {
        // Offer a private copy: OpenSSL marks the session object of a connection that is freed without a TLS
        // shutdown as not resumable, and that must not spoil the pool's copy for every later connection.
        if (SSL_SESSION *copy = SSL_SESSION_dup(cached)) {
            SSL_set_session(ssl, copy);
            SSL_SESSION_free(copy);
        }
    }
    m_phase = Phase::Handshaking;
    handshakeStep();
}

void UpstreamSocket::handshakeStep()
{
    int r = m_stream->handshake();
    if (r == 0)
        return;
    m_phase = Phase::Done;
    if (r > 0) {
        if (SSL_session_reused(m_stream->ssl()))
            socketTlsResumed();
        socketReady();
        return;
    }
    long v = SSL_get_verify_result(m_stream->ssl());
    if (v != X509_V_OK)
        socketFailed(502,
                     "TLS certificate of " + m_target.sni + " is not trusted: " + X509_verify_cert_error_string(v));
    else
        socketFailed(502, "TLS handshake with " + m_target.sni + " failed: " + m_stream->error());
}

void UpstreamSocket::adoptSocket(UpstreamSocket &from)
{
    m_stream = std::move(from.m_stream);
    from.m_stream = std::make_unique<Stream>();
    from.m_phase = Phase::Done;
    m_phase = Phase::Done;
    m_sessionKept = from.m_sessionKept;
    if (m_stream->fd() >= 0) {
        m_loop->poller().remove(m_stream->fd());
        m_loop->poller().addEdge(m_stream->fd(), this);
    }
    if (SSL *ssl = m_stream->ssl())
        SSL_set_app_data(ssl, this);
}

void UpstreamSocket::closeSocket()
{
    m_phase = Phase::Done;
    if (m_stream->fd() >= 0)
        m_loop->poller().remove(m_stream->fd());
    if (SSL *ssl = m_stream->ssl())
        SSL_set_app_data(ssl, nullptr);
    m_stream->close();
}

void UpstreamSocket::keepSession(SSL_SESSION *session)
{
    // A copy, never the object the live connection holds (see connected()).
    if (SSL_SESSION *copy = SSL_SESSION_dup(session)) {
        m_worker->pool().storeSession(m_key, copy);
        m_sessionKept = true;
    }
}

void UpstreamSocket::keepSessionOf(SSL *ssl)
{
    // Contexts without upstreamNewSession (a caller's own SSL_CTX) still get resumption from here.
    SSL_SESSION *s = SSL_get1_session(ssl);
    if (s && SSL_SESSION_is_resumable(s) && !m_sessionKept)
        keepSession(s);
    if (s)
        SSL_SESSION_free(s);
}

int upstreamNewSession(SSL *ssl, SSL_SESSION *session)
{
    // TLS 1.3 tickets arrive after the handshake, with the first bytes read; keep each as it comes, so even a
    // connection that fails later has left a resumable session behind.
    if (auto *u = static_cast<UpstreamSocket *>(SSL_get_app_data(ssl)); u && SSL_SESSION_is_resumable(session))
        u->keepSession(session);
    return 0; // we took no reference to `session`
}

} // namespace heyo::net
