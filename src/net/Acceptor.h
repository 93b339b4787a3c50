// Accepts connections on a listener socket shared by every loop (EPOLLEXCLUSIVE wakes one loop per connection).
#pragma once

#include "net/IoHandler.h"
#include "net/ListenerState.h"

#include <memory>

namespace heyo::net {

class Worker;

class Acceptor : public IoHandler {
public:
    Acceptor(Worker *worker, std::shared_ptr<ListenerState> state);
    bool start();
    void stop(); // stops watching the socket (the engine closes it)
    void onIo(uint32_t events) override;

private:
    void setUp(int fd);

    Worker *m_worker;
    std::shared_ptr<ListenerState> m_state;
    bool m_watching = false;
};

} // namespace heyo::net
