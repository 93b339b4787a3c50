// One HTTP/2 exchange: the request as the handler sees it, its body under flow control, the response submitted to
// nghttp2 and fed to it through a data provider.
#include "net/Http2Stream.h"

#include "net/EventLoop.h"
#include "net/FlowControl.h"
#include "net/HeaderUtil.h"
#include "net/Http2Connection.h"
#include "net/ListenerState.h"
#include "net/Worker.h"

#include <nghttp2/nghttp2.h>

#include <cstring>
#include <deque>

namespace heyo::net {

namespace {
constexpr size_t DiscardLimit = 1024 * 1024; // unwanted request body we read to let the client finish cleanly

ssize_t readCallback(nghttp2_session *, int32_t, uint8_t *buf, size_t length, uint32_t *flags,
                     nghttp2_data_source *source, void *)
{
    return static_cast<Http2Stream *>(source->ptr)->readResponse(buf, length, flags);
}

nghttp2_nv nv(const std::string &name, const std::string &value)
{
    return {reinterpret_cast<uint8_t *>(const_cast<char *>(name.data())),
            reinterpret_cast<uint8_t *>(const_cast<char *>(value.data())), name.size(), value.size(),
            NGHTTP2_NV_FLAG_NONE};
}

// The fields of one response head or trailer block, named as HTTP/2 wants them (lower case, no connection-specific
// fields, RFC 9113 §8.2.2), with the storage the nghttp2_nv entries point into: a deque, whose elements never move
// as it grows (a vector's did, and left the entries pointing at freed names). Values point into the caller's headers.
struct FieldBlock {
    std::deque<std::string> names;
    std::vector<nghttp2_nv> nva;

    void add(std::string name, const std::string &value)
    {
        names.push_back(std::move(name));
        nva.push_back(nv(names.back(), value));
    }
    // Copies `headers` except Content-Length (the caller states its own) and what HTTP/2 forbids.
    void addFrom(const Headers &headers)
    {
        for (const Header &h : headers.list()) {
            if (isHttp2ConnectionSpecific(h.name) || equalsIgnoreCase(h.name, "content-length") || h.name.empty() ||
                h.name[0] == ':')
                continue;
            add(toLowerAscii(h.name), h.value);
        }
    }
};
} // namespace

Http2Stream::Http2Stream(Http2Connection &conn, int32_t id)
    : m_conn(conn), m_id(id), m_proxy(conn.worker(), conn.listener(), *this)
{
    m_head.httpMajor = 2;
    m_head.httpMinor = 0;
}

Http2Stream::~Http2Stream()
{
    if (m_exchange)
        m_exchange->detach();
}

// Request head

void Http2Stream::addHeader(std::string_view name, std::string_view value)
{
    if (m_inTrailers)
        return; // request trailers never go upstream (they could carry Host, Content-Length or credentials)
    m_headerBytes += name.size() + value.size() + 32; // RFC 9113 §6.5.2's accounting
    if (m_headTooLarge || m_headerBytes > m_conn.listener().config.maxHeaderBytes) {
        m_headTooLarge = true; // keep decoding (HPACK state is the connection's), keep nothing
        return;
    }
    // nghttp2 has checked the names, values and pseudo-headers (RFC 9113 §8.2, §8.3) and refused the stream
    // otherwise; what is left is turning them into the request an HTTP/1.1 client would have sent.
    if (name == ":method") {
        m_head.method = value;
    } else if (name == ":path") {
        m_head.target = value;
    } else if (name == ":authority") {
        m_authority = value;
    } else if (name[0] == ':') {
        // :scheme ("http" or "https") says nothing the listener does not know.
    } else if (name == "te") {
        m_head.teTrailers = true; // nghttp2 allows only "trailers"
    } else if (name == "host") {
        if (m_head.headers.has("host"))
            m_hostConflict = true;
        else
            m_head.headers.add("host", std::string(value));
    } else if (name == "cookie") {
        // HTTP/2 may split Cookie into several fields; HTTP/1.1 wants one (RFC 9113 §8.2.3).
        for (Header &h : m_head.headers.list())
            if (h.name == "cookie") {
                h.value.append("; ");
                h.value.append(value);
                return;
            }
        m_head.headers.add("cookie", std::string(value));
    } else {
        if (name == "content-length")
            m_head.contentLength = parseContentLength(value);
        m_head.headers.add(std::string(name), std::string(value));
    }
}

void Http2Stream::headersEnded(bool endStream)
{
    m_headerBlockOpen = false;
    m_headReady = true;
    m_reqEnded = endStream;
    // :authority is the Host (RFC 9113 §8.3.1); a Host field beside it must say the same.
    if (!m_authority.empty()) {
        if (const std::string *host = m_head.headers.find("host")) {
            if (!equalsIgnoreCase(*host, m_authority))
                m_hostConflict = true;
        } else {
            auto &list = m_head.headers.list();
            list.insert(list.begin(), Header{"host", m_authority});
        }
    }
    if (endStream)
        m_head.chunked = false;
    else if (!m_head.contentLength)
        m_head.chunked = true; // a body of unknown length: what HTTP/1.1 carries as chunked
}

void Http2Stream::bodyChunk(const uint8_t *data, size_t len)
{
    m_in.append(reinterpret_cast<const char *>(data), len);
    m_bytesIn += len;
}

void Http2Stream::requestEnded()
{
    m_reqEnded = true;
}

void Http2Stream::responseSent()
{
    m_respSent = true;
    if (!m_reqEnded) {
        // The answer is complete while the client is still sending. Let a short body finish (clients such as curl
        // report a reset upload as a failure even with NO_ERROR); past DiscardLimit tell it to stop (RFC 9113 §8.1).
        m_bodyMode = BodyMode::Discard;
        deliverBody();
    }
}

void Http2Stream::service()
{
    if (m_closed)
        return;
    if (m_headReady) {
        m_headReady = false;
        dispatch();
    }
    if (!m_closed)
        deliverBody();
}

bool Http2Stream::validateHead()
{
    const ListenerConfig &c = m_conn.listener().config;
    if (m_headTooLarge) {
        refuse(431, "Request Header Fields Too Large: the request head is over " + std::to_string(c.maxHeaderBytes) +
                        " bytes");
        return false;
    }
    if (m_head.method == "CONNECT") {
        refuse(405, "Method Not Allowed: CONNECT is not supported");
        return false;
    }
    if (m_head.target.size() > c.maxUriBytes) {
        refuse(414, "URI Too Long: the request target is over " + std::to_string(c.maxUriBytes) + " bytes");
        return false;
    }
    if (m_head.target.empty() || m_head.target[0] != '/') {
        refuse(400, "Bad Request: the request target must be a path (origin-form)");
        return false;
    }
    if (m_hostConflict) {
        refuse(400, "Bad Request: Host and :authority differ");
        return false;
    }
    return true;
}

void Http2Stream::refuse(int status, const std::string &line)
{
    m_conn.listener().setError(line, m_start);
    m_bodyMode = BodyMode::Discard;
    Headers h;
    h.add("content-type", "text/plain; charset=utf-8");
    const std::string body = line + "\n";
    m_status = status;
    m_respOut.append(body);
    m_respEnded = true;
    submitHead(status, h, true, body.size());
}

void Http2Stream::dispatch()
{
    m_start = Clock::now();
    if (!validateHead())
        return;
    ListenerState &state = m_conn.listener();
    state.requests.fetch_add(1, std::memory_order_relaxed);
    m_conn.worker().activeExchanges.fetch_add(1, std::memory_order_relaxed);
    m_exchange =
        std::make_shared<ExchangeImpl>(this, &m_proxy, m_conn.loop(), std::move(m_head), m_conn.peer(), m_start);
    if (m_conn.shuttingDown()) {
        m_exchange->markAnswered();
        Headers h;
        h.add("content-type", "text/plain; charset=utf-8");
        respond(503, std::move(h), "shutting down\n");
        return;
    }
    ExchangeImpl::run(m_exchange, state.handler);
}

// Request body: what arrived goes to whoever took it; the client's window opens as it is passed on.

void Http2Stream::deliverBody()
{
    switch (m_bodyMode) {
    case BodyMode::Hold:
        return;
    case BodyMode::Proxy:
        if (!m_in.empty() && !m_proxy.upstreamFull()) {
            const size_t n = m_in.size();
            m_proxy.requestBody(m_in.data(), n);
            m_in.clear();
            m_unconsumed += n;
        }
        if (m_in.empty() && m_reqEnded && !m_bodyDelivered) {
            m_bodyDelivered = true;
            m_proxy.requestBodyEnd();
        }
        if (m_unconsumed && !m_proxy.upstreamFull()) {
            consume(m_unconsumed);
            m_unconsumed = 0;
        }
        return;
    case BodyMode::Collect:
        if (m_collected.size() + m_in.size() > m_collectLimit) {
            m_collectDone = nullptr;
            m_collected.clear();
            m_bodyMode = BodyMode::Discard;
            m_exchange->markAnswered();
            respond(413, Headers{}, "request body too large\n");
            deliverBody();
            return;
        }
        m_collected.append(m_in.data(), m_in.size());
        consume(m_in.size());
        m_in.clear();
        if (m_reqEnded && !m_bodyDelivered && m_collectDone) {
            m_bodyDelivered = true;
            auto done = std::move(m_collectDone);
            m_collectDone = nullptr;
            done(std::move(m_collected));
            m_collected.clear();
        }
        return;
    case BodyMode::Discard:
        m_discarded += m_in.size();
        consume(m_in.size() + m_unconsumed);
        m_in.clear();
        m_unconsumed = 0;
        if (m_reqEnded)
            m_bodyDelivered = true;
        else if (m_respSent && m_discarded > DiscardLimit && !m_closed) {
            nghttp2_submit_rst_stream(m_conn.session(), NGHTTP2_FLAG_NONE, m_id, NGHTTP2_NO_ERROR);
            m_conn.wantFlush();
        }
        return;
    }
}

void Http2Stream::consume(size_t n)
{
    if (!n || m_closed)
        return;
    nghttp2_session_consume(m_conn.session(), m_id, n);
    m_conn.wantFlush();
}

void Http2Stream::readBody(size_t limit, std::function<void(std::string)> done)
{
    if (m_closed || !m_exchange || m_respStarted)
        return;
    const RequestHead &rq = m_exchange->request();
    if (rq.contentLength && *rq.contentLength > limit) {
        m_exchange->markAnswered();
        respond(413, Headers{}, "request body too large\n");
        return;
    }
    m_collectLimit = limit;
    m_collectDone = std::move(done);
    m_collected.clear();
    m_bodyMode = BodyMode::Collect;
    if (m_reqEnded && m_in.empty() && m_bytesIn == 0) {
        m_bodyDelivered = true;
        auto cb = std::move(m_collectDone);
        m_collectDone = nullptr;
        cb(std::string());
        return;
    }
    deliverBody();
}

// Responses

void Http2Stream::submitHead(int status, const Headers &headers, bool withBody, std::optional<uint64_t> contentLength)
{
    if (m_closed || m_respStarted)
        return;
    m_respStarted = true;
    FieldBlock f;
    const std::string statusText = std::to_string(status);
    f.add(":status", statusText);
    f.addFrom(headers);
    const std::string length = contentLength ? std::to_string(*contentLength) : std::string();
    if (contentLength)
        f.add("content-length", length);
    nghttp2_data_provider provider{};
    provider.source.ptr = this;
    provider.read_callback = readCallback;
    nghttp2_submit_response(m_conn.session(), m_id, f.nva.data(), f.nva.size(), withBody ? &provider : nullptr);
    m_conn.wantFlush();
}

void Http2Stream::respond(int status, Headers headers, std::string body)
{
    if (m_closed || m_respStarted || !m_exchange)
        return;
    m_status = status;
    if (status < 400)
        m_conn.listener().noteAnswered(m_start);
    m_collectDone = nullptr;
    if (!m_reqEnded || m_bodyMode == BodyMode::Hold)
        m_bodyMode = BodyMode::Discard; // what is left of the request body is not wanted
    const bool headRequest = m_exchange->request().method == "HEAD";
    const bool bodiless = status < 200 || status == 204 || status == 304;
    const bool sendBody = !headRequest && !bodiless && !body.empty();
    if (sendBody)
        m_respOut.append(body);
    m_respEnded = true;
    submitHead(status, headers, sendBody, bodiless ? std::nullopt : std::optional<uint64_t>(body.size()));
    deliverBody();
}

void Http2Stream::noteError(const std::string &line)
{
    m_conn.listener().setError(line, m_exchange ? m_start : Clock::now());
}

ProxyDownstream::RequestBody Http2Stream::takeRequestBody()
{
    if (m_bodyMode == BodyMode::Collect && m_bodyDelivered)
        return {true, &m_collected};
    m_bodyMode = BodyMode::Proxy;
    if (m_reqEnded && m_in.empty() && m_bytesIn == 0)
        m_bodyDelivered = true; // there is no body
    // The rest (what waits in m_in, and what comes) is passed on by resumeInput(), which the session calls next.
    return {m_bodyDelivered, nullptr};
}

bool Http2Stream::outputFull() const
{
    return m_respOut.size() > OutputCap;
}

void Http2Stream::responseHead(const ResponseHead &head, Body body, uint64_t length)
{
    m_status = head.status;
    switch (body) {
    case Body::Tunnel: // no upgrade was asked for (HTTP/2 has none): an upstream 101 cannot be honoured
        abortResponse();
        return;
    case Body::None: {
        // A bodiless answer keeps the upstream's Content-Length (it describes the resource), except on a 204.
        std::optional<uint64_t> cl;
        if (const std::string *v = head.headers.find("content-length"); v && head.status != 204)
            cl = parseContentLength(*v);
        m_respEnded = true;
        submitHead(head.status, head.headers, false, cl);
        return;
    }
    case Body::Length:
        submitHead(head.status, head.headers, length > 0, length);
        if (length == 0)
            m_respEnded = true;
        return;
    case Body::Unknown:
        submitHead(head.status, head.headers, true, std::nullopt);
        return;
    }
}

bool Http2Stream::responseBody(const char *data, size_t len)
{
    if (m_closed)
        return false;
    m_respOut.append(data, len);
    if (m_respDeferred) {
        m_respDeferred = false;
        nghttp2_session_resume_data(m_conn.session(), m_id);
    }
    m_conn.wantFlush();
    return outputFull();
}

void Http2Stream::responseTrailers(Headers trailers)
{
    m_trailers = std::move(trailers);
}

void Http2Stream::responseEnd()
{
    if (m_closed)
        return;
    m_respEnded = true;
    if (m_respDeferred) {
        m_respDeferred = false;
        nghttp2_session_resume_data(m_conn.session(), m_id);
    }
    m_conn.wantFlush();
}

ssize_t Http2Stream::readResponse(uint8_t *buf, size_t length, uint32_t *flags)
{
    const size_t before = m_respOut.size();
    const size_t n = std::min(length, before);
    if (n) {
        std::memcpy(buf, m_respOut.data(), n);
        m_respOut.consume(n);
        m_bytesOut += n;
    }
    if (m_respOut.empty()) {
        if (m_respEnded) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            FieldBlock f;
            f.addFrom(m_trailers);
            if (!f.nva.empty()) {
                *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
                nghttp2_submit_trailer(m_conn.session(), m_id, f.nva.data(), f.nva.size());
            }
            m_respOut.shrinkIfIdle(0);
        } else if (n == 0) {
            m_respDeferred = true;
            return NGHTTP2_ERR_DEFERRED;
        }
    }
    if (before > OutputLowMark && m_respOut.size() <= OutputLowMark)
        m_conn.noteDrained(this);
    return static_cast<ssize_t>(n);
}

void Http2Stream::downstreamDrained()
{
    if (!m_closed && m_proxy.upstreamAttached())
        m_proxy.downstreamDrained();
}

void Http2Stream::tunnelData(const char *, size_t)
{
    // Never: an HTTP/2 request is not an upgrade, so the session never opens a tunnel for it.
}

void Http2Stream::answer(int status, Headers headers, std::string body)
{
    if (m_bodyMode == BodyMode::Proxy)
        m_bodyMode = BodyMode::Discard;
    respond(status, std::move(headers), std::move(body));
}

void Http2Stream::abortResponse()
{
    // The head is out and the rest cannot follow: a reset, so the client never mistakes it for a clean end.
    if (m_closed)
        return;
    nghttp2_submit_rst_stream(m_conn.session(), NGHTTP2_FLAG_NONE, m_id, NGHTTP2_INTERNAL_ERROR);
    m_conn.wantFlush();
}

void Http2Stream::proxyFinished()
{
    if (!m_bodyDelivered)
        m_bodyMode = BodyMode::Discard;
    deliverBody();
}

void Http2Stream::resumeInput()
{
    if (!m_closed)
        deliverBody();
}

void Http2Stream::startHoldTimer(std::chrono::milliseconds timeout)
{
    const uint64_t generation = ++m_holdGeneration;
    std::weak_ptr<int> alive = m_alive;
    m_conn.loop()->runAfter(timeout, [this, alive, generation] {
        if (alive.expired() || generation != m_holdGeneration || m_closed)
            return;
        m_proxy.holdExpired();
    });
}

void Http2Stream::stopHoldTimer()
{
    ++m_holdGeneration;
}

void Http2Stream::logAccess()
{
    ListenerState &state = m_conn.listener();
    if (!state.config.accessLog)
        return;
    AccessRecord rec;
    const RequestHead &rq = m_exchange->request();
    rec.method = rq.method;
    if (const std::string *h = rq.headers.find("host"))
        rec.host = *h;
    rec.path = std::string(rq.path());
    rec.status = m_status;
    rec.bytesIn = m_bytesIn;
    rec.bytesOut = m_bytesOut;
    rec.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - m_start);
    state.config.accessLog(rec);
}

void Http2Stream::closed(bool sessionAlive)
{
    if (m_closed)
        return;
    m_closed = true;
    ++m_holdGeneration;
    if (m_exchange) {
        logAccess();
        m_exchange->detach();
        m_exchange.reset();
        m_conn.worker().activeExchanges.fetch_sub(1, std::memory_order_relaxed);
    }
    m_proxy.cancel();
    m_proxy.reset();
    // Body bytes nobody passed on still hold the connection's window: give them back.
    if (sessionAlive && m_in.size() + m_unconsumed > 0)
        nghttp2_session_consume_connection(m_conn.session(), m_in.size() + m_unconsumed);
}

} // namespace heyo::net
