// libFuzzer target over the engine's request/response parsing path (MessageParser: strict raw-head scan + llhttp +
// head checks), fed in arbitrary pieces with pauses, checking the invariants the rest of the engine relies on, and
// that every message it completes is one the RFC 9112 reference (tests/unit/net) frames the same way.
#include "Rfc9112Reference.h"
#include "net/HeaderUtil.h"
#include "net/MessageParser.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace heyo::net;

namespace {

#define FUZZ_CHECK(cond)                                                                                               \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            std::abort();                                                                                              \
    } while (0)

bool hasCtl(const std::string &s)
{
    for (unsigned char c : s)
        if (c == '\r' || c == '\n' || c == 0)
            return true;
    return false;
}

class Checker : public MessageParser::Listener {
public:
    Checker(MessageParser::Kind kind, uint8_t pauses) : kind(kind), pauses(pauses) {}
    MessageParser *parser = nullptr;
    MessageParser::Kind kind;
    uint8_t pauses;
    uint64_t bodyBytes = 0;
    int completed = 0;
    int firstStatus = 0;
    std::string firstBody; // the first message's body, for the comparison with the reference
    std::optional<uint64_t> length;
    int heads = 0;
    bool noBody = false;
    bool tunnel = false;

    int onHead() override
    {
        ++heads;
        bodyBytes = 0;
        if (heads == 1 && kind == MessageParser::Kind::Response)
            firstStatus = parser->response().status;
        const Headers &h =
            kind == MessageParser::Kind::Request ? parser->request().headers : parser->response().headers;
        for (const char *hop : {"connection", "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection"})
            FUZZ_CHECK(!h.has(hop));
        for (const Header &hd : h.list()) {
            FUZZ_CHECK(!hd.name.empty());
            FUZZ_CHECK(hd.name.find(' ') == std::string::npos && hd.name.find(':') == std::string::npos);
            FUZZ_CHECK(!hasCtl(hd.name) && !hasCtl(hd.value));
        }
        FUZZ_CHECK(!(parser->contentLength() && parser->chunked()));
        length = parser->contentLength();
        if (kind == MessageParser::Kind::Response && parser->response().status == 101) {
            tunnel = true; // the engine hands the connection to a tunnel here and stops parsing
            return MessageParser::Pause;
        }
        const int st = kind == MessageParser::Kind::Response ? parser->response().status : 0;
        if (kind == MessageParser::Kind::Response && ((noBody && st >= 200) || st < 200 || st == 204 || st == 304))
            length = 0; // answers to HEAD, 1xx, 204, 304: a Content-Length there describes a body that never comes
        if (kind == MessageParser::Kind::Request) {
            const RequestHead &rq = parser->request();
            FUZZ_CHECK(!rq.target.empty() && rq.target[0] == '/');
            FUZZ_CHECK(rq.method != "CONNECT");
            FUZZ_CHECK(h.count("host") == 1);
            FUZZ_CHECK(h.count("content-length") <= 1);
            FUZZ_CHECK(!h.has("expect"));
            FUZZ_CHECK(rq.upgrade || !h.has("upgrade"));
            FUZZ_CHECK(!(rq.chunked && rq.httpMinor == 0));
            return MessageParser::Pause; // as the engine does: dispatch outside the parser
        }
        return (pauses & 1) ? MessageParser::Pause : 0;
    }
    int onBody(const char *data, size_t len) override
    {
        FUZZ_CHECK(data != nullptr || len == 0);
        bodyBytes += len;
        if (completed == 0 && heads == 1)
            firstBody.append(data, len);
        if (length)
            FUZZ_CHECK(bodyBytes <= *length);
        return (pauses & 2) && (len & 1) ? MessageParser::Pause : 0;
    }
    int onComplete() override
    {
        ++completed;
        if (length)
            FUZZ_CHECK(bodyBytes == *length);
        return (pauses & 4) ? MessageParser::Pause : 0;
    }
};

// Ours completed the first message after `consumed` bytes: the reference must accept exactly that message.
void compareWithReference(std::string_view input, size_t consumed, const Checker &checker)
{
    using heyo::test::Rfc9112Reference;
    const bool request = checker.kind == MessageParser::Kind::Request;
    if (checker.noBody || checker.tunnel)
        return; // a response to HEAD or a 101: framing the reference does not model
    Rfc9112Reference::Result ref = Rfc9112Reference::parse(input, request);
    if (ref.why.find("not compared") != std::string::npos)
        return;
    if (!request && checker.firstStatus < 200)
        return; // 1xx interim answers: ours reads on to the final response
    FUZZ_CHECK(ref.verdict == Rfc9112Reference::Verdict::Accept);
    FUZZ_CHECK(ref.consumed == consumed);
    FUZZ_CHECK(ref.body == checker.firstBody);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    // First byte: kind and pause pattern; second: piece size for incremental feeding.
    const uint8_t mode = data[0];
    const size_t piece = static_cast<size_t>(data[1] % 64) + 1;
    data += 2;
    size -= 2;
    const auto kind = (mode & 0x80) ? MessageParser::Kind::Response : MessageParser::Kind::Request;
    Checker checker(kind, mode);
    MessageParser parser(kind, &checker);
    checker.parser = &parser;
    checker.noBody = mode & 0x40;
    parser.setLimits(4096, 1024);
    parser.expectNoBody(mode & 0x40);

    const char *p = reinterpret_cast<const char *>(data);
    size_t left = size;
    std::string pending; // bytes handed over but not yet consumed, as a connection's input buffer holds them
    int idle = 0;
    size_t consumedTotal = 0;
    bool compared = false;
    while ((left > 0 || !pending.empty()) && idle < 4) {
        size_t take = std::min(piece, left);
        pending.append(p, take);
        p += take;
        left -= take;
        auto r = parser.feed(pending.data(), pending.size());
        FUZZ_CHECK(r.consumed <= pending.size());
        if (r.status == MessageParser::Status::Error) {
            const int st = parser.errorStatus();
            FUZZ_CHECK(st >= 400 && st < 600);
            FUZZ_CHECK(!parser.errorReason().empty());
            return 0;
        }
        pending.erase(0, r.consumed);
        consumedTotal += r.consumed;
        // With a pause at each message's end (mode bit 4), the feed stops exactly there: compare that message.
        if (!compared && checker.completed == 1 && (mode & 4)) {
            compared = true;
            compareWithReference(std::string_view(reinterpret_cast<const char *>(data), size), consumedTotal, checker);
        }
        if (checker.tunnel)
            return 0;
        idle = (take == 0 && r.consumed == 0) ? idle + 1 : 0;
    }
    if (kind == MessageParser::Kind::Response)
        parser.finishOnEof();
    return 0;
}
