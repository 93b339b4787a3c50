// llhttp driven with pauses, framed by a strict raw-byte scan of every head.
#include "net/MessageParser.h"

#include "net/HeaderUtil.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

namespace heyo::net {

namespace {

// Byte classes for the head scan, one table lookup per byte (the scan sees every byte of every head).
enum : uint8_t { Tchar = 1, Plain = 2, Word = 4 };

constexpr std::array<uint8_t, 256> makeByteClasses()
{
    std::array<uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            t[c] |= Tchar;
        for (char x : std::string_view("!#$%&'*+-.^_`|~"))
            if (c == static_cast<unsigned char>(x))
                t[c] |= Tchar;
        // Plain: nothing for the scan to act on inside a header value (no CR/LF, NUL or other control, no DEL).
        if ((c >= 0x20 && c != 0x7f) || c == '\t')
            t[c] |= Plain;
        // Word: plain and not a separator of the request line.
        if (c > 0x20 && c != 0x7f)
            t[c] |= Word;
    }
    return t;
}
constexpr std::array<uint8_t, 256> ByteClass = makeByteClasses();

bool isTchar(unsigned char c)
{
    return ByteClass[c] & Tchar;
}

MessageParser *self(llhttp_t *p)
{
    return static_cast<MessageParser *>(p->data);
}

} // namespace

MessageParser::MessageParser(Kind kind, Listener *listener) : m_kind(kind), m_listener(listener)
{
    llhttp_settings_init(&m_settings);
    m_settings.on_message_begin = cbMessageBegin;
    m_settings.on_url = cbUrl;
    m_settings.on_status = cbStatus;
    m_settings.on_header_field = cbField;
    m_settings.on_header_value = cbValue;
    m_settings.on_header_value_complete = cbValueComplete;
    m_settings.on_headers_complete = cbHeadersComplete;
    m_settings.on_body = cbBody;
    m_settings.on_chunk_header = cbChunkHeader;
    m_settings.on_chunk_extension_name = cbChunkExtension;
    m_settings.on_chunk_extension_value = cbChunkExtension;
    m_settings.on_chunk_extension_name_complete = cbChunkExtensionNameComplete;
    m_settings.on_chunk_extension_value_complete = cbChunkExtensionValueComplete;
    m_settings.on_message_complete = cbMessageComplete;
    llhttp_init(&m_parser, kind == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE, &m_settings);
    m_parser.data = this;
}

void MessageParser::setLimits(size_t maxHeaderBytes, size_t maxUriBytes)
{
    m_maxHeader = maxHeaderBytes;
    m_maxUri = maxUriBytes;
}

bool MessageParser::fail(int status, std::string reason)
{
    if (!m_errorStatus) {
        m_errorStatus = status;
        m_errorReason = std::move(reason);
    }
    return false;
}

void MessageParser::resetScan()
{
    m_scanState = ScanState{};
}

int MessageParser::scanHead(const char *p, size_t n, size_t *used)
{
    // The state lives in locals while scanning (members would be reloaded and stored for every byte, since the
    // compiler must assume `p` may alias them) and is stored back on every way out.
    ScanState st = m_scanState;
    struct StoreBack {
        const ScanState &from;
        ScanState &to;
        ~StoreBack() { to = from; }
    } storeBack{st, m_scanState};
    const bool request = m_kind == Kind::Request;
    const int bad = request ? 400 : 502;
    for (size_t i = 0; i < n; ++i) {
        if (!st.afterCR) {
            // Runs of bytes that need no decision (value text, name characters, request-line text between the
            // spaces) are skipped in one tight loop, within the size limit; the byte that ends a run, or the one
            // over the limit, takes the checks below.
            // (A response's status code is checked byte by byte: three digits.)
            const bool statusCode = !request && st.scan == Scan::FirstLine && st.spaces == 1;
            const uint8_t run = st.scan == Scan::Value                      ? Plain
                                : st.scan == Scan::Name                     ? Tchar
                                : st.scan == Scan::FirstLine && !statusCode ? Word
                                                                            : 0;
            if (run) {
                size_t j = i;
                const size_t stop = std::min(n, i + (m_maxHeader - std::min(m_maxHeader, st.headBytes)));
                while (j < stop && (ByteClass[static_cast<unsigned char>(p[j])] & run))
                    ++j;
                st.headBytes += j - i;
                st.lineLen += j - i;
                if (st.scan == Scan::FirstLine && request && st.spaces == 1 && (st.targetLen += j - i) > m_maxUri)
                    return fail(414, "request target too long"), -1;
                i = j;
                if (i == n)
                    break;
            }
        }
        const unsigned char c = static_cast<unsigned char>(p[i]);
        if (++st.headBytes > m_maxHeader) {
            if (request && st.scan == Scan::FirstLine && st.spaces == 1)
                return fail(414, "request target too long"), -1;
            return fail(request ? 431 : 502, "header block too large"), -1;
        }
        if (st.afterCR) {
            if (c != '\n')
                return fail(bad, "bare CR in header block"), -1;
            st.afterCR = false;
            if (st.scan == Scan::FinalCR) {
                *used = i + 1;
                return 1;
            }
            if (st.scan == Scan::FirstLine) {
                if (st.lineLen == 0 && st.headBytes <= 8)
                    continue; // a stray CRLF before the request line is tolerated (RFC 9112 §2.2)
                if (request && st.spaces != 2)
                    return fail(bad, "malformed request line"), -1;
                if (!request && (st.spaces == 0 || (st.spaces == 1 && st.targetLen != 3)))
                    return fail(bad, "malformed status line"), -1; // status-code = 3DIGIT (RFC 9112 §4)
            } else if (st.scan == Scan::Name || st.scan == Scan::LineStart) {
                return fail(bad, "header line without colon"), -1;
            }
            st.scan = Scan::LineStart;
            st.lineLen = 0;
            continue;
        }
        if (c == '\r') {
            st.afterCR = true;
            if (st.scan == Scan::LineStart)
                st.scan = Scan::FinalCR;
            continue;
        }
        if (c == '\n')
            return fail(bad, "bare LF in header block"), -1;
        if (c == 0)
            return fail(bad, "NUL in header block"), -1;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(bad, "control character in header block"), -1;
        ++st.lineLen;
        switch (st.scan) {
        case Scan::FirstLine:
            if (!request && st.spaces == 1 && c != ' ') {
                if (c < '0' || c > '9' || ++st.targetLen > 3)
                    return fail(bad, "malformed status line"), -1;
            } else if (c == ' ') {
                if (!request && st.spaces == 1 && st.targetLen != 3)
                    return fail(bad, "malformed status line"), -1;
                ++st.spaces;
            } else if (c == '\t' && request) {
                return fail(bad, "tab in request line"), -1;
            } else if (request && st.spaces == 1 && ++st.targetLen > m_maxUri) {
                return fail(414, "request target too long"), -1;
            }
            break;
        case Scan::LineStart:
            if (c == ' ' || c == '\t')
                return fail(bad, "obsolete line folding"), -1;
            if (!isTchar(c))
                return fail(bad, "invalid character in header name"), -1;
            st.scan = Scan::Name;
            break;
        case Scan::Name:
            if (c == ':')
                st.scan = Scan::Value;
            else if (c == ' ' || c == '\t')
                return fail(bad, "whitespace before colon"), -1;
            else if (!isTchar(c))
                return fail(bad, "invalid character in header name"), -1;
            break;
        case Scan::Value:
            break;
        case Scan::FinalCR:
            return fail(bad, "bare CR in header block"), -1;
        }
    }
    *used = n;
    return 0;
}

MessageParser::Result MessageParser::feed(const char *data, size_t len)
{
    if (m_errorStatus)
        return {Status::Error, 0};
    const char *pos = data;
    const char *end = data + len;
    do {
        if (m_upgradePending) {
            // llhttp stops after a message that asked for an upgrade; the caller has decided to stay HTTP.
            m_upgradePending = false;
            if (llhttp_execute(&m_parser, pos, 0) == HPE_PAUSED_UPGRADE)
                llhttp_resume_after_upgrade(&m_parser);
        }
        size_t chunk = static_cast<size_t>(end - pos);
        bool headEnds = false; // this chunk ends with a whole request or response head
        if (m_inHead || m_scanTrailers) {
            if (chunk == 0)
                break;
            size_t used = 0;
            const int scanned = scanHead(pos, chunk, &used);
            if (scanned < 0)
                return {Status::Error, static_cast<size_t>(pos - data)};
            headEnds = scanned > 0 && m_inHead;
            if (scanned > 0)
                m_scanTrailers = false; // the trailer section ends here; llhttp completes the message next
            chunk = used;
        }
        m_pauseRequested = false;
        llhttp_errno_t e = llhttp_execute(&m_parser, pos, chunk);
        if (e == HPE_OK && headEnds && m_inHead && m_kind == Kind::Request &&
            llhttp_get_method(&m_parser) == HTTP_PRI) {
            // "PRI * HTTP/2.0" and an empty line: the start of the HTTP/2 connection preface, whose "SM" line llhttp
            // now waits for (it never ends this head). Say so, in HTTP/1.1, rather than reject "SM" as a bad head.
            fail(505, "HTTP/2 is not enabled on this port (use HTTP/1.1)");
            return {Status::Error, static_cast<size_t>(pos - data)};
        }
        if (e == HPE_OK) {
            pos += chunk;
            continue;
        }
        if (e == HPE_PAUSED || e == HPE_PAUSED_UPGRADE) {
            const char *at = llhttp_get_error_pos(&m_parser);
            if (e == HPE_PAUSED)
                llhttp_resume(&m_parser);
            else
                llhttp_resume_after_upgrade(&m_parser); // the caller decides whether to tunnel
            pos = at ? at : pos + chunk;
            if (m_pauseRequested)
                return {Status::Paused, static_cast<size_t>(pos - data)};
            continue; // internal pause at a message end, so the next head gets scanned
        }
        if (!m_errorStatus) {
            const char *why = llhttp_get_error_reason(&m_parser);
            fail(m_kind == Kind::Request ? 400 : 502, why ? why : llhttp_errno_name(e));
        }
        return {Status::Error, static_cast<size_t>(pos - data)};
    } while (pos < end);
    return {Status::NeedMore, static_cast<size_t>(pos - data)};
}

bool MessageParser::finishOnEof()
{
    if (!m_started)
        return true;
    if (m_inHead || !m_untilEof)
        return false;
    m_pauseRequested = false;
    llhttp_errno_t e = llhttp_finish(&m_parser);
    return e == HPE_OK || e == HPE_PAUSED;
}

int MessageParser::cbMessageBegin(llhttp_t *p)
{
    MessageParser *s = self(p);
    s->m_started = true;
    s->m_inTrailers = false;
    s->m_field.clear();
    s->m_value.clear();
    if (s->m_kind == Kind::Request) {
        s->m_request.method.clear();
        s->m_request.target.clear();
        s->m_request.headers.list().clear();
    } else {
        s->m_response.reason.clear();
        s->m_response.headers.list().clear();
    }
    return 0;
}

int MessageParser::cbUrl(llhttp_t *p, const char *at, size_t len)
{
    self(p)->m_request.target.append(at, len);
    return 0;
}

int MessageParser::cbStatus(llhttp_t *p, const char *at, size_t len)
{
    self(p)->m_response.reason.append(at, len);
    return 0;
}

int MessageParser::cbField(llhttp_t *p, const char *at, size_t len)
{
    MessageParser *s = self(p);
    if (!s->m_inTrailers)
        s->m_field.append(at, len);
    return 0;
}

int MessageParser::cbValue(llhttp_t *p, const char *at, size_t len)
{
    MessageParser *s = self(p);
    if (!s->m_inTrailers)
        s->m_value.append(at, len);
    return 0;
}

int MessageParser::cbValueComplete(llhttp_t *p)
{
    MessageParser *s = self(p);
    if (s->m_inTrailers) // trailers are never forwarded: they could smuggle Host, Content-Length or credentials
        return 0;
    while (!s->m_value.empty() && (s->m_value.back() == ' ' || s->m_value.back() == '\t'))
        s->m_value.pop_back();
    Headers &h = s->m_kind == Kind::Request ? s->m_request.headers : s->m_response.headers;
    h.add(std::move(s->m_field), std::move(s->m_value));
    s->m_field.clear();
    s->m_value.clear();
    return 0;
}

int MessageParser::cbHeadersComplete(llhttp_t *p)
{
    MessageParser *s = self(p);
    s->m_inHead = false;
    s->m_inTrailers = true;
    return s->headersComplete();
}

int MessageParser::headersComplete()
{
    m_minor = llhttp_get_http_minor(&m_parser);
    if (llhttp_get_http_major(&m_parser) != 1 || m_minor > 1)
        return fail(m_kind == Kind::Request ? 505 : 502, "HTTP version not supported"), -1;
    bool ok = m_kind == Kind::Request ? checkRequestHead() : checkResponseHead();
    if (!ok)
        return -1;
    // RFC 9112 §6.3 rule 1: an answer to HEAD, a 1xx, 204 or 304 ends with its head whatever its framing headers
    // say. llhttp would read a chunked body after a 204, and the bytes of the upstream's next response would pass
    // to the client as this one's body.
    const int st = m_response.status;
    const bool headOnly = m_kind == Kind::Response && st != 101 && (st < 200 || st == 204 || st == 304 || m_noBody);
    if (headOnly)
        m_parser.flags |= F_SKIPBODY; // even if the listener pauses here
    int r = m_listener->onHead();
    if (r == Pause) {
        m_pauseRequested = true;
        return HPE_PAUSED;
    }
    if (headOnly && r == 0)
        return 1;
    return r;
}

bool MessageParser::checkRequestHead()
{
    RequestHead &rq = m_request;
    rq.method = llhttp_method_name(static_cast<llhttp_method_t>(llhttp_get_method(&m_parser)));
    rq.httpMinor = m_minor;
    if (rq.method == "CONNECT")
        return fail(405, "CONNECT is not supported");
    if (rq.target.empty() || rq.target[0] != '/')
        return fail(400, "only origin-form request targets are accepted");
    Headers &h = rq.headers;
    if (h.count("host") != 1)
        return fail(400, "exactly one Host header is required");
    if (h.find("host")->empty())
        return fail(400, "empty Host header");

    m_contentLength.reset();
    m_chunked = false;
    size_t cl = h.count("content-length");
    size_t te = h.count("transfer-encoding");
    if (cl > 1)
        return fail(400, "more than one Content-Length");
    if (cl && te)
        return fail(400, "both Content-Length and Transfer-Encoding");
    if (cl) {
        auto v = parseContentLength(*h.find("content-length"));
        if (!v)
            return fail(400, "invalid Content-Length");
        m_contentLength = *v;
    }
    if (te) {
        if (m_minor == 0)
            return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
        if (te > 1 || !equalsIgnoreCase(*h.find("transfer-encoding"), "chunked"))
            return fail(400, "Transfer-Encoding other than chunked");
        m_chunked = true;
    }
    rq.contentLength = m_contentLength;
    rq.chunked = m_chunked;

    ConnectionOptions co = parseConnection(h);
    m_keepAlive = m_minor >= 1 ? !co.close : (co.keepAlive && !co.close);

    rq.expectContinue = false;
    for (std::string_view e : h.all("expect"))
        if (equalsIgnoreCase(e, "100-continue"))
            rq.expectContinue = true;
    if (rq.expectContinue && !rq.hasBody())
        rq.expectContinue = false;

    rq.upgrade = false;
    if (co.upgrade && m_minor == 1 && h.count("upgrade") == 1 && !rq.hasBody()) {
        bool h2c = false;
        forEachToken(*h.find("upgrade"), [&](std::string_view t) {
            if (equalsIgnoreCase(t.substr(0, t.find('/')), "h2c"))
                h2c = true;
        });
        rq.upgrade = !h2c;
    }
    // TE is hop-by-hop, but "trailers" in it must reach an HTTP/2 upstream hop again (gRPC needs it).
    rq.teTrailers = false;
    for (std::string_view te : h.all("te"))
        forEachToken(te, [&](std::string_view t) {
            if (equalsIgnoreCase(t.substr(0, t.find(';')), "trailers"))
                rq.teTrailers = true;
        });
    removeHopByHop(h, co, rq.upgrade);
    h.remove("expect");
    return true;
}

bool MessageParser::checkResponseHead()
{
    ResponseHead &rs = m_response;
    rs.status = llhttp_get_status_code(&m_parser);
    if (rs.status < 100 || rs.status > 599)
        return fail(502, "upstream sent an invalid status code");
    Headers &h = rs.headers;
    m_contentLength.reset();
    m_chunked = false;
    m_untilEof = false;
    size_t cl = h.count("content-length");
    size_t te = h.count("transfer-encoding");
    if (cl > 1)
        return fail(502, "upstream sent more than one Content-Length");
    if (cl && te)
        return fail(502, "upstream sent both Content-Length and Transfer-Encoding");
    if (cl) {
        auto v = parseContentLength(*h.find("content-length"));
        if (!v)
            return fail(502, "upstream sent an invalid Content-Length");
        m_contentLength = *v;
    }
    if (te) {
        if (te > 1 || !equalsIgnoreCase(*h.find("transfer-encoding"), "chunked"))
            return fail(502, "upstream sent a Transfer-Encoding other than chunked");
        m_chunked = true;
    }
    ConnectionOptions co = parseConnection(h);
    m_keepAlive = m_minor >= 1 ? !co.close : (co.keepAlive && !co.close);
    const bool bodiless = rs.status < 200 || rs.status == 204 || rs.status == 304 || m_noBody;
    if (!bodiless && !cl && !te) {
        m_untilEof = true;
        m_keepAlive = false;
    }
    removeHopByHop(h, co, rs.status == 101);
    return true;
}

int MessageParser::cbBody(llhttp_t *p, const char *at, size_t len)
{
    MessageParser *s = self(p);
    int r = s->m_listener->onBody(at, len);
    if (r == Pause) {
        s->m_pauseRequested = true;
        return HPE_PAUSED;
    }
    return r;
}

int MessageParser::cbChunkHeader(llhttp_t *p)
{
    self(p)->m_chunkExtensionLine = 0;
    if (p->content_length != 0)
        return 0;
    // The last chunk: its trailer section has the syntax of a header block, so it goes through the same raw scan
    // (llhttp alone accepts obs-fold, an empty field name and a bare LF there). Pause so feed() starts that scan
    // exactly at the byte after the last-chunk line.
    MessageParser *s = self(p);
    s->m_scanTrailers = true;
    s->m_scanState = ScanState{};
    s->m_scanState.scan = Scan::LineStart;
    return HPE_PAUSED;
}

int MessageParser::cbChunkExtension(llhttp_t *p, const char *at, size_t len)
{
    // Collected only to be checked (nothing uses chunk extensions), and bounded: a flood of extension bytes would
    // otherwise cost CPU without ever producing body (the class of CVE-2024-22019).
    MessageParser *s = self(p);
    s->m_chunkExtensionLine += len;
    if (s->m_chunkExtensionLine > kMaxChunkExtensions)
        return s->fail(s->m_kind == Kind::Request ? 400 : 502, "chunk extensions too long"), -1;
    s->m_chunkExtension.append(at, len);
    return 0;
}

int MessageParser::cbChunkExtensionNameComplete(llhttp_t *p)
{
    MessageParser *s = self(p);
    const std::string name = std::move(s->m_chunkExtension);
    s->m_chunkExtension.clear();
    if (name.empty() ||
        !std::all_of(name.begin(), name.end(), [](char c) { return isTchar(static_cast<unsigned char>(c)); }))
        return s->fail(s->m_kind == Kind::Request ? 400 : 502, "invalid chunk extension name"), -1;
    return 0;
}

int MessageParser::cbChunkExtensionValueComplete(llhttp_t *p)
{
    // chunk-ext-val = token / quoted-string (RFC 9112 §7.1.1). llhttp 8.1 lets an empty value, a token running
    // into a quote (`a=b"c"`) and DEL inside quotes through; the span it hands over includes the quotes.
    MessageParser *s = self(p);
    const std::string v = std::move(s->m_chunkExtension);
    s->m_chunkExtension.clear();
    auto isQdtext = [](unsigned char c) {
        return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80;
    };
    const bool token =
        !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return isTchar(static_cast<unsigned char>(c)); });
    const bool quoted =
        v.size() >= 2 && v.front() == '"' && v.back() == '"' &&
        std::all_of(v.begin() + 1, v.end() - 1, [&](char c) { return isQdtext(static_cast<unsigned char>(c)); });
    if (!token && !quoted)
        return s->fail(s->m_kind == Kind::Request ? 400 : 502, "invalid chunk extension value"), -1;
    return 0;
}

int MessageParser::cbMessageComplete(llhttp_t *p)
{
    MessageParser *s = self(p);
    s->m_inHead = true;
    s->m_started = false;
    s->m_inTrailers = false;
    s->m_scanTrailers = false;
    s->resetScan();
    s->m_upgradePending = llhttp_get_upgrade(p) != 0;
    if (s->m_listener->onComplete() == Pause)
        s->m_pauseRequested = true;
    return HPE_PAUSED; // always: the next head must pass through scanHead() first
}

} // namespace heyo::net
