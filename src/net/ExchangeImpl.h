// The engine's Exchange: the request head, the peer, and the handler's calls forwarded to what carries the exchange
// (its Carrier: the HTTP/1.1 connection, or an HTTP/2 stream) and to its ProxySession, while they live.
#pragma once

#include "net/Http.h"
#include "net/IoHandler.h"
#include "net/ProxyDownstream.h"

namespace heyo::net {

class EventLoop;
class ProxySession;

class ExchangeImpl final : public Exchange {
public:
    // The protocol side of one exchange: answering it and reading its body. Proxying goes to the ProxySession.
    class Carrier {
    public:
        virtual void respond(int status, Headers headers, std::string body) = 0;
        virtual void readBody(size_t limit, std::function<void(std::string)> done) = 0;
        virtual void noteError(const std::string &line) = 0; // the listener's error, dated by this request
        virtual ProxyDownstream &downstream() = 0;           // where a streamed response goes, as a proxied one does

    protected:
        ~Carrier() = default;
    };

    ExchangeImpl(Carrier *carrier, ProxySession *session, EventLoop *loop, RequestHead head,
                 std::shared_ptr<const PeerInfo> peer, Clock::time_point began);

    const RequestHead &request() const override { return m_head; }
    RequestHead &editRequest() override { return m_head; }
    const PeerInfo &peer() const override { return *m_peer; }
    bool closed() const override { return m_carrier == nullptr; }
    void respond(int status, Headers headers, std::string body) override;
    void readBody(size_t limit, std::function<void(std::string body)> done) override;
    void proxy(const UpstreamTarget &target, const RequestHead &head, ProxyHooks hooks = {}) override;
    void retry(const RequestHead &head) override;
    void startResponse(const ResponseHead &head) override;
    bool sendBody(std::string_view data) override;
    void endResponse(Headers trailers) override;
    void post(std::function<void()> fn) override;
    void noteError(const std::string &line) override;

    // Hands a new exchange to the handler and makes sure it gets an answer: 500 if the handler throws, or if it
    // returns without answering, reading or keeping the exchange (`ex` and the carrier's own reference are all).
    static void run(std::shared_ptr<ExchangeImpl> ex, const Handler &handler);

    bool answered() const { return m_answered; }
    bool reading() const { return m_reading; }
    void markAnswered() { m_answered = true; }
    void detach()
    {
        m_carrier = nullptr;
        m_session = nullptr;
    }

private:
    bool held() const; // an upstream 401 is held for the handler: respond/retry allowed

    Carrier *m_carrier;
    ProxySession *m_session;
    EventLoop *m_loop;
    RequestHead m_head;
    std::shared_ptr<const PeerInfo> m_peer;
    Clock::time_point m_began;
    bool m_answered = false;
    bool m_reading = false;
    bool m_streaming = false; // startResponse() came, endResponse() not yet
};

} // namespace heyo::net
