// One accepted client connection speaking HTTP/1.1: TLS (optional), strict request parsing, keep-alive and
// pipelining, 100-continue, response framing and writing, lingering close. A proxied exchange's upstream side is
// its ProxySession's; this class only carries that exchange's bytes (ProxyDownstream). Lives on one loop thread.
#pragma once

#include "net/Buffer.h"
#include "net/ExchangeImpl.h"
#include "net/Http.h"
#include "net/IoHandler.h"
#include "net/ListenerState.h"
#include "net/MessageParser.h"
#include "net/ProxyDownstream.h"
#include "net/ProxySession.h"
#include "net/ServerConnection.h"
#include "net/Stream.h"

#include <memory>

namespace heyo::net {

class Worker;

class ClientConnection : public ServerConnection,
                         public ExchangeImpl::Carrier,
                         public ProxyDownstream,
                         private MessageParser::Listener {
public:
    ClientConnection(Worker *worker, std::shared_ptr<ListenerState> state, int fd, PeerInfo peer);
    ~ClientConnection() override;

    void start();
    // ServerConnection
    ListenerId listenerId() const override { return m_state->id; }
    bool idle() const override { return !m_exchange && !m_parser.midMessage() && m_in.empty(); }
    void beginShutdown() override;
    void close() override;

    // IoHandler
    void onIo(uint32_t events) override;
    void onDeadline() override;
    void flush() override;

    // ExchangeImpl::Carrier
    void respond(int status, Headers headers, std::string body) override;
    void readBody(size_t limit, std::function<void(std::string)> done) override;
    ProxyDownstream &downstream() override { return *this; }
    void noteError(const std::string &line) override; // dated by the current request (if any)

    // ProxyDownstream
    RequestBody takeRequestBody() override;
    bool requestComplete() const override { return m_ex.reqDone; }
    bool outputFull() const override;
    void responseHead(const ResponseHead &head, Body body, uint64_t length) override;
    bool responseBody(const char *data, size_t len) override;
    void responseEnd() override;
    void responseTrailers(Headers trailers) override;
    void tunnelData(const char *data, size_t len) override;
    void answer(int status, Headers headers, std::string body) override;
    void abortResponse() override;
    void proxyFinished() override;
    void resumeInput() override;
    void startHoldTimer(std::chrono::milliseconds timeout) override;
    void stopHoldTimer() override;

private:
    enum class Phase { Handshake, Http, Tunnel, Lingering };
    enum class BodyMode { Hold, Proxy, Collect, Discard };
    enum class Framing { Length, Chunked, UntilClose, None };

    // The current exchange's HTTP/1.1 state, reset when its head is dispatched.
    struct ExchangeState {
        Clock::time_point start;
        BodyMode bodyMode = BodyMode::Hold;
        Framing framing = Framing::Length;
        bool reqDone = false;            // the request was read to its end
        bool respStarted = false;        // a response head is out
        bool respDone = false;           // and all of the response
        bool keepAlive = true;           // what the request asked for
        bool closeAfterResponse = false; // no further request on this connection
        bool sentContinue = false;
        bool headRequest = false;
        bool collectOverflow = false; // readBody's limit was passed: answer 413
        int status = 0;
        uint64_t outMark = 0; // m_out.appended() when the exchange began
        uint64_t discarded = 0;
        size_t collectLimit = 0;
    };

    // MessageParser::Listener
    int onHead() override;
    int onBody(const char *data, size_t len) override;
    int onComplete() override;

    void processInput();
    void step();
    bool wantRead() const;
    bool readSome(); // true if new bytes arrived
    void onEof();
    void dispatch();
    void finishExchange();
    void logAndDetach();
    void parseError();
    void sendError(int status, const std::string &line);
    void writeHead(int status, std::string_view reason, const Headers &headers, Framing framing, uint64_t length,
                   bool keepContentLength);
    void writeBody(const char *data, size_t len);
    void pumpTunnel();
    void startLingering();
    void closeAfterFlush();
    void sendContinue();
    // At the start of a connection: the HTTP/2 connection preface (or ALPN "h2") hands the socket to an
    // Http2Connection; `refuse` when this listener does not serve HTTP/2 (the client gets a GOAWAY saying so).
    enum class Preface { No, Partial, Full };
    Preface matchPreface() const;
    void switchToHttp2(bool refuse);

    Worker *m_worker;
    std::shared_ptr<ListenerState> m_state;
    std::shared_ptr<const PeerInfo> m_peer;
    Stream m_stream;
    Buffer m_in;
    Buffer m_out;
    MessageParser m_parser;
    Phase m_phase = Phase::Http;
    bool m_closed = false;
    bool m_readable = true;
    bool m_hup = false;
    bool m_eof = false;
    bool m_closing = false; // no more requests: close once the output is flushed
    bool m_inProcess = false;
    bool m_again = false;
    bool m_headReady = false;
    bool m_headTimerArmed = false;
    bool m_shutdown = false;
    bool m_prefaceChecked = false; // the first bytes were not an HTTP/2 preface: HTTP/1.1 from here on

    std::shared_ptr<ExchangeImpl> m_exchange;
    ExchangeState m_ex;
    uint64_t m_reqBytes = 0; // read since the previous exchange ended
    std::string m_collected; // readBody's body
    std::function<void(std::string)> m_collectDone;
    ProxySession m_proxy; // the current exchange's, when it is proxied (one per connection, reused)
};

} // namespace heyo::net
