// One accepted client connection: TLS (optional), strict request parsing, the current Exchange, response writing,
// and the client half of a proxied exchange or tunnel. Lives on one loop thread.
#pragma once

#include "net/Buffer.h"
#include "net/Http.h"
#include "net/IoHandler.h"
#include "net/ListenerState.h"
#include "net/MessageParser.h"
#include "net/Stream.h"

#include <memory>

namespace heyo::net {

class ExchangeImpl;
class UpstreamConnection;
class Worker;

class ClientConnection : public IoHandler, private MessageParser::Listener {
public:
    static constexpr size_t OutputCap = 256 * 1024; // stop reading the other side above this
    static constexpr size_t LowMark = 64 * 1024;    // and start again below this

    ClientConnection(Worker *worker, std::shared_ptr<ListenerState> state, int fd, PeerInfo peer);
    ~ClientConnection() override;

    void start();
    ListenerId listenerId() const { return m_state->id; }
    bool idle() const { return !m_exchange && !m_parser.midMessage() && m_in.empty(); }
    void beginShutdown();
    void close();

    // IoHandler
    void onIo(uint32_t events) override;
    void onDeadline() override;
    void flush() override;

    // From ExchangeImpl.
    void respond(int status, Headers headers, std::string body);
    void readBody(size_t limit, std::function<void(std::string)> done);
    void proxy(const UpstreamTarget &target, const RequestHead &head, ProxyHooks hooks);
    void retryProxy(const RequestHead &head);                       // after a held 401
    void respondHeld(int status, Headers headers, std::string body); // giving up on a held 401
    void noteError(const std::string &line); // the listener's error, dated by the current request (if any)

    // From UpstreamConnection (all on this loop).
    int upstreamHead(ResponseHead &head, const MessageParser &parser); // 0, or Pause for a tunnel
    int upstreamBody(const char *data, size_t len);
    void upstreamMessageDone();
    void upstreamReleased(); // the upstream detached itself after a complete response
    void upstreamFailed(int status, const std::string &reason, bool retryable);
    void upstreamDrained(); // its output fell below LowMark: our request body may flow again
    void upstreamTlsResumed(); // a new upstream connection's TLS handshake resumed a cached session
    bool outputFull() const { return m_out.size() > OutputCap; }
    bool requestComplete() const { return m_reqDone; }
    void tunnelData(const char *data, size_t len);
    void tunnelStarted();
    void tunnelEof();

private:
    enum class Phase { Handshake, Http, Tunnel, Lingering };
    enum class BodyMode { Hold, Proxy, Collect, Discard };
    enum class Framing { Length, Chunked, UntilClose, None };

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
    void sendError(int status, const std::string &line, bool close);
    void writeHead(int status, std::string_view reason, const Headers &headers, Framing framing, uint64_t length,
                   bool keepContentLength);
    void writeBody(const char *data, size_t len);
    void buildUpstreamHead(const RequestHead &head, const std::string *fullBody);
    void holdForRetry();
    void acquireUpstream(bool fresh);
    void detachUpstream();
    void pumpTunnel();
    void startLingering();
    void closeAfterFlush();
    void sendContinue();

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

    // The current exchange.
    std::shared_ptr<ExchangeImpl> m_exchange;
    Clock::time_point m_reqStart;
    BodyMode m_bodyMode = BodyMode::Hold;
    bool m_reqDone = false;
    bool m_respStarted = false;
    bool m_respDone = false;
    bool m_keepAlive = true;
    bool m_closeAfterResponse = false;
    bool m_sentContinue = false;
    bool m_headRequest = false;
    int m_status = 0;
    uint64_t m_reqBytes = 0;
    uint64_t m_respBytes = 0;
    uint64_t m_outMark = 0; // m_out.appended() when the exchange began
    uint64_t m_discarded = 0;
    Framing m_framing = Framing::None;
    size_t m_collectLimit = 0;
    std::string m_collected;
    bool m_collectOverflow = false;
    std::function<void(std::string)> m_collectDone;

    // Proxy state.
    UpstreamConnection *m_up = nullptr;
    UpstreamTarget m_target;
    std::string m_poolKey; // UpstreamPool key of m_target
    ProxyHooks m_hooks;
    std::string m_upHead;
    bool m_retried = false;
    bool m_replayable = false;
    bool m_upgrade = false;
    // The 401 → refresh → one retry rule: the request body kept for a replay, and the hold while the handler decides.
    std::string m_replayBody;
    bool m_replayKeep = false; // still copying the streamed body into m_replayBody
    bool m_replayOk = false;   // the request could be sent again as it was
    bool m_authHeld = false;
    bool m_authRetried = false;
    bool m_tunnelClientEof = false;
    bool m_tunnelUpstreamEof = false;
};

} // namespace heyo::net
