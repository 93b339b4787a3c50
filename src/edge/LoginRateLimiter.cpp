// Sliding-window count of failed sign-ins per key (client address, account email).
#include "edge/LoginRateLimiter.h"

namespace heyo::edge {

LoginRateLimiter::LoginRateLimiter(int maxFailures, std::chrono::seconds window)
    : m_maxFailures(maxFailures < 1 ? 1 : maxFailures), m_window(window)
{
}

int64_t LoginRateLimiter::retryAfter(const std::string &key, std::chrono::steady_clock::time_point now)
{
    std::lock_guard lock(m_mutex);
    auto busy = m_inFlight.find(key);
    return waitLocked(key, busy == m_inFlight.end() ? 0 : busy->second, now);
}

int64_t LoginRateLimiter::reserve(const std::string &key, std::chrono::steady_clock::time_point now)
{
    std::lock_guard lock(m_mutex);
    int &busy = m_inFlight[key];
    const int64_t wait = waitLocked(key, busy, now);
    if (wait == 0)
        ++busy;
    else if (busy == 0)
        m_inFlight.erase(key);
    return wait;
}

void LoginRateLimiter::release(const std::string &key)
{
    std::lock_guard lock(m_mutex);
    auto it = m_inFlight.find(key);
    if (it != m_inFlight.end() && --it->second <= 0)
        m_inFlight.erase(it);
}

int64_t LoginRateLimiter::waitLocked(const std::string &key, int inFlight, std::chrono::steady_clock::time_point now)
{
    auto it = m_failures.find(key);
    int failures = 0;
    if (it != m_failures.end()) {
        auto &times = it->second;
        while (!times.empty() && now - times.front() >= m_window)
            times.pop_front();
        failures = static_cast<int>(times.size());
        if (times.empty())
            m_failures.erase(it);
    }
    if (failures + inFlight < m_maxFailures)
        return 0;
    if (failures < m_maxFailures)
        return 1; // held only by attempts still being checked: their outcome is a second away at most
    auto wait = std::chrono::ceil<std::chrono::seconds>(it->second.front() + m_window - now).count();
    return wait > 0 ? wait : 1;
}

void LoginRateLimiter::recordFailure(const std::string &key, std::chrono::steady_clock::time_point now)
{
    std::lock_guard lock(m_mutex);
    if (now - m_lastSweep >= m_window)
        sweep(now);
    auto &times = m_failures[key];
    times.push_back(now);
    while (static_cast<int>(times.size()) > m_maxFailures)
        times.pop_front();
}

void LoginRateLimiter::sweep(std::chrono::steady_clock::time_point now)
{
    m_lastSweep = now;
    for (auto it = m_failures.begin(); it != m_failures.end();) {
        if (it->second.empty() || now - it->second.back() >= m_window)
            it = m_failures.erase(it);
        else
            ++it;
    }
}

size_t LoginRateLimiter::trackedKeys()
{
    std::lock_guard lock(m_mutex);
    return m_failures.size();
}

void LoginRateLimiter::recordSuccess(const std::string &key)
{
    std::lock_guard lock(m_mutex);
    m_failures.erase(key);
}

} // namespace heyo::edge
