// Name resolution that never blocks a loop: loopback names and literals answer at once, other names go through
// getaddrinfo on one background thread and are cached for a short while.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unordered_map>
#include <vector>

namespace heyo::net {

class EventLoop;

class Resolver {
public:
    using Addresses = std::vector<sockaddr_storage>;
    using Callback = std::function<void(Addresses, std::string error)>;

    Resolver();
    ~Resolver();
    void stop();

    // Fills `out` and returns true when the answer is known without a lookup (literal, *.localhost, cache).
    bool resolveNow(const std::string &host, uint16_t port, Addresses *out);
    // Looks the name up on the resolver thread, then runs `done` on `loop`.
    void resolveLater(const std::string &host, uint16_t port, EventLoop *loop, Callback done);

    static bool isLoopbackName(const std::string &host);

private:
    struct Job {
        std::string host;
        uint16_t port;
        EventLoop *loop;
        Callback done;
    };
    struct Cached {
        Addresses addresses;
        std::chrono::steady_clock::time_point expires;
    };
    void run();

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Job> m_jobs;
    bool m_stop = false;
    std::unordered_map<std::string, Cached> m_cache;
    std::thread m_thread;
};

} // namespace heyo::net
