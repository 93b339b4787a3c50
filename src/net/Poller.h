// A thin wrapper over epoll: the only place that knows which readiness API the engine runs on.
#pragma once

#include <cstdint>

struct epoll_event;

namespace heyo::net {

class Poller {
public:
    enum : uint32_t { Read = 1, Write = 2, Hangup = 4, Error = 8 };

    Poller();
    ~Poller();
    Poller(const Poller &) = delete;
    Poller &operator=(const Poller &) = delete;

    bool ok() const { return m_fd >= 0; }
    // Edge-triggered read+write interest (sockets of connections).
    bool addEdge(int fd, void *tag);
    // Level-triggered read interest; `exclusive` for a listening socket shared by several loops.
    bool addLevel(int fd, void *tag, bool exclusive);
    void remove(int fd);
    // Waits up to timeoutMs; returns the number of events; read them with tagAt()/eventsAt().
    int wait(int timeoutMs);
    void *tagAt(int i) const;
    uint32_t eventsAt(int i) const;

private:
    static constexpr int MaxEvents = 256;
    int m_fd = -1;
    epoll_event *m_events = nullptr;
};

} // namespace heyo::net
