// Limits failed sign-in attempts per client address and per account email (sliding window), so passwords and
// API keys cannot be guessed quickly. Attempts still being checked count against the limit too, so guesses sent in
// parallel cannot all start before the first failure is recorded. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace heyo::edge {

class LoginRateLimiter {
public:
    LoginRateLimiter(int maxFailures = 5, std::chrono::seconds window = std::chrono::seconds(60));
    // Seconds to wait before another attempt for this key (rounded up, so waiting that long always suffices);
    // 0 → allowed now.
    int64_t retryAfter(const std::string &key, std::chrono::steady_clock::time_point now);
    // retryAfter(), and when that is 0 the attempt is taken: call release() once its outcome is recorded
    // (recordFailure/recordSuccess). Failures and attempts in flight together are held to the limit.
    int64_t reserve(const std::string &key, std::chrono::steady_clock::time_point now);
    void release(const std::string &key);
    void recordFailure(const std::string &key, std::chrono::steady_clock::time_point now);
    void recordSuccess(const std::string &key);
    size_t trackedKeys(); // for tests and diagnostics

private:
    int m_maxFailures;
    std::chrono::seconds m_window;
    std::mutex m_mutex;
    std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> m_failures;
    std::map<std::string, int> m_inFlight;
    std::chrono::steady_clock::time_point m_lastSweep{};
    // Drops keys whose failures all left the window, so many distinct keys cannot grow the map without bound.
    void sweep(std::chrono::steady_clock::time_point now);
    int64_t waitLocked(const std::string &key, int inFlight, std::chrono::steady_clock::time_point now);
};

} // namespace heyo::edge
