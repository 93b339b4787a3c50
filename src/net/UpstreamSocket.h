// What every upstream connection does before it speaks a protocol: resolve, connect (trying each address), the TLS
// client handshake (SNI, hostname check, session resumption from the pool, ALPN), and handing a connected socket
// over to a connection of another protocol (an HTTP/2 attempt whose server picked http/1.1).
#pragma once

#include "net/Http.h"
#include "net/IoHandler.h"
#include "net/Resolver.h"
#include "net/Stream.h"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace heyo::net {

class Worker;

class UpstreamSocket : public IoHandler {
public:
    // The protocols offered by ALPN over TLS.
    enum class Offer { Http1, Http2, Both };

    void keepSession(SSL_SESSION *session); // stores a copy in the pool for the next connection to this upstream
    const std::string &key() const { return m_key; }

protected:
    UpstreamSocket(Worker *worker, std::string key, const UpstreamTarget &target, Offer offer);
    ~UpstreamSocket() override;

    // Resolve → connect → TLS; then socketReady() or socketFailed(). While connecting() the derived class hands its
    // readiness events to connectIo().
    void startConnect();
    bool connecting() const { return m_phase != Phase::Done && m_phase != Phase::Idle; }
    void connectIo(uint32_t events);
    virtual void socketReady() = 0;
    virtual void socketFailed(int status, const std::string &reason) = 0;
    virtual void socketTlsResumed() {}

    // Takes over `from`'s connected socket (its TLS state included); `from` is left without one.
    void adoptSocket(UpstreamSocket &from);
    void closeSocket();
    std::string where() const;
    // The response timeout passed while our client took nothing: the error names the client, not a stalled upstream.
    std::string clientNotReading(std::chrono::milliseconds timeout) const;
    std::string_view alpn() const; // the protocol the TLS server selected ("" for none or plain text)
    void keepSessionOf(SSL *ssl);  // a finished exchange's session, for contexts without upstreamNewSession

    Worker *m_worker;
    std::string m_key;
    UpstreamTarget m_target;
    std::unique_ptr<Stream> m_stream = std::make_unique<Stream>();
    std::shared_ptr<int> m_alive = std::make_shared<int>(0);
    bool m_sessionKept = false;

private:
    enum class Phase { Idle, Resolving, Connecting, Handshaking, Done };
    void connectNext();
    void connected();
    void handshakeStep();

    Offer m_offer;
    Phase m_phase = Phase::Idle;
    Resolver::Addresses m_addrs;
    size_t m_addrIndex = 0;
    std::string m_connectError;
};

// SSL_CTX_sess_set_new_cb callback for client contexts (installed by makeClientTlsContext): hands each new session
// (TLS 1.3 ticket) of an upstream connection to its pool.
int upstreamNewSession(SSL *ssl, SSL_SESSION *session);

} // namespace heyo::net
