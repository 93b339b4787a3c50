// What every loop shares about one listener: its settings, handler, socket, shutdown flag and counters.
#pragma once

#include "net/Http.h"

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
    mutable std::mutex errorMutex;
    std::string lastError;

    void setError(std::string e)
    {
        std::lock_guard lock(errorMutex);
        lastError = std::move(e);
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
        std::lock_guard lock(errorMutex);
        c.lastError = lastError;
        return c;
    }
};

} // namespace heyo::net
