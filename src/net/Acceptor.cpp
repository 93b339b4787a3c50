// accept4 loop, peer checks, hand-off to a new ClientConnection, and what happens when descriptors run out.
#include "net/Acceptor.h"

#include "net/ClientConnection.h"
#include "net/FdLimit.h"
#include "net/PeerCredentials.h"
#include "net/SpareDescriptor.h"
#include "net/Worker.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace heyo::net {

namespace {
// Long enough not to spin on a listener that stays readable, short enough that a freed descriptor is used soon.
constexpr auto PauseWhenOut = std::chrono::milliseconds(100);
constexpr std::string_view BusyLine = "out of file descriptors: too many open connections; try again shortly\n";
} // namespace

Acceptor::Acceptor(Worker *worker, std::shared_ptr<ListenerState> state)
    : IoHandler(&worker->loop()), m_worker(worker), m_state(std::move(state))
{
}

bool Acceptor::start()
{
    SpareDescriptor::reserve();
    m_watching = m_loop->poller().addLevel(m_state->fd, this, true);
    return m_watching;
}

void Acceptor::stop()
{
    if (m_watching)
        m_loop->poller().remove(m_state->fd);
    m_watching = false;
    m_stopped = true;
    m_loop->destroy(this);
}

void Acceptor::onIo(uint32_t)
{
    for (int i = 0; i < 64 && m_watching; ++i) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        int fd = accept4(m_state->fd, reinterpret_cast<sockaddr *>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (outOfDescriptors(errno))
                shedLoad(errno);
            return; // EAGAIN: another loop took it, or nothing left
        }
        setUp(fd);
    }
}

void Acceptor::setUp(int fd)
{
    PeerInfo peer;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len);
    char buf[INET6_ADDRSTRLEN] = {0};
    if (ss.ss_family == AF_INET) {
        auto &a = reinterpret_cast<sockaddr_in &>(ss);
        inet_ntop(AF_INET, &a.sin_addr, buf, sizeof buf);
        peer.port = ntohs(a.sin_port);
        peer.loopback = (ntohl(a.sin_addr.s_addr) >> 24) == 127;
    } else if (ss.ss_family == AF_INET6) {
        auto &a = reinterpret_cast<sockaddr_in6 &>(ss);
        inet_ntop(AF_INET6, &a.sin6_addr, buf, sizeof buf);
        peer.port = ntohs(a.sin6_port);
        peer.loopback = IN6_IS_ADDR_LOOPBACK(&a.sin6_addr) ||
                        (IN6_IS_ADDR_V4MAPPED(&a.sin6_addr) && a.sin6_addr.s6_addr[12] == 127);
    }
    peer.address = buf;
    if (m_state->config.lookupPeerUid && peer.loopback) {
        errno = 0;
        peer.uid = lookupPeerUid(fd);
        // The lookup needs a socket of its own. Without one the owner is unknown, and the filter would drop the
        // connection unanswered; a 503 says what happened and spends nothing (the upstream is never contacted).
        if (peer.uid < 0 && outOfDescriptors(errno)) {
            m_state->setError(std::string("peer lookup: ") + std::strerror(errno));
            refuseBusy(fd);
            return;
        }
    }
    if (m_state->config.acceptFilter && !m_state->config.acceptFilter(peer)) {
        ::close(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto *c = new ClientConnection(m_worker, m_state, fd, std::move(peer));
    c->start();
}

// accept() fails while connections wait: the listening socket stays readable, so the loop would spin on it, and
// the clients would wait until their own timeouts. A plain HTTP client gets a 503 through the spare descriptor; a
// TLS client cannot be answered without a handshake, so its connection waits in the backlog until descriptors free.
// Either way this loop stops watching the socket for a moment.
void Acceptor::shedLoad(int err)
{
    m_state->setError(std::string("accept: ") + std::strerror(err) + " (descriptor limit " + std::to_string(fdLimit()) +
                      "): new connections get 503");
    if (!m_state->config.tls)
        for (int i = 0; i < 64 && SpareDescriptor::acceptWith(m_state->fd, [this](int fd) { refuseBusy(fd); }); ++i) {
        }
    pause();
}

void Acceptor::refuseBusy(int fd)
{
    if (!m_state->config.tls) {
        std::string answer = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                             "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
                             std::to_string(BusyLine.size()) + "\r\n\r\n";
        answer += BusyLine;
        [[maybe_unused]] auto n = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
        // Read what the request has sent so far: closing with unread bytes would reset the connection, and a
        // reset can destroy the answer before the client reads it.
        ::shutdown(fd, SHUT_WR);
        char buf[4096];
        for (int i = 0; i < 16 && ::recv(fd, buf, sizeof buf, 0) > 0; ++i) {
        }
    }
    ::close(fd);
}

void Acceptor::pause()
{
    if (!m_watching)
        return;
    m_loop->poller().remove(m_state->fd);
    m_watching = false;
    std::weak_ptr<int> alive = m_alive;
    m_loop->runAfter(PauseWhenOut, [this, alive] {
        if (!alive.expired())
            resume();
    });
}

void Acceptor::resume()
{
    if (m_stopped || dead() || m_watching || m_state->closing)
        return;
    SpareDescriptor::reserve();
    m_watching = m_loop->poller().addLevel(m_state->fd, this, true);
}

} // namespace heyo::net
