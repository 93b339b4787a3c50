// One HTTP/1.1 connection to an upstream server: request out, strict response parsing in, keep-alive pooling, and the
// upstream half of a tunnel (connecting and TLS are UpstreamSocket's).
#pragma once

#include "net/Buffer.h"
#include "net/Http.h"
#include "net/MessageParser.h"
#include "net/UpstreamExchange.h"
#include "net/UpstreamSocket.h"

#include <memory>
#include <string>

namespace heyo::net {

class UpstreamListener;
class Worker;

class UpstreamConnection final : public UpstreamSocket, public UpstreamExchange, private MessageParser::Listener {
public:
    static constexpr int MaxInterimResponses = 5;
    static constexpr auto PoolIdleTimeout = std::chrono::seconds(60);

    // A new, not yet connected upstream connection (connecting starts at attach()). `offer`: what ALPN offers.
    static UpstreamConnection *open(Worker *worker, std::string key, const UpstreamTarget &target,
                                    Offer offer = Offer::Http1);
    // Takes over the connected socket of `from` (an HTTP/2 attempt whose TLS server picked http/1.1).
    static UpstreamConnection *adopt(UpstreamSocket &from, Worker *worker, std::string key,
                                     const UpstreamTarget &target);

    void attach(UpstreamListener *listener, bool headRequest, bool upgrade, std::chrono::milliseconds responseTimeout);
    bool reused() const { return m_reused; }
    void send(std::string_view bytes);

    // UpstreamExchange
    void start(UpstreamListener *listener, const UpstreamRequestHead &head, bool headRequest, bool upgrade,
               std::chrono::milliseconds responseTimeout) override;
    void sendBody(const char *data, size_t len, bool chunked) override;
    void endBody(bool chunked) override;
    void sendRaw(const char *data, size_t len) override { send({data, len}); }
    size_t pendingOut() const override { return m_out.size(); }
    void clientGone() override;     // the exchange no longer wants this connection (or its response): closed
    void clientDrained() override;  // the listener's downstream has room again: deliver what waits
    void tunnelShutdown() override; // the client ended its half of the tunnel: shut down our write side once flushed

    void onIo(uint32_t events) override;
    void onDeadline() override;
    void flush() override;

private:
    enum class State { Fresh, Connecting, Ready, Idle, Tunnel };

    UpstreamConnection(Worker *worker, std::string key, const UpstreamTarget &target, Offer offer);
    int onHead() override;
    int onBody(const char *data, size_t len) override;
    int onComplete() override;

    void socketReady() override;
    void socketFailed(int status, const std::string &reason) override;
    void socketTlsResumed() override;
    void processInput();
    void readFailed(bool eof);
    void finishCycle();
    void fail(int status, const std::string &reason, bool retryable);
    void closeNow();

    Buffer m_in;
    Buffer m_out;
    MessageParser m_parser;
    State m_state = State::Fresh;
    UpstreamListener *m_listener = nullptr; // the exchange being served, while attached
    std::chrono::milliseconds m_responseTimeout{60000};
    std::string m_failReason;
    int m_interim = 0;
    bool m_closed = false;
    bool m_reused = false;
    bool m_gotBytes = false;
    bool m_headSeen = false;
    bool m_complete = false;
    bool m_upgrade = false;
    bool m_readable = false;
    bool m_adopted = false;   // made by adopt(): connected already
    bool m_readError = false; // a read while gathering failed (a reset): the next read must not pass for EOF
    bool m_hup = false;
    bool m_inProcess = false;
    // The parser stopped in a callback (client output full): it must be fed again, even with no new bytes, or a
    // message whose last body bytes were already parsed never reports its end.
    bool m_parsePaused = false;
    bool m_clientWaiting = false;
    bool m_tunnelNotified = false;
    bool m_tunnelShutdown = false;
    bool m_shutdownSent = false;
};

} // namespace heyo::net
