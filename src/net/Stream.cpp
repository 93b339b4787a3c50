// Non-blocking plain/TLS socket I/O.
#include "net/Stream.h"

#include <openssl/err.h>

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>

namespace heyo::net {

namespace {
// OpenSSL wants an empty error queue before an SSL call so SSL_get_error() reads only that call's outcome.
// ERR_clear_error() itself walks all 16 slots freeing each one's strings (32 free() calls even when empty): on a
// small request that was 2 % of the forwarder's CPU, so the queue is cleared only when something is in it.
inline void clearErrorQueue()
{
    if (ERR_peek_error() != 0)
        ERR_clear_error();
}
} // namespace

bool Stream::startTls(SSL_CTX *ctx, bool server)
{
    m_ssl = SSL_new(ctx);
    if (!m_ssl) {
        m_error = "SSL_new failed";
        return false;
    }
    SSL_set_fd(m_ssl, m_fd);
    SSL_set_mode(m_ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    if (server)
        SSL_set_accept_state(m_ssl);
    else
        SSL_set_connect_state(m_ssl);
    return true;
}

void Stream::setSslError(const char *what, int ret)
{
    int e = SSL_get_error(m_ssl, ret);
    unsigned long code = ERR_peek_last_error();
    if (e == SSL_ERROR_SYSCALL) {
        m_errno = errno;
        m_error = std::string(what) + ": " + (errno ? std::strerror(errno) : "connection closed");
    } else if (code) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        m_error = std::string(what) + ": " + buf;
    } else {
        m_error = std::string(what) + " failed";
    }
    ERR_clear_error();
}

int Stream::handshake()
{
    if (m_handshakeDone)
        return 1;
    clearErrorQueue();
    int r = SSL_do_handshake(m_ssl);
    if (r == 1) {
        m_handshakeDone = true;
        return 1;
    }
    int e = SSL_get_error(m_ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return 0;
    setSslError("TLS handshake", r);
    return -1;
}

ssize_t Stream::read(char *buf, size_t len)
{
    if (!m_ssl) {
        for (;;) {
            ssize_t n = ::recv(m_fd, buf, len, 0);
            if (n >= 0)
                return n;
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return Again;
            m_errno = errno;
            m_error = std::strerror(errno);
            return Failed;
        }
    }
    clearErrorQueue();
    int n = SSL_read(m_ssl, buf, static_cast<int>(std::min<size_t>(len, 1 << 30)));
    if (n > 0)
        return n;
    int e = SSL_get_error(m_ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return Again;
    if (e == SSL_ERROR_ZERO_RETURN)
        return 0;
    if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        // EOF without close_notify: treat as end of stream (servers often skip it); errno tells a reset apart.
        if (errno == 0)
            return 0;
    }
    setSslError("TLS read", n);
    return Failed;
}

ssize_t Stream::write(const char *buf, size_t len)
{
    if (len == 0)
        return 0;
    if (!m_ssl) {
        for (;;) {
            ssize_t n = ::send(m_fd, buf, len, MSG_NOSIGNAL);
            if (n >= 0)
                return n;
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return Again;
            m_errno = errno;
            m_error = std::strerror(errno);
            return Failed;
        }
    }
    size_t chunk = m_pendingWrite ? m_pendingWrite : std::min<size_t>(len, 1 << 20);
    clearErrorQueue();
    int n = SSL_write(m_ssl, buf, static_cast<int>(chunk));
    if (n > 0) {
        m_pendingWrite = 0;
        return n;
    }
    int e = SSL_get_error(m_ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        m_pendingWrite = chunk;
        return Again;
    }
    setSslError("TLS write", n);
    return Failed;
}

void Stream::shutdownWrite()
{
    if (m_fd < 0)
        return;
    if (m_ssl && m_handshakeDone) {
        clearErrorQueue();
        SSL_shutdown(m_ssl);
    }
    ::shutdown(m_fd, SHUT_WR);
}

void Stream::adopt(Stream &from)
{
    close();
    m_fd = std::exchange(from.m_fd, -1);
    m_ssl = std::exchange(from.m_ssl, nullptr);
    m_handshakeDone = from.m_handshakeDone;
    m_pendingWrite = std::exchange(from.m_pendingWrite, 0);
}

void Stream::close()
{
    if (m_ssl) {
        SSL_free(m_ssl);
        m_ssl = nullptr;
    }
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

} // namespace heyo::net
