// Base of everything a loop watches: readiness callbacks, a coarse deadline and deferred destruction.
#pragma once

#include <chrono>
#include <cstdint>

namespace heyo::net {

using Clock = std::chrono::steady_clock;

class EventLoop;

class IoHandler {
public:
    explicit IoHandler(EventLoop *loop) : m_loop(loop) {}
    virtual ~IoHandler() = default;
    IoHandler(const IoHandler &) = delete;
    IoHandler &operator=(const IoHandler &) = delete;

    virtual void onIo(uint32_t events) = 0;
    virtual void onDeadline() {} // the deadline passed (checked by the loop's sweep)
    virtual void flush() {}      // write what was queued during this loop turn

    EventLoop *loop() const { return m_loop; }
    bool dead() const { return m_dead; }
    void setDeadline(Clock::time_point t) { m_deadline = t; }
    void clearDeadline() { m_deadline = Clock::time_point::max(); }
    Clock::time_point deadline() const { return m_deadline; }

protected:
    EventLoop *m_loop;

private:
    friend class EventLoop;
    Clock::time_point m_deadline = Clock::time_point::max();
    bool m_dead = false;
    bool m_flushQueued = false;
    size_t m_slot = 0; // index in the loop's sweep list
};

} // namespace heyo::net
