// Test helpers for the engine: a blocking raw HTTP client (plain or TLS), a raw socket server for scripted origins,
// run-time test certificates, and memory readings. Real sockets only.
#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <atomic>
#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace heyo::test {

inline std::string lower(std::string s)
{
    for (char &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

struct RawResponse {
    bool ok = false;
    int status = 0;
    std::string head;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string header(const std::string &name) const
    {
        for (auto &[k, v] : headers)
            if (lower(k) == lower(name))
                return v;
        return {};
    }
    bool has(const std::string &name) const
    {
        for (auto &[k, v] : headers)
            if (lower(k) == lower(name))
                return true;
        return false;
    }
};

// Blocking client with a receive timeout; TLS when a context is given.
class RawClient {
public:
    explicit RawClient(uint16_t port, SSL_CTX *tls = nullptr, const std::string &sni = "localhost",
                       const char *addr = "127.0.0.1")
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        inet_pton(AF_INET, addr, &sa.sin_addr);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) != 0) {
            ::close(m_fd);
            m_fd = -1;
            return;
        }
        setTimeout(5000);
        if (tls) {
            m_ssl = SSL_new(tls);
            SSL_set_fd(m_ssl, m_fd);
            SSL_set_tlsext_host_name(m_ssl, sni.c_str());
            SSL_set1_host(m_ssl, sni.c_str());
            if (SSL_connect(m_ssl) != 1) {
                m_tlsError = X509_verify_cert_error_string(SSL_get_verify_result(m_ssl));
                SSL_free(m_ssl);
                m_ssl = nullptr;
                ::close(m_fd);
                m_fd = -1;
            }
        }
    }
    ~RawClient()
    {
        if (m_ssl)
            SSL_free(m_ssl);
        if (m_fd >= 0)
            ::close(m_fd);
    }
    RawClient(const RawClient &) = delete;
    RawClient &operator=(const RawClient &) = delete;

    bool ok() const { return m_fd >= 0; }
    int fd() const { return m_fd; }
    const std::string &tlsError() const { return m_tlsError; }
    void setTimeout(int ms)
    {
        timeval tv{ms / 1000, (ms % 1000) * 1000};
        setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }

    bool send(std::string_view data)
    {
        while (!data.empty()) {
            ssize_t n = m_ssl ? SSL_write(m_ssl, data.data(), static_cast<int>(data.size()))
                              : ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            data.remove_prefix(static_cast<size_t>(n));
        }
        return true;
    }
    void shutdownWrite() { ::shutdown(m_fd, SHUT_WR); }

    // Reads more bytes into the buffer; false on EOF, error or timeout.
    bool fill()
    {
        char buf[65536];
        ssize_t n = m_ssl ? SSL_read(m_ssl, buf, sizeof buf) : ::recv(m_fd, buf, sizeof buf, 0);
        if (n <= 0) {
            m_eof = true;
            return false;
        }
        m_buf.append(buf, static_cast<size_t>(n));
        m_total += static_cast<uint64_t>(n);
        return true;
    }
    std::string &buffer() { return m_buf; }
    bool eof() const { return m_eof; }

    std::string readUntilClose()
    {
        while (fill()) {
        }
        std::string out;
        out.swap(m_buf);
        return out;
    }
    // True if the server closed the connection (EOF) without sending anything more.
    bool closedByPeer()
    {
        if (!m_buf.empty())
            return false;
        return !fill() && m_buf.empty();
    }

    RawResponse readResponse(bool headRequest = false)
    {
        RawResponse r;
        size_t end;
        while ((end = m_buf.find("\r\n\r\n")) == std::string::npos)
            if (!fill())
                return r;
        r.head = m_buf.substr(0, end + 2);
        m_buf.erase(0, end + 4);
        if (r.head.size() < 12)
            return r;
        r.status = std::atoi(r.head.c_str() + 9);
        size_t pos = r.head.find("\r\n") + 2;
        while (pos < r.head.size()) {
            size_t e = r.head.find("\r\n", pos);
            std::string line = r.head.substr(pos, e - pos);
            size_t colon = line.find(':');
            std::string v = line.substr(colon + 1);
            while (!v.empty() && v.front() == ' ')
                v.erase(0, 1);
            r.headers.emplace_back(line.substr(0, colon), v);
            pos = e + 2;
        }
        if (headRequest || r.status < 200 || r.status == 204 || r.status == 304) {
            r.ok = true;
            return r;
        }
        if (r.has("content-length")) {
            size_t n = std::stoull(r.header("content-length"));
            while (m_buf.size() < n)
                if (!fill())
                    return r;
            r.body = m_buf.substr(0, n);
            m_buf.erase(0, n);
        } else if (lower(r.header("transfer-encoding")) == "chunked") {
            for (;;) {
                size_t le;
                while ((le = m_buf.find("\r\n")) == std::string::npos)
                    if (!fill())
                        return r;
                size_t n = std::stoull(m_buf.substr(0, le), nullptr, 16);
                while (m_buf.size() < le + 2 + n + 2)
                    if (!fill())
                        return r;
                r.body += m_buf.substr(le + 2, n);
                m_buf.erase(0, le + 2 + n + 2);
                if (n == 0)
                    break;
            }
        } else {
            while (fill()) {
            }
            r.body.swap(m_buf);
        }
        r.ok = true;
        return r;
    }

private:
    int m_fd = -1;
    SSL *m_ssl = nullptr;
    std::string m_buf;
    std::string m_tlsError;
    bool m_eof = false;
    uint64_t m_total = 0;
};

// Reads one request head (up to the blank line) from a raw socket; returns it or "" on EOF.
inline std::string readHead(int fd, std::string *rest = nullptr)
{
    std::string buf;
    char c[4096];
    for (;;) {
        size_t e = buf.find("\r\n\r\n");
        if (e != std::string::npos) {
            if (rest)
                *rest = buf.substr(e + 4);
            return buf.substr(0, e + 4);
        }
        ssize_t n = ::recv(fd, c, sizeof c, 0);
        if (n <= 0)
            return {};
        buf.append(c, static_cast<size_t>(n));
    }
}

inline bool sendAll(int fd, std::string_view d)
{
    while (!d.empty()) {
        ssize_t n = ::send(fd, d.data(), d.size(), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        d.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

// A scripted origin: each accepted connection runs `script(fd)` on its own thread.
class RawServer {
public:
    explicit RawServer(std::function<void(int fd)> script, int backlog = 64) : m_script(std::move(script))
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
        ::bind(m_fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa);
        ::listen(m_fd, backlog);
        socklen_t l = sizeof sa;
        getsockname(m_fd, reinterpret_cast<sockaddr *>(&sa), &l);
        m_port = ntohs(sa.sin_port);
        if (m_script)
            m_thread = std::thread([this] { acceptLoop(); });
    }
    ~RawServer()
    {
        m_stop = true;
        ::shutdown(m_fd, SHUT_RDWR);
        ::close(m_fd);
        if (m_thread.joinable())
            m_thread.join();
        std::lock_guard lock(m_mutex);
        for (int fd : m_conns)
            ::shutdown(fd, SHUT_RDWR);
        for (auto &t : m_workers)
            t.join();
        for (int fd : m_conns)
            ::close(fd);
    }
    uint16_t port() const { return m_port; }
    int accepted() const { return m_accepted; }

private:
    void acceptLoop()
    {
        while (!m_stop) {
            pollfd p{m_fd, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0)
                continue;
            int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0)
                continue;
            timeval tv{10, 0};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            ++m_accepted;
            std::lock_guard lock(m_mutex);
            m_conns.push_back(fd);
            m_workers.emplace_back([this, fd] { m_script(fd); });
        }
    }
    std::function<void(int)> m_script;
    int m_fd = -1;
    uint16_t m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_accepted{0};
    std::thread m_thread;
    std::mutex m_mutex;
    std::vector<int> m_conns;
    std::vector<std::thread> m_workers;
};

// A CA and a server certificate for localhost, *.heyo.localhost and 127.0.0.1, made with the openssl CLI.
struct TestCerts {
    QString ca, cert, key, otherCa;
    bool make(const QTemporaryDir &dir)
    {
        const QString d = dir.path();
        auto run = [&](const QStringList &args) {
            QProcess p;
            p.setWorkingDirectory(d);
            p.start("openssl", args);
            return p.waitForFinished(30000) && p.exitCode() == 0;
        };
        {
            std::ofstream ext((d + "/ext.cnf").toStdString());
            ext << "subjectAltName=DNS:localhost,DNS:*.heyo.localhost,IP:127.0.0.1\n"
                   "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
        }
        const QStringList ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
        bool ok =
            run(QStringList{"req", "-x509"} + ec +
                QStringList{"-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Heyo Test CA", "-addext",
                            "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"}) &&
            run(QStringList{"req", "-x509"} + ec +
                QStringList{"-keyout", "other.key", "-out", "other.pem", "-days", "2", "-subj", "/CN=Other CA"}) &&
            run(QStringList{"req"} + ec +
                QStringList{"-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"}) &&
            run({"x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                 "server.pem", "-days", "2", "-extfile", "ext.cnf"});
        ca = d + "/ca.pem";
        otherCa = d + "/other.pem";
        cert = d + "/server.pem";
        key = d + "/server.key";
        return ok;
    }
};

// Resident set size and its high-water mark of this process, in KiB.
inline long procStatusKb(const char *field)
{
    std::ifstream f("/proc/self/status");
    std::string line;
    const std::string want = std::string(field) + ":";
    while (std::getline(f, line))
        if (line.rfind(want, 0) == 0)
            return std::atol(line.c_str() + want.size());
    return -1;
}

} // namespace heyo::test
