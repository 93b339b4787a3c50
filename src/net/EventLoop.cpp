// The per-thread event loop.
#include "net/EventLoop.h"

#include <sys/eventfd.h>
#include <unistd.h>

namespace heyo::net {

namespace {
constexpr auto SweepInterval = std::chrono::milliseconds(50);
constexpr int FlushEvery = 8; // readiness events handled between flushes
int wakeTag;                  // address used as the eventfd's tag
} // namespace

EventLoop::EventLoop()
{
    m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    m_poller.addLevel(m_wakeFd, &wakeTag, false);
}

EventLoop::~EventLoop()
{
    reap();
    for (IoHandler *h : m_handlers)
        delete h;
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
}

void EventLoop::quit()
{
    m_quit = true;
    uint64_t one = 1;
    [[maybe_unused]] auto r = ::write(m_wakeFd, &one, sizeof one);
}

void EventLoop::post(std::function<void()> fn)
{
    bool wake;
    {
        std::lock_guard lock(m_mutex);
        wake = m_posted.empty();
        m_posted.push_back(std::move(fn));
    }
    if (wake) {
        uint64_t one = 1;
        [[maybe_unused]] auto r = ::write(m_wakeFd, &one, sizeof one);
    }
}

void EventLoop::track(IoHandler *h)
{
    h->m_slot = m_handlers.size();
    m_handlers.push_back(h);
}

void EventLoop::destroy(IoHandler *h)
{
    if (h->m_dead)
        return;
    h->m_dead = true;
    m_graveyard.push_back(h);
}

void EventLoop::queueFlush(IoHandler *h)
{
    if (h->m_flushQueued || h->m_dead)
        return;
    h->m_flushQueued = true;
    m_flushes.push_back(h);
}

void EventLoop::runAfter(std::chrono::milliseconds delay, std::function<void()> fn)
{
    m_timers.emplace(Clock::now() + delay, std::move(fn));
}

void EventLoop::drainPosted()
{
    {
        std::lock_guard lock(m_mutex);
        m_running.swap(m_posted);
    }
    for (auto &fn : m_running)
        fn();
    m_running.clear();
}

void EventLoop::sweep()
{
    for (size_t i = 0, n = m_handlers.size(); i < n; ++i) {
        IoHandler *h = m_handlers[i];
        if (!h->m_dead && h->m_deadline <= m_now) {
            h->clearDeadline();
            h->onDeadline();
        }
    }
    while (!m_timers.empty() && m_timers.begin()->first <= m_now) {
        auto fn = std::move(m_timers.begin()->second);
        m_timers.erase(m_timers.begin());
        fn();
    }
}

void EventLoop::runFlushes()
{
    while (!m_flushes.empty()) {
        m_flushing.swap(m_flushes);
        for (IoHandler *h : m_flushing) {
            h->m_flushQueued = false;
            if (!h->m_dead)
                h->flush();
        }
        m_flushing.clear();
    }
}

void EventLoop::reap()
{
    // Flushes may kill handlers and deaths may queue flushes: run until both lists are empty.
    while (!m_flushes.empty() || !m_graveyard.empty()) {
        runFlushes();
        std::vector<IoHandler *> dead;
        dead.swap(m_graveyard);
        for (IoHandler *h : dead) {
            size_t slot = h->m_slot;
            if (slot < m_handlers.size() && m_handlers[slot] == h) {
                m_handlers[slot] = m_handlers.back();
                m_handlers[slot]->m_slot = slot;
                m_handlers.pop_back();
            }
            delete h;
        }
    }
}

void EventLoop::run()
{
    m_thread.store(std::this_thread::get_id(), std::memory_order_release);
    while (!m_quit) {
        int timeout = static_cast<int>(SweepInterval.count());
        if (!m_timers.empty()) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(m_timers.begin()->first - Clock::now());
            timeout = std::max(0, std::min<int>(timeout, static_cast<int>(left.count()) + 1));
        }
        int n = m_poller.wait(timeout);
        m_now = Clock::now();
        for (int i = 0; i < n; ++i) {
            void *tag = m_poller.tagAt(i);
            if (tag == &wakeTag) {
                uint64_t v;
                [[maybe_unused]] auto r = ::read(m_wakeFd, &v, sizeof v);
                continue;
            }
            auto *h = static_cast<IoHandler *>(tag);
            if (h->m_dead)
                continue;
            h->onIo(m_poller.eventsAt(i));
            // Send what a few events produced rather than waiting for the whole batch (a batch of a hundred
            // requests held the first one's upstream write for over a millisecond: latency, mostly in the tail),
            // but not after every single event either: each write to an idle peer wakes it, and a wake-up per
            // request cost 8 % more CPU per request at 64 connections.
            if (i % FlushEvery == FlushEvery - 1)
                runFlushes();
        }
        drainPosted();
        if (m_now >= m_nextSweep || !m_timers.empty()) {
            m_nextSweep = m_now + SweepInterval;
            sweep();
        }
        reap();
    }
    drainPosted();
    reap();
}

} // namespace heyo::net
