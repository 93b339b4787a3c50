// The HTTP engine's public types: the parsed messages, the listener and upstream settings, and the per-request
// Exchange a Handler answers or proxies. Plain C++20 + OpenSSL, no Qt: the hot path of the forwarder and the edge.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace heyo::net {

class EventLoop;

struct Header {
    std::string name;
    std::string value;
};

// Ordered header list with case-insensitive lookup; duplicates are kept as received.
class Headers {
public:
    const std::string *find(std::string_view name) const; // first match or nullptr
    std::vector<std::string_view> all(std::string_view name) const;
    size_t count(std::string_view name) const;
    bool has(std::string_view name) const { return find(name) != nullptr; }
    void add(std::string name, std::string value);
    void set(std::string_view name, std::string value); // replaces every occurrence (or adds)
    size_t remove(std::string_view name);               // returns how many were removed
    const std::vector<Header> &list() const { return m_list; }
    std::vector<Header> &list() { return m_list; }
    bool empty() const { return m_list.empty(); }

private:
    std::vector<Header> m_list;
};

// A request head as the handler sees it. The engine has already validated framing and removed hop-by-hop headers
// (Connection and everything it lists, Keep-Alive, TE, Trailer, Transfer-Encoding, Proxy-*), so a handler that adds a
// header after this point can never have it removed by the client's Connection list. `Upgrade` is kept only when the
// request is a valid upgrade (upgrade == true); `Content-Length` is kept when the body has one.
struct RequestHead {
    std::string method;
    std::string target; // origin-form: "/path?query"
    int httpMinor = 1;  // HTTP/1.<minor>
    int httpMajor = 1;  // 2: the request came as an HTTP/2 stream (httpMinor is then 0); handlers need not care
    Headers headers;
    bool upgrade = false;                  // Connection: upgrade + Upgrade: <proto> (not h2c)
    std::optional<uint64_t> contentLength; // body framed by Content-Length
    bool chunked = false;                  // body framed by chunked transfer coding
    bool expectContinue = false;           // Expect: 100-continue (removed from headers; engine answers it)
    bool teTrailers = false; // the client sent "TE: trailers" (removed with TE): an HTTP/2 upstream hop gets it again
    std::string_view path() const; // target without the query
    bool hasBody() const { return chunked || (contentLength && *contentLength > 0); }
};

struct ResponseHead {
    int status = 200;
    std::string reason; // empty → the standard phrase
    Headers headers;
};

struct PeerInfo {
    std::string address; // "127.0.0.1", "::1", ...
    uint16_t port = 0;
    bool loopback = false;
    int64_t uid = -1; // owning uid of the peer socket (Linux, loopback only, when the listener asks); -1 unknown
};

// Where a proxied request goes. Connections are pooled per (host, port, tls, sni, protocol).
struct UpstreamTarget {
    enum class Protocol {
        Http1,     // HTTP/1.1
        Http2,     // HTTP/2 only: ALPN "h2" over TLS, prior knowledge (h2c) in plain text
        Negotiate, // over TLS: offer h2 and http/1.1 by ALPN and speak what the server picks; plain text: HTTP/1.1
    };
    std::string host; // name or address to connect to; "*.localhost" names resolve to loopback (RFC 6761)
    uint16_t port = 0;
    SSL_CTX *tls = nullptr; // nullptr → plain HTTP; otherwise a client context that verifies peers
    std::string sni;        // SNI and the name verified in the certificate (defaults to host)
    Protocol protocol = Protocol::Http1;
    std::chrono::milliseconds connectTimeout{10000};
    std::chrono::milliseconds responseTimeout{60000}; // until the response head arrives
};

// How a proxied exchange may be adjusted. All callbacks run on the exchange's loop thread.
struct ProxyHooks {
    // Rewrite the upstream's response head before it goes to the client (hop-by-hop already removed).
    std::function<void(ResponseHead &)> onResponseHead;
    // Error statuses the engine produces itself (502/504) carry a one-line plain-text body; this lets the caller
    // word it (e.g. name the endpoint). Arguments: status, engine's own one-line reason. Returns the body line.
    // Not asked for 503 (this process is out of descriptors: nothing to say about the upstream), which keeps the
    // engine's own line and a Retry-After.
    std::function<std::string(int status, const std::string &reason)> describeError;
    // The upstream answered 401 and nothing of it has reached the client yet. Offered once per exchange, only when
    // the request can be sent again: it is complete and had no body, or a body of at most `replayLimit` bytes that
    // the engine kept while streaming it. Return true to take over: the engine drops that response (and its upstream
    // connection) and holds the exchange until the handler calls Exchange::retry() (once, e.g. with a new token) or
    // Exchange::respond() (giving up; use post() from other threads). Return false, or a request that cannot be
    // replayed, and the 401 goes to the client as any response does (onResponseHead sees it).
    std::function<bool(const ResponseHead &)> onUnauthorized;
    size_t replayLimit = 64 * 1024;
};

// One request on a client connection. Created by the engine, handed to the Handler; methods must be called on the
// loop thread that owns it (use post() from elsewhere). If the client goes away first, calls become no-ops.
class Exchange : public std::enable_shared_from_this<Exchange> {
public:
    virtual ~Exchange() = default;
    virtual const RequestHead &request() const = 0;
    // The same head, for a handler that rewrites it in place and then proxies it (no copy of every header); what
    // request() returns from then on. The framing fields (body, upgrade, expect) are the engine's: leave them.
    virtual RequestHead &editRequest() = 0;
    virtual const PeerInfo &peer() const = 0;
    virtual bool closed() const = 0; // the client connection is gone

    // Answer with a complete, small response. Content-Length is set by the engine.
    virtual void respond(int status, Headers headers, std::string body) = 0;
    // Read the whole request body (up to `limit` bytes, else the engine answers 413) and then call `done`.
    virtual void readBody(size_t limit, std::function<void(std::string body)> done) = 0;
    // Stream the request to `target` and the response back, with back-pressure both ways. `head` is what to send
    // (request() rewritten through editRequest(), or a head of the handler's own). A 101 answer to an upgrade turns
    // the pair into a two-way tunnel.
    virtual void proxy(const UpstreamTarget &target, const RequestHead &head, ProxyHooks hooks = {}) = 0;
    // A response the handler streams itself (an app built on the engine, e.g. the demo's gRPC service): the head,
    // body bytes as they come, then the end with optional trailer fields (sent over HTTP/2; an HTTP/1.1 client gets
    // none). The body's length is unknown (chunked over HTTP/1.1, DATA frames over HTTP/2). sendBody returns true
    // while the client is behind (its output above the engine's cap): a producer should wait before sending more.
    virtual void startResponse(const ResponseHead &head) = 0;
    virtual bool sendBody(std::string_view data) = 0;
    virtual void endResponse(Headers trailers = {}) = 0;
    // Only while held after ProxyHooks::onUnauthorized took over a 401: sends the request again to the same target
    // with `head` (and the kept body), with the same hooks; a second 401 then goes to the client. Otherwise a no-op.
    virtual void retry(const RequestHead &head) = 0;

    // Run `fn` later on this exchange's loop thread (thread-safe; for answering after work done elsewhere).
    virtual void post(std::function<void()> fn) = 0;
    // Records `line` as the listener's error, caused by this request (Counters::lastError), e.g. an upstream answer
    // the handler knows to be a refusal. It stays current until a request that began later is answered.
    virtual void noteError(const std::string &line) = 0;
};
using ExchangePtr = std::shared_ptr<Exchange>;

// Called on a loop thread for every request head that passed the engine's checks.
using Handler = std::function<void(const ExchangePtr &)>;

struct AccessRecord {
    std::string method;
    std::string host;
    std::string path; // never the query: it may carry secrets
    int status = 0;
    uint64_t bytesIn = 0;
    uint64_t bytesOut = 0;
    std::chrono::microseconds duration{0};
};

struct ListenerConfig {
    std::string address = "127.0.0.1";                  // also "::1"; "0.0.0.0" only when the caller really means it
    uint16_t port = 0;                                  // 0 → ephemeral; see ListenResult::port
    SSL_CTX *tls = nullptr;                             // nullptr → plain HTTP; otherwise a server context
    bool lookupPeerUid = false;                         // fill PeerInfo::uid (costs one netlink query per connection)
    std::function<bool(const PeerInfo &)> acceptFilter; // false → connection closed before any byte is read
    // HTTP/2 next to HTTP/1.1 on the same listener: in plain text by prior knowledge (the client's connection
    // preface), over TLS when ALPN selects "h2". Off: the preface gets a GOAWAY (HTTP_1_1_REQUIRED) that says so.
    bool http2 = false;
    uint32_t maxConcurrentStreams = 100;                 // HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS
    size_t maxHeaderBytes = 64 * 1024;                   // → 431
    size_t maxUriBytes = 8 * 1024;                       // → 414
    std::chrono::milliseconds headerTimeout{30000};      // head not complete in time → 408
    std::chrono::milliseconds idleTimeout{75000};        // keep-alive connection without a request → closed
    std::function<void(const AccessRecord &)> accessLog; // called once per completed request (any thread)
};

struct ListenResult {
    bool ok = false;
    uint16_t port = 0;
    std::string error; // e.g. "127.0.0.1:8443 is already in use"
};

struct Counters {
    uint64_t openConnections = 0;
    uint64_t requests = 0;
    uint64_t bytesIn = 0;  // from clients
    uint64_t bytesOut = 0; // to clients
    // The latest error while it is current: until a request that began after it has been answered (by the upstream,
    // or by the handler with a status below 400). Empty once that happened. The times let a caller with several
    // listeners for one thing (127.0.0.1 and ::1) decide the same across them.
    std::string lastError;
    std::chrono::steady_clock::time_point lastErrorAt{};    // when the request it came with began
    std::chrono::steady_clock::time_point lastAnsweredAt{}; // when the latest answered request began
    // The upstream side of proxied exchanges: requests sent (retries included), connections opened for them (the
    // rest rode on pooled keep-alive connections), and how many of those TLS handshakes resumed a session.
    uint64_t upstreamRequests = 0;
    uint64_t upstreamConnections = 0;
    uint64_t upstreamTlsResumed = 0;
};

using ListenerId = uint64_t;

// The engine: N loop threads (epoll, non-blocking sockets, OpenSSL on the socket), any number of listeners, and a
// shared keep-alive pool of upstream connections per loop thread. Thread-safe public methods.
class Engine {
public:
    explicit Engine(int threads = 1);
    ~Engine(); // stop(0) if still running
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    void start();
    ListenResult listen(ListenerConfig config, Handler handler, ListenerId *id = nullptr);
    // Stop accepting on a listener. In-flight requests may finish within `grace`; requests arriving on kept-alive
    // connections meanwhile get 503. After `grace` its connections are closed.
    void closeListener(ListenerId id, std::chrono::milliseconds grace);
    Counters counters(ListenerId id) const;
    // Requests being answered or proxied right now, on every thread (after closeListener: the ones still finishing).
    int activeExchanges() const;
    // Stop everything: every listener as in closeListener, then the loop threads. Blocks until done.
    void stop(std::chrono::milliseconds grace);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace heyo::net
