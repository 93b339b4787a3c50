// epoll behind the Poller interface.
#include "net/Poller.h"

#include <cerrno>
#include <sys/epoll.h>
#include <unistd.h>

namespace heyo::net {

Poller::Poller() : m_fd(epoll_create1(EPOLL_CLOEXEC)), m_events(new epoll_event[MaxEvents]) {}

Poller::~Poller()
{
    if (m_fd >= 0)
        ::close(m_fd);
    delete[] m_events;
}

bool Poller::addEdge(int fd, void *tag)
{
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = tag;
    return epoll_ctl(m_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool Poller::addLevel(int fd, void *tag, bool exclusive)
{
    epoll_event ev{};
    ev.events = EPOLLIN | (exclusive ? static_cast<uint32_t>(EPOLLEXCLUSIVE) : 0u);
    ev.data.ptr = tag;
    return epoll_ctl(m_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void Poller::remove(int fd)
{
    epoll_event ev{};
    epoll_ctl(m_fd, EPOLL_CTL_DEL, fd, &ev);
}

int Poller::wait(int timeoutMs)
{
    int n = epoll_wait(m_fd, m_events, MaxEvents, timeoutMs);
    return n < 0 ? 0 : n;
}

void *Poller::tagAt(int i) const
{
    return m_events[i].data.ptr;
}

uint32_t Poller::eventsAt(int i) const
{
    uint32_t e = m_events[i].events;
    uint32_t out = 0;
    if (e & EPOLLIN)
        out |= Read;
    if (e & EPOLLOUT)
        out |= Write;
    if (e & (EPOLLHUP | EPOLLRDHUP))
        out |= Hangup | Read; // a read will report the EOF
    if (e & EPOLLERR)
        out |= Error | Read | Write;
    return out;
}

} // namespace heyo::net
