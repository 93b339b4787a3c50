// One connection to an upstream server: resolve, connect, TLS client handshake (SNI, hostname check, session
// resumption), request out, strict response parsing in, keep-alive pooling, and the upstream half of a tunnel.
#pragma once

#include "net/Buffer.h"
#include "net/Http.h"
#include "net/IoHandler.h"
#include "net/MessageParser.h"
#include "net/Resolver.h"
#include "net/Stream.h"

#include <memory>
#include <string>

namespace heyo::net {

class UpstreamListener;
class Worker;

class UpstreamConnection : public IoHandler, private MessageParser::Listener {
public:
    static constexpr int MaxInterimResponses = 5;
    static constexpr auto PoolIdleTimeout = std::chrono::seconds(60);

    // A new, not yet connected upstream connection (connecting starts at attach()).
    static UpstreamConnection *open(Worker *worker, std::string key, const UpstreamTarget &target);

    void attach(UpstreamListener *listener, bool headRequest, bool upgrade, std::chrono::milliseconds responseTimeout);
    bool reused() const { return m_reused; }
    void send(std::string_view bytes);
    void sendBody(const char *data, size_t len, bool chunked);
    void endBody(bool chunked);
    void sendRaw(const char *data, size_t len) { send({data, len}); }
    size_t pendingOut() const { return m_out.size(); }
    void clientGone();     // the exchange no longer wants this connection (or its response): closed
    void clientDrained();  // the listener's downstream has room again: deliver what waits
    void tunnelShutdown(); // the client ended its half of the tunnel: shut down our write side once flushed
    bool m_sessionKept = false;
    void keepSession(SSL_SESSION *session); // stores a copy in the pool for the next connection to this upstream

    void onIo(uint32_t events) override;
    void onDeadline() override;
    void flush() override;

private:
    enum class State { Fresh, Resolving, Connecting, Handshaking, Ready, Idle, Tunnel };

    UpstreamConnection(Worker *worker, std::string key, const UpstreamTarget &target);
    int onHead() override;
    int onBody(const char *data, size_t len) override;
    int onComplete() override;

    void startResolve();
    void connectNext();
    void connected();
    void handshakeStep();
    void ready();
    void processInput();
    void readFailed(bool eof);
    void finishCycle();
    void fail(int status, const std::string &reason, bool retryable);
    void closeNow();
    std::string where() const;

    Worker *m_worker;
    std::string m_key;
    UpstreamTarget m_target;
    Stream m_stream;
    Buffer m_in;
    Buffer m_out;
    MessageParser m_parser;
    State m_state = State::Fresh;
    UpstreamListener *m_listener = nullptr; // the exchange being served, while attached
    Resolver::Addresses m_addrs;
    size_t m_addrIndex = 0;
    std::string m_connectError;
    std::chrono::milliseconds m_responseTimeout{60000};
    std::shared_ptr<int> m_alive = std::make_shared<int>(0);
    std::string m_failReason;
    int m_interim = 0;
    bool m_closed = false;
    bool m_reused = false;
    bool m_gotBytes = false;
    bool m_headSeen = false;
    bool m_complete = false;
    bool m_upgrade = false;
    bool m_readable = false;
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

// SSL_CTX_sess_set_new_cb callback for client contexts (installed by makeClientTlsContext): hands each new session
// (TLS 1.3 ticket) of an upstream connection to its pool.
int upstreamNewSession(SSL *ssl, SSL_SESSION *session);

} // namespace heyo::net
