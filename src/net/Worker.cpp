// Engine thread bookkeeping.
#include "net/Worker.h"

#include "net/Acceptor.h"
#include "net/ServerConnection.h"

#include <vector>

namespace heyo::net {

Worker::Worker(int index, Resolver *resolver) : m_index(index), m_resolver(resolver) {}

Worker::~Worker()
{
    quitAndJoin();
}

void Worker::start()
{
    m_thread = std::thread([this] { m_loop.run(); });
}

void Worker::quitAndJoin()
{
    if (!m_thread.joinable())
        return;
    m_loop.quit();
    m_thread.join();
}

void Worker::addListener(const std::shared_ptr<ListenerState> &state)
{
    auto *a = new Acceptor(this, state);
    m_loop.track(a);
    if (a->start())
        m_acceptors[state->id] = a;
    else
        m_loop.destroy(a);
}

void Worker::removeListener(ListenerId id, std::chrono::milliseconds grace)
{
    auto it = m_acceptors.find(id);
    if (it != m_acceptors.end()) {
        it->second->stop();
        m_acceptors.erase(it);
    }
    for (ServerConnection *c : std::vector<ServerConnection *>(m_clients.begin(), m_clients.end()))
        if (c->listenerId() == id)
            c->beginShutdown();
    if (grace.count() <= 0)
        closeClients(id);
    else
        m_loop.runAfter(grace, [this, id] { closeClients(id); });
}

void Worker::closeIdleClients(ListenerId id)
{
    for (ServerConnection *c : std::vector<ServerConnection *>(m_clients.begin(), m_clients.end()))
        if (c->listenerId() == id && c->idle())
            c->close();
}

void Worker::closeClients(ListenerId id)
{
    for (ServerConnection *c : std::vector<ServerConnection *>(m_clients.begin(), m_clients.end()))
        if (c->listenerId() == id)
            c->close();
}

} // namespace heyo::net
