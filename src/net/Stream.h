// A non-blocking socket, optionally wrapped in TLS driven directly on the descriptor (SSL_set_fd): read, write,
// handshake, each reporting "would block" instead of waiting.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <sys/types.h>

namespace heyo::net {

class Stream {
public:
    enum : ssize_t { Again = -1, Failed = -2 };

    Stream() = default;
    ~Stream() { close(); }
    Stream(const Stream &) = delete;
    Stream &operator=(const Stream &) = delete;

    void attach(int fd) { m_fd = fd; }
    // Takes over another stream's socket and TLS state (a connection changing protocol); `from` is left empty.
    void adopt(Stream &from);
    int fd() const { return m_fd; }
    SSL *ssl() const { return m_ssl; }
    bool isTls() const { return m_ssl != nullptr; }

    // Wraps the socket in TLS; `server` selects SSL_accept vs SSL_connect.
    bool startTls(SSL_CTX *ctx, bool server);
    // 1 done, 0 in progress (wait for readiness), -1 failed (see error()).
    int handshake();
    bool handshakeDone() const { return m_handshakeDone; }

    // > 0 bytes read, 0 end of stream, Again, Failed.
    ssize_t read(char *buf, size_t len);
    // >= 0 bytes written (possibly fewer than len), Again, Failed.
    ssize_t write(const char *buf, size_t len);
    void shutdownWrite();
    void close();

    const std::string &error() const { return m_error; }
    int sysErrno() const { return m_errno; }

private:
    void setSslError(const char *what, int ret);

    int m_fd = -1;
    SSL *m_ssl = nullptr;
    bool m_handshakeDone = false;
    size_t m_pendingWrite = 0; // length of an SSL_write that must be retried with the same arguments
    int m_errno = 0;
    std::string m_error;
};

} // namespace heyo::net
