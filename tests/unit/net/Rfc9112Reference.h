// A strict reference for HTTP/1.1 message framing, written from RFC 9112 (§2-§7) and RFC 9110 (§5) independently of
// the engine, for the differential test: it decides accept / reject / incomplete and the body for one message.
// Where the RFCs let a recipient choose (MAY reject), the column "ours" of docs/DECISIONS.md "HTTP/1.1 parser" fixes
// the choice, and this file follows that table; everything else is the RFC's grammar, rule by rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace heyo::test {

class Rfc9112Reference {
public:
    enum class Verdict { Accept, Reject, Incomplete };
    struct Result {
        Verdict verdict = Verdict::Reject;
        std::string body;    // decoded body (chunks concatenated), Accept only
        size_t consumed = 0; // bytes of the message, Accept only
        std::string why;     // the rule that rejected, for the failure message
    };

    // One request (isRequest) or response starting at msg[0]. Responses here always carry CL or chunked (a body
    // read until close has no end to compare).
    static Result parse(std::string_view msg, bool isRequest)
    {
        Rfc9112Reference r(msg);
        return r.run(isRequest);
    }

private:
    explicit Rfc9112Reference(std::string_view m) : m_in(m) {}

    std::string_view m_in;
    size_t m_pos = 0;
    bool m_incomplete = false;

    struct Field {
        std::string name; // lower case
        std::string value;
    };

    static bool isDigit(unsigned char c) { return c >= '0' && c <= '9'; }
    static bool isHex(unsigned char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
    static bool isAlpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
    // RFC 9110 §5.6.2: tchar.
    static bool isTchar(unsigned char c)
    {
        return isAlpha(c) || isDigit(c) ||
               std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    }
    static bool isVchar(unsigned char c) { return c >= 0x21 && c <= 0x7e; }
    static bool isObsText(unsigned char c) { return c >= 0x80; }
    static bool isWs(unsigned char c) { return c == ' ' || c == '\t'; }
    static std::string lower(std::string_view s)
    {
        std::string o(s);
        for (char &c : o)
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
        return o;
    }

    Result reject(std::string why)
    {
        Result r;
        r.verdict = m_incomplete ? Verdict::Incomplete : Verdict::Reject;
        r.why = std::move(why);
        return r;
    }

    // Reads a line ending in CRLF (§2.2: a bare CR or LF is an error; we take the "reject" option for a lone LF).
    // Returns nullopt if malformed or incomplete (m_incomplete tells which).
    std::optional<std::string_view> line()
    {
        size_t i = m_pos;
        while (i < m_in.size()) {
            unsigned char c = static_cast<unsigned char>(m_in[i]);
            if (c == '\n')
                return std::nullopt; // LF without CR
            if (c == '\r') {
                if (i + 1 >= m_in.size()) {
                    m_incomplete = true;
                    return std::nullopt;
                }
                if (m_in[i + 1] != '\n')
                    return std::nullopt; // bare CR
                std::string_view l = m_in.substr(m_pos, i - m_pos);
                m_pos = i + 2;
                return l;
            }
            ++i;
        }
        m_incomplete = true;
        return std::nullopt;
    }

    // §5: field-line = field-name ":" OWS field-value OWS; obs-fold rejected (§5.2 allows it for a non-proxy;
    // ours: reject, like every other server-side framing ambiguity).
    bool fieldLine(std::string_view l, Field *f)
    {
        size_t colon = 0;
        while (colon < l.size() && isTchar(static_cast<unsigned char>(l[colon])))
            ++colon;
        if (colon == 0 || colon >= l.size() || l[colon] != ':')
            return false; // empty name, a non-token byte (space before colon, obs-fold's leading SP) or no colon
        f->name = lower(l.substr(0, colon));
        std::string_view v = l.substr(colon + 1);
        while (!v.empty() && isWs(static_cast<unsigned char>(v.front())))
            v.remove_prefix(1);
        while (!v.empty() && isWs(static_cast<unsigned char>(v.back())))
            v.remove_suffix(1);
        for (unsigned char c : v)
            if (!(isVchar(c) || isObsText(c) || isWs(c)))
                return false; // field-vchar / SP / HTAB only: no CTLs, no NUL, no DEL
        f->value = std::string(v);
        return true;
    }

    // Field lines up to the empty line. False on malformed or incomplete.
    bool fieldSection(std::vector<Field> *fields)
    {
        for (;;) {
            auto l = line();
            if (!l)
                return false;
            if (l->empty())
                return true;
            Field f;
            if (!fieldLine(*l, &f))
                return false;
            fields->push_back(std::move(f));
        }
    }

    static size_t count(const std::vector<Field> &fs, std::string_view name)
    {
        size_t n = 0;
        for (const Field &f : fs)
            n += f.name == name;
        return n;
    }
    static const Field *find(const std::vector<Field> &fs, std::string_view name)
    {
        for (const Field &f : fs)
            if (f.name == name)
                return &f;
        return nullptr;
    }

    // §3: request-line = method SP request-target SP HTTP-version; origin-form only (ours). Methods: the generator
    // uses registered ones; a token check suffices here.
    bool requestLine(std::string_view l, int *minor)
    {
        size_t sp1 = l.find(' ');
        if (sp1 == std::string_view::npos || sp1 == 0)
            return false;
        for (unsigned char c : l.substr(0, sp1))
            if (!isTchar(c))
                return false;
        size_t sp2 = l.find(' ', sp1 + 1);
        if (sp2 == std::string_view::npos)
            return false;
        std::string_view target = l.substr(sp1 + 1, sp2 - sp1 - 1);
        if (target.empty() || target[0] != '/')
            return false;
        for (unsigned char c : target)
            if (!isVchar(c))
                return false;
        return version(l.substr(sp2 + 1), minor);
    }
    // §2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive; ours: 1.0 and 1.1 only.
    static bool version(std::string_view v, int *minor)
    {
        if (v == "HTTP/1.1")
            *minor = 1;
        else if (v == "HTTP/1.0")
            *minor = 0;
        else
            return false;
        return true;
    }
    // §4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
    bool statusLine(std::string_view l, int *status, int *minor)
    {
        if (l.size() < 12 || !version(l.substr(0, 8), minor) || l[8] != ' ')
            return false;
        for (size_t i = 9; i < 12; ++i)
            if (!isDigit(static_cast<unsigned char>(l[i])))
                return false;
        *status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
        if (*status < 100 || *status > 599)
            return false;
        if (l.size() > 12) {
            if (l[12] != ' ')
                return false;
            for (unsigned char c : l.substr(13))
                if (!(isVchar(c) || isObsText(c) || isWs(c)))
                    return false;
        }
        return true;
    }

    // §7.1: chunked-body = *chunk last-chunk trailer-section CRLF.
    //   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF;  chunk-size = 1*HEXDIG;  last-chunk = 1*("0") [ext]
    //   chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )   (§7.1.1)
    //   chunk-ext-name = token;  chunk-ext-val = token / quoted-string
    Result chunkedBody(size_t start)
    {
        std::string body;
        for (;;) {
            auto l = line();
            if (!l)
                return reject("chunk-size line not ended by CRLF");
            std::string_view s = *l;
            size_t i = 0;
            uint64_t size = 0;
            while (i < s.size() && isHex(static_cast<unsigned char>(s[i]))) {
                if (size > (UINT64_MAX >> 4))
                    return reject("chunk-size overflows");
                const unsigned char c = static_cast<unsigned char>(s[i]);
                size = size * 16 + (isDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
                ++i;
            }
            if (i == 0)
                return reject("chunk-size without a hex digit");
            if (!chunkExt(s.substr(i)))
                return reject("malformed chunk-ext");
            if (size == 0)
                break;
            if (m_in.size() - m_pos < size) {
                m_incomplete = true;
                return reject("chunk-data incomplete");
            }
            body.append(m_in.substr(m_pos, size));
            m_pos += size;
            // Exactly CRLF after chunk-data: the rule the forwarder once missed.
            if (m_in.size() - m_pos < 2) {
                if (m_pos < m_in.size() && m_in[m_pos] != '\r')
                    return reject("chunk-data not followed by CRLF");
                m_incomplete = true;
                return reject("CRLF after chunk-data incomplete");
            }
            if (m_in[m_pos] != '\r' || m_in[m_pos + 1] != '\n')
                return reject("chunk-data not followed by CRLF");
            m_pos += 2;
        }
        std::vector<Field> trailers; // §7.1.2: trailer-section = *( field-line CRLF ), same syntax as the head
        if (!fieldSection(&trailers))
            return reject("malformed trailer section");
        Result r;
        r.verdict = Verdict::Accept;
        r.body = std::move(body);
        r.consumed = m_pos - start;
        return r;
    }

    // chunk-ext, with three choices of ours where the RFC's grammar is wider than any sender needs (chunk
    // extensions are practically unused, and every byte we accept is one a smuggler can use):
    //  - BWS around ";" and "=" (§7.1.1 keeps it for compatibility) is refused, as llhttp and nginx do;
    //  - a quoted-pair inside a quoted value is refused (llhttp 8.1);
    //  - another extension after one whose value is a token is refused (llhttp 8.1 reads the ";" as a size byte),
    //    but a lone ';' ending the line there is let through as llhttp does (found by the fuzzer; the line still
    //    ends in CRLF and the size is unchanged, so no framing depends on it).
    static bool chunkExt(std::string_view s)
    {
        size_t i = 0;
        bool afterTokenValue = false;
        while (i < s.size()) {
            if (s[i] == ';' && afterTokenValue && i + 1 == s.size())
                return true; // llhttp 8.1 ignores one trailing ';' after a token value: no framing depends on it
            if (s[i] != ';' || afterTokenValue)
                return false;
            ++i;
            size_t n = i;
            while (i < s.size() && isTchar(static_cast<unsigned char>(s[i])))
                ++i;
            if (i == n)
                return false; // ext-name is a token: at least one tchar
            if (i < s.size() && s[i] == '=') {
                ++i;
                if (i < s.size() && s[i] == '"') {
                    ++i;
                    bool closed = false;
                    while (i < s.size()) {
                        unsigned char c = static_cast<unsigned char>(s[i]);
                        if (c == '"') {
                            closed = true;
                            ++i;
                            break;
                        }
                        // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text ("\" is quoted-pair: refused)
                        if (!(isWs(c) || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) ||
                              isObsText(c)))
                            return false;
                        ++i;
                    }
                    if (!closed)
                        return false;
                } else {
                    size_t v = i;
                    while (i < s.size() && isTchar(static_cast<unsigned char>(s[i])))
                        ++i;
                    if (i == v)
                        return false;
                    afterTokenValue = true;
                }
            }
        }
        return true;
    }

    Result run(bool isRequest)
    {
        int minor = 1;
        int status = 0;
        // §2.2: a server SHOULD ignore at least one empty line before the request-line; ours: up to four, before
        // either start line.
        for (int i = 0; i < 4 && m_in.substr(m_pos, 2) == "\r\n"; ++i)
            m_pos += 2;
        auto first = line();
        if (!first)
            return reject("start line not ended by CRLF");
        if (isRequest ? !requestLine(*first, &minor) : !statusLine(*first, &status, &minor))
            return reject("malformed start line");
        std::vector<Field> fields;
        if (!fieldSection(&fields))
            return reject("malformed field section");
        const size_t headEnd = m_pos;
        if (isRequest && count(fields, "host") != 1)
            return reject("not exactly one Host (§3.2: 400)");
        if (isRequest && find(fields, "host")->value.empty())
            return reject("empty Host");
        const size_t cl = count(fields, "content-length");
        const size_t te = count(fields, "transfer-encoding");
        // §6.3 rule 3: TE with CL "ought to be handled as an error"; ours: always rejected.
        if (cl && te)
            return reject("Content-Length with Transfer-Encoding");
        // §6.3 rule 5 / RFC 9110 §8.6: Content-Length = 1*DIGIT; a list of equal values MAY be accepted — ours: no.
        if (cl > 1)
            return reject("more than one Content-Length");
        std::optional<uint64_t> length;
        if (cl) {
            const std::string &v = find(fields, "content-length")->value;
            if (v.empty() || v.size() > 18)
                return reject("Content-Length empty or beyond 18 digits");
            uint64_t n = 0;
            for (unsigned char c : v) {
                if (!isDigit(c))
                    return reject("Content-Length not 1*DIGIT");
                n = n * 10 + (c - '0');
            }
            length = n;
        }
        bool chunked = false;
        if (te) {
            // §6.1: chunked must be final; a request whose final coding is not chunked → 400. Ours: exactly one TE
            // field whose whole value is "chunked" (codings other than chunked are not supported at all).
            if (isRequest && minor == 0)
                return reject("Transfer-Encoding in HTTP/1.0 (§6.1: treat as faulty)");
            if (te > 1 || lower(find(fields, "transfer-encoding")->value) != "chunked")
                return reject("Transfer-Encoding other than exactly chunked");
            chunked = true;
        }
        const bool bodiless = !isRequest && (status < 200 || status == 204 || status == 304);
        if (bodiless || (!chunked && !length)) {
            if (!isRequest && !bodiless)
                return reject("response without length (read until close): not compared");
            Result r;
            r.verdict = Verdict::Accept;
            r.consumed = headEnd;
            return r;
        }
        if (chunked)
            return chunkedBody(0);
        if (m_in.size() - headEnd < *length) {
            m_incomplete = true;
            return reject("Content-Length body incomplete");
        }
        Result r;
        r.verdict = Verdict::Accept;
        r.body = std::string(m_in.substr(headEnd, *length));
        r.consumed = headEnd + *length;
        return r;
    }
};

} // namespace heyo::test
