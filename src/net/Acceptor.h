// Accepts connections on a listener socket shared by every loop (EPOLLEXCLUSIVE wakes one loop per connection), and
// sheds load when the process has run out of descriptors.
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
    void shedLoad(int err);
    void refuseBusy(int fd); // answers 503 (plain HTTP) and closes
    void pause();
    void resume();

    Worker *m_worker;
    std::shared_ptr<ListenerState> m_state;
    bool m_watching = false;
    bool m_stopped = false;
    std::shared_ptr<int> m_alive = std::make_shared<int>(0); // for the resume timer, which may outlive us
};

} // namespace heyo::net
