// The engine's Exchange: the request head, the peer, and calls forwarded to the owning connection while it lives.
#pragma once

#include "net/Http.h"

namespace heyo::net {

class ClientConnection;
class EventLoop;

class ExchangeImpl final : public Exchange {
public:
    ExchangeImpl(ClientConnection *conn, EventLoop *loop, RequestHead head, std::shared_ptr<const PeerInfo> peer);

    const RequestHead &request() const override { return m_head; }
    RequestHead &editRequest() override { return m_head; }
    const PeerInfo &peer() const override { return *m_peer; }
    bool closed() const override { return m_conn == nullptr; }
    void respond(int status, Headers headers, std::string body) override;
    void readBody(size_t limit, std::function<void(std::string body)> done) override;
    void proxy(const UpstreamTarget &target, const RequestHead &head, ProxyHooks hooks = {}) override;
    void retry(const RequestHead &head) override;
    void post(std::function<void()> fn) override;
    void noteError(const std::string &line) override;

    bool answered() const { return m_answered; }
    bool reading() const { return m_reading; }
    void markAnswered() { m_answered = true; }
    void detach() { m_conn = nullptr; }
    void setHeld(bool held) { m_held = held; } // an upstream 401 is held for the handler: respond/retry allowed
    bool held() const { return m_held; }

private:
    ClientConnection *m_conn;
    EventLoop *m_loop;
    RequestHead m_head;
    std::shared_ptr<const PeerInfo> m_peer;
    bool m_answered = false;
    bool m_reading = false;
    bool m_held = false;
};

} // namespace heyo::net
