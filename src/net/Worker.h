// One engine thread: its event loop, its upstream pool, its acceptors and the client connections it serves.
#pragma once

#include "net/EventLoop.h"
#include "net/ListenerState.h"
#include "net/UpstreamPool.h"

#include <atomic>
#include <memory>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace heyo::net {

class Acceptor;
class ServerConnection;
class Resolver;

class Worker {
public:
    Worker(int index, Resolver *resolver);
    ~Worker();
    Worker(const Worker &) = delete;
    Worker &operator=(const Worker &) = delete;

    EventLoop &loop() { return m_loop; }
    UpstreamPool &pool() { return m_pool; }
    Resolver &resolver() { return *m_resolver; }
    int index() const { return m_index; }

    void start();
    void quitAndJoin();

    // Loop thread only.
    void addListener(const std::shared_ptr<ListenerState> &state);
    void removeListener(ListenerId id, std::chrono::milliseconds grace);
    void closeIdleClients(ListenerId id); // connections with no request in progress
    void closeClients(ListenerId id);
    void registerClient(ServerConnection *c) { m_clients.insert(c); }
    void unregisterClient(ServerConnection *c) { m_clients.erase(c); }

    std::atomic<int> activeExchanges{0};

private:
    int m_index;
    Resolver *m_resolver;
    UpstreamPool m_pool;
    std::unordered_map<ListenerId, Acceptor *> m_acceptors;
    std::unordered_set<ServerConnection *> m_clients;
    EventLoop m_loop; // last: its destructor deletes the handlers while the members above still exist
    std::thread m_thread;
};

} // namespace heyo::net
