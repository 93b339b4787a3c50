// One event loop per engine thread: epoll readiness, an eventfd for cross-thread post(), a coarse deadline sweep
// over its handlers (no timer per connection), flushes every few readiness events and deferred deletion.
#pragma once

#include "net/IoHandler.h"
#include "net/Poller.h"

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace heyo::net {

class EventLoop {
public:
    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop &) = delete;
    EventLoop &operator=(const EventLoop &) = delete;

    void run();                          // until quit()
    void quit();                         // thread-safe
    void post(std::function<void()> fn); // thread-safe
    // True only on the thread inside run(): a loop whose thread has not started yet belongs to nobody (not to the
    // thread that built it, or closeListener() from that thread would not wait).
    bool inLoopThread() const { return std::this_thread::get_id() == m_thread.load(std::memory_order_acquire); }

    Poller &poller() { return m_poller; }
    Clock::time_point now() const { return m_now; }

    void track(IoHandler *h);      // takes ownership; deleted via destroy()
    void destroy(IoHandler *h);    // marks dead, deletes at the end of the turn
    void queueFlush(IoHandler *h); // h->flush() after a few more events, at the latest at the end of this turn
    void runAfter(std::chrono::milliseconds delay, std::function<void()> fn); // rare timers only
    size_t handlerCount() const { return m_handlers.size(); }
    template <typename F> void forEachHandler(F f)
    {
        for (size_t i = 0, n = m_handlers.size(); i < n; ++i)
            if (!m_handlers[i]->m_dead)
                f(m_handlers[i]);
    }

private:
    void drainPosted();
    void sweep();
    void runFlushes();
    void reap();

    Poller m_poller;
    int m_wakeFd = -1;
    std::atomic<std::thread::id> m_thread{};
    std::atomic<bool> m_quit{false};
    std::mutex m_mutex;
    std::vector<std::function<void()>> m_posted;
    std::vector<std::function<void()>> m_running;
    std::vector<IoHandler *> m_handlers;
    std::vector<IoHandler *> m_flushes;
    std::vector<IoHandler *> m_flushing; // the batch runFlushes() is working through (kept for its capacity)
    std::vector<IoHandler *> m_graveyard;
    std::multimap<Clock::time_point, std::function<void()>> m_timers;
    Clock::time_point m_now = Clock::now();
    Clock::time_point m_nextSweep = m_now;
};

} // namespace heyo::net
