// One HTTP/2 stream of an Http2Connection: its request head (pseudo-headers mapped to what an HTTP/1.1 request
// would have carried, so the handler cannot tell the protocols apart), its request body and flow-control window,
// its response (head, body buffer read by nghttp2's data provider, trailers), and the ProxySession of its exchange.
#pragma once

#include "net/Buffer.h"
#include "net/ExchangeImpl.h"
#include "net/Http.h"
#include "net/ProxyDownstream.h"
#include "net/ProxySession.h"

#include <functional>
#include <memory>
#include <string>

namespace heyo::net {

class Http2Connection;

class Http2Stream final : public ExchangeImpl::Carrier, public ProxyDownstream {
public:
    Http2Stream(Http2Connection &conn, int32_t id);
    ~Http2Stream();

    int32_t id() const { return m_id; }

    // From the connection, while nghttp2 parses (nothing here calls back into the handler or the upstream).
    void addHeader(std::string_view name, std::string_view value);
    void headersEnded(bool endStream); // the request head is complete
    void trailersStarted() { m_inTrailers = true; }
    void bodyChunk(const uint8_t *data, size_t len);
    void requestEnded(); // END_STREAM from the client
    void responseSent(); // our END_STREAM went out
    bool headerBlockOpen() const { return m_headerBlockOpen; }

    // From the connection once the input is parsed: dispatch the head, move body to whoever takes it.
    void service();
    // The stream is closed (completed, or reset by either side), or its connection went away (`sessionAlive` false:
    // nothing may be submitted).
    void closed(bool sessionAlive);
    // nghttp2's data provider asks for response body bytes.
    ssize_t readResponse(uint8_t *buf, size_t length, uint32_t *flags);

    // ExchangeImpl::Carrier
    void respond(int status, Headers headers, std::string body) override;
    void readBody(size_t limit, std::function<void(std::string)> done) override;
    ProxyDownstream &downstream() override { return *this; }
    void noteError(const std::string &line) override;

    // ProxyDownstream
    RequestBody takeRequestBody() override;
    bool requestComplete() const override { return m_bodyDelivered; }
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

    void downstreamDrained(); // the response buffer fell below the low mark

private:
    enum class BodyMode { Hold, Proxy, Collect, Discard };

    void dispatch();
    bool validateHead(); // false: answered with an error already
    void refuse(int status, const std::string &line);
    // `contentLength`: the value to send, if any (the upstream's framing is never copied); `withBody`: a data
    // provider follows, else the HEADERS frame ends the stream.
    void submitHead(int status, const Headers &headers, bool withBody, std::optional<uint64_t> contentLength);
    void deliverBody();
    void consume(size_t n);
    void logAccess();

    Http2Connection &m_conn;
    int32_t m_id;
    RequestHead m_head;
    std::string m_authority;
    size_t m_headerBytes = 0;
    bool m_headerBlockOpen = true;
    bool m_headTooLarge = false;
    bool m_hostConflict = false; // a Host header that is not the :authority
    bool m_headReady = false;    // to be dispatched
    bool m_inTrailers = false;

    Clock::time_point m_start;
    std::shared_ptr<ExchangeImpl> m_exchange;
    BodyMode m_bodyMode = BodyMode::Hold;
    Buffer m_in;                  // request body received and not yet passed on
    size_t m_unconsumed = 0;      // passed on, not yet returned to the client's window
    bool m_reqEnded = false;      // END_STREAM received
    bool m_bodyDelivered = false; // and all of the body reached whoever took it
    size_t m_collectLimit = 0;
    std::string m_collected;
    std::function<void(std::string)> m_collectDone;
    uint64_t m_bytesIn = 0;
    uint64_t m_discarded = 0;
    uint64_t m_bytesOut = 0;

    Buffer m_respOut; // response body waiting for nghttp2 (and the client's window)
    Headers m_trailers;
    int m_status = 0;
    bool m_respStarted = false;
    bool m_respEnded = false;    // all of the body is in m_respOut
    bool m_respDeferred = false; // the data provider returned DEFERRED: resume on new bytes
    bool m_respSent = false;     // our END_STREAM went out
    bool m_closed = false;

    std::shared_ptr<int> m_alive = std::make_shared<int>(0);
    uint64_t m_holdGeneration = 0;
    ProxySession m_proxy;
};

} // namespace heyo::net
