// One proxied exchange, whatever protocol the client spoke: the upstream target and its pooled connection or HTTP/2
// stream (UpstreamExchange: the session does not know which), the head
// sent upstream, the 401 hold and its one replay, the retry on a stale pooled connection, and the tunnel after a 101.
// It talks to the client side through ProxyDownstream and is told about the upstream through UpstreamListener; h2o's
// rp_generator_t (lib/core/proxy.c) is the model. A connection keeps one and reuses it for each of its exchanges.
#pragma once

#include "net/Http.h"
#include "net/IoHandler.h"
#include "net/ProxyDownstream.h"
#include "net/UpstreamListener.h"
#include "net/UpstreamRequestHead.h"

#include <string>

namespace heyo::net {

struct ListenerState;
class UpstreamExchange;
class Worker;

class ProxySession final : public UpstreamListener {
public:
    ProxySession(Worker &worker, ListenerState &listener, ProxyDownstream &down);
    ProxySession(const ProxySession &) = delete;
    ProxySession &operator=(const ProxySession &) = delete;

    // From the exchange. `orig` is the client's request (its body framing), `head` what to send.
    void proxy(const RequestHead &orig, Clock::time_point began, const UpstreamTarget &target, const RequestHead &head,
               ProxyHooks hooks);
    bool held() const { return m_phase == Phase::Held; } // a 401 waits for retry() or respondHeld()
    void retry(const RequestHead &head);
    void respondHeld(int status, Headers headers, std::string body);

    // From the downstream.
    bool requestBody(const char *data, size_t len); // true: the upstream is full, pause the client's body
    void requestBodyEnd();
    bool upstreamAttached() const { return m_up != nullptr; }
    bool upstreamFull() const;                     // the upstream's output is above OutputCap
    void downstreamDrained();                      // the downstream's output fell below OutputLowMark
    void holdExpired();                            // the hold timer fired: answer the held 401 rather than hang
    void tunnelSend(const char *data, size_t len); // client bytes into the tunnel
    void tunnelClientEof();                        // the client ended its half of the tunnel
    bool tunnelClientEnded() const { return m_tunnelClientEof; }
    void cancel(); // the client side is gone or broken: drop the upstream connection
    void reset();  // the exchange is over: let go of its hooks and the kept body

    // UpstreamListener
    bool upstreamHead(ResponseHead &head, std::optional<uint64_t> contentLength) override;
    bool upstreamData(const char *data, size_t len) override;
    void upstreamTrailers(Headers &trailers) override;
    void upstreamComplete() override;
    void upstreamReleased() override;
    void upstreamFailed(int status, const std::string &reason, bool retryable) override;
    void upstreamWritable() override;
    void upstreamTlsResumed() override;
    void tunnelClosed() override;
    void upstreamReplaced(UpstreamExchange *next, bool newConnection) override;
    bool downstreamFull() const override;
    bool requestSent() const override;

private:
    enum class Phase { Idle, Requesting, Responding, Held, Tunnel };
    // The 401 → refresh → one retry rule: whether the request could be sent again as it was.
    enum class Replay {
        Off,     // no onUnauthorized hook, or the body is too big to keep
        Keeping, // copying the streamed body into m_replayBody
        Ready,   // m_replayBody is the whole body (or there is none)
    };

    void acquire(bool fresh);
    bool wantsHttp2() const; // this exchange goes to an HTTP/2 connection (or tries one, for Negotiate over TLS)
    void buildHead(const RequestHead &head, const std::string *fullBody);
    void holdForRetry();
    void noteError(const std::string &line);

    Worker &m_worker;
    ListenerState &m_listener;
    ProxyDownstream &m_down;
    UpstreamExchange *m_up = nullptr;
    UpstreamTarget m_target;
    std::string m_poolKey; // UpstreamPool key of m_target
    ProxyHooks m_hooks;
    UpstreamRequestHead m_head;
    UpstreamRequestHead::Framing m_framing; // the client's request body
    Clock::time_point m_began;              // when the client's request began (errors are dated by it)
    Phase m_phase = Phase::Idle;
    Replay m_replay = Replay::Off;
    std::string m_replayBody;
    bool m_upgrade = false;
    bool m_headRequest = false;
    bool m_freshRetry = false;  // a stale pooled connection may be retried once on a fresh one
    bool m_authRetried = false; // the one replay after a 401 is spent: a second 401 goes to the client
    bool m_tunnelClientEof = false;
};

} // namespace heyo::net
