// What every loop shares about one listener: its settings, handler, socket, shutdown flag and counters.
#pragma once

#include "net/Http.h"
#include "net/IoHandler.h"

#include <atomic>
#include <mutex>

namespace heyo::net {

struct ListenerState {
    ListenerId id = 0;
    ListenerConfig config;
    Handler handler;
    int fd = -1;
    std::atomic<bool> closing{false};
    std::atomic<uint64_t> openConnections{0};
    std::atomic<uint64_t> requests{0};
    std::atomic<uint64_t> bytesIn{0};
    std::atomic<uint64_t> bytesOut{0};
    std::atomic<uint64_t> upstreamRequests{0};
    std::atomic<uint64_t> upstreamConnections{0};
    std::atomic<uint64_t> upstreamTlsResumed{0};
    // The latest error and when the request it came with began (or when it happened, outside a request). It is
    // current until a request that began later is answered: answeredAt is when the latest answered request began.
    mutable std::mutex errorMutex;
    std::string lastError;
    Clock::time_point errorAt{};
    std::atomic<Clock::rep> answeredAt{0};

    void setError(std::string e, Clock::time_point at = Clock::now())
    {
        std::lock_guard lock(errorMutex);
        lastError = std::move(e);
        errorAt = at;
    }
    // A request that began at `began` got its answer (from the upstream, or the handler's own below 400).
    void noteAnswered(Clock::time_point began)
    {
        const Clock::rep t = began.time_since_epoch().count();
        Clock::rep seen = answeredAt.load(std::memory_order_relaxed);
        while (t > seen && !answeredAt.compare_exchange_weak(seen, t, std::memory_order_relaxed)) {
        }
    }
    Counters snapshot() const
    {
        Counters c;
        c.openConnections = openConnections.load(std::memory_order_relaxed);
        c.requests = requests.load(std::memory_order_relaxed);
        c.bytesIn = bytesIn.load(std::memory_order_relaxed);
        c.bytesOut = bytesOut.load(std::memory_order_relaxed);
        c.upstreamRequests = upstreamRequests.load(std::memory_order_relaxed);
        c.upstreamConnections = upstreamConnections.load(std::memory_order_relaxed);
        c.upstreamTlsResumed = upstreamTlsResumed.load(std::memory_order_relaxed);
        c.lastAnsweredAt = Clock::time_point(Clock::duration(answeredAt.load(std::memory_order_relaxed)));
        std::lock_guard lock(errorMutex);
        if (!lastError.empty() && errorAt >= c.lastAnsweredAt) {
            c.lastError = lastError;
            c.lastErrorAt = errorAt;
        }
        return c;
    }
};

} // namespace heyo::net
