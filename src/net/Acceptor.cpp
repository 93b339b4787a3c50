// accept4 loop, peer checks, and hand-off to a new ClientConnection.
#include "net/Acceptor.h"

#include "net/ClientConnection.h"
#include "net/PeerCredentials.h"
#include "net/Worker.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace heyo::net {

Acceptor::Acceptor(Worker *worker, std::shared_ptr<ListenerState> state)
    : IoHandler(&worker->loop()), m_worker(worker), m_state(std::move(state))
{
}

bool Acceptor::start()
{
    m_watching = m_loop->poller().addLevel(m_state->fd, this, true);
    return m_watching;
}

void Acceptor::stop()
{
    if (m_watching)
        m_loop->poller().remove(m_state->fd);
    m_watching = false;
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
            if (errno == EMFILE || errno == ENFILE)
                m_state->setError(std::string("accept: ") + std::strerror(errno));
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
    if (m_state->config.lookupPeerUid && peer.loopback)
        peer.uid = lookupPeerUid(fd);
    if (m_state->config.acceptFilter && !m_state->config.acceptFilter(peer)) {
        ::close(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto *c = new ClientConnection(m_worker, m_state, fd, std::move(peer));
    c->start();
}

} // namespace heyo::net
