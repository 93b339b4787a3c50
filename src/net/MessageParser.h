// Incremental HTTP/1.x parser for requests (from clients) and responses (from upstreams): llhttp plus our own strict
// checks on the raw head bytes (bare CR/LF, controls, obs-fold, space before colon, sizes) and on the parsed head
// (framing, Host, request-target form, hop-by-hop removal). Socket-free, so it can be fuzzed directly.
#pragma once

#include "net/Http.h"

#include <llhttp.h>

#include <string>

namespace heyo::net {

class MessageParser {
public:
    enum class Kind { Request, Response };
    static constexpr int Pause = HPE_PAUSED;

    // Callbacks. onHead: 0 continue, 1 (responses) no body follows, Pause to stop after the head.
    // onBody / onComplete: 0 continue, Pause to stop right after this data / message.
    class Listener {
    public:
        virtual ~Listener() = default;
        virtual int onHead() = 0;
        virtual int onBody(const char *data, size_t len) = 0;
        virtual int onComplete() = 0;
    };

    enum class Status { NeedMore, Paused, Error };
    struct Result {
        Status status;
        size_t consumed;
    };

    MessageParser(Kind kind, Listener *listener);
    MessageParser(const MessageParser &) = delete;
    MessageParser &operator=(const MessageParser &) = delete;

    void setLimits(size_t maxHeaderBytes, size_t maxUriBytes);
    // Feeds bytes; stops early when a callback pauses. Call again with the rest (possibly empty) to go on.
    Result feed(const char *data, size_t len);
    // Responses only: the upstream closed the connection (ends a read-until-close body). False → truncated.
    bool finishOnEof();
    // The next response answers a HEAD request (its head says a length but no body follows).
    void expectNoBody(bool v) { m_noBody = v; }

    int errorStatus() const { return m_errorStatus; }
    const std::string &errorReason() const { return m_errorReason; }
    bool inHead() const { return m_inHead; }
    bool midMessage() const { return m_started; }

    // Valid after onHead.
    RequestHead &request() { return m_request; }
    ResponseHead &response() { return m_response; }
    bool keepAlive() const { return m_keepAlive; }
    bool bodyUntilEof() const { return m_untilEof; } // responses without length
    std::optional<uint64_t> contentLength() const { return m_contentLength; }
    bool chunked() const { return m_chunked; }
    int httpMinor() const { return m_minor; }

private:
    static int cbMessageBegin(llhttp_t *p);
    static int cbUrl(llhttp_t *p, const char *at, size_t len);
    static int cbStatus(llhttp_t *p, const char *at, size_t len);
    static int cbField(llhttp_t *p, const char *at, size_t len);
    static int cbValue(llhttp_t *p, const char *at, size_t len);
    static int cbValueComplete(llhttp_t *p);
    static int cbHeadersComplete(llhttp_t *p);
    static int cbBody(llhttp_t *p, const char *at, size_t len);
    static int cbMessageComplete(llhttp_t *p);
    static int cbChunkHeader(llhttp_t *p);
    static int cbChunkExtension(llhttp_t *p, const char *at, size_t len);
    static int cbChunkExtensionNameComplete(llhttp_t *p);
    static int cbChunkExtensionValueComplete(llhttp_t *p);

    // Raw head scan: returns -1 error, 0 need more, 1 head ended; *used = bytes belonging to the head.
    int scanHead(const char *p, size_t n, size_t *used);
    void resetScan();
    bool fail(int status, std::string reason);
    int headersComplete();
    bool checkRequestHead();
    bool checkResponseHead();

    Kind m_kind;
    Listener *m_listener;
    llhttp_t m_parser;
    llhttp_settings_t m_settings;
    size_t m_maxHeader = 64 * 1024;
    size_t m_maxUri = 8 * 1024;

    // Raw scan state.
    enum class Scan { FirstLine, LineStart, Name, Value, FinalCR };
    struct ScanState {
        Scan scan = Scan::FirstLine;
        bool afterCR = false;
        size_t headBytes = 0;
        size_t lineLen = 0;
        size_t targetLen = 0;
        int spaces = 0;
    };
    ScanState m_scanState;

    bool m_inHead = true;
    bool m_started = false;
    bool m_inTrailers = false;
    bool m_scanTrailers = false;                        // between the last chunk and the end of the trailer section
    static constexpr size_t kMaxChunkExtensions = 4096; // bytes of names and values on one chunk-size line
    size_t m_chunkExtensionLine = 0;
    std::string m_chunkExtension; // the name or value being read, to be checked
    bool m_pauseRequested = false;
    bool m_noBody = false;
    bool m_upgradePending = false;
    std::string m_field;
    std::string m_value;
    RequestHead m_request;
    ResponseHead m_response;
    bool m_keepAlive = true;
    bool m_untilEof = false;
    bool m_chunked = false;
    std::optional<uint64_t> m_contentLength;
    int m_minor = 1;

    int m_errorStatus = 0;
    std::string m_errorReason;
};

} // namespace heyo::net
