// Differential test of message framing: generated requests and responses (chunked, Content-Length and
// Transfer-Encoding variants, well-formed and broken) go to the engine's MessageParser, fed in random pieces, and to
// an independent RFC 9112 reference (Rfc9112Reference.h); any disagreement on accept / reject / body / length fails.
// HEYO_DIFF_SEED and HEYO_DIFF_CASES explore beyond the fixed seed the suite runs.
#include "Rfc9112Reference.h"

#include "net/MessageParser.h"

#include <QtTest>

#include <random>

using namespace heyo::net;
using heyo::test::Rfc9112Reference;
using Verdict = Rfc9112Reference::Verdict;

namespace {

// Our parser, driven the way the engine drives it: pause after the head and after the message, resume with the rest.
class OurFraming : public MessageParser::Listener {
public:
    explicit OurFraming(bool request)
        : m_parser(request ? MessageParser::Kind::Request : MessageParser::Kind::Response, this)
    {
    }
    Rfc9112Reference::Result parse(std::string_view msg, std::mt19937_64 &rng)
    {
        size_t pos = 0;
        while (!m_complete) {
            // Random segmentation: the same message split differently must frame the same.
            size_t piece = msg.size() - pos;
            if (piece > 1 && rng() % 2)
                piece = 1 + rng() % piece;
            auto r = m_parser.feed(msg.data() + pos, piece);
            pos += r.consumed;
            if (m_complete)
                m_completeAt = pos;
            if (r.status == MessageParser::Status::Error) {
                Rfc9112Reference::Result out;
                out.verdict = Verdict::Reject;
                out.why = std::to_string(m_parser.errorStatus()) + " " + m_parser.errorReason();
                return out;
            }
            if (r.status == MessageParser::Status::NeedMore && pos == msg.size())
                break;
        }
        Rfc9112Reference::Result out;
        out.verdict = m_complete ? Verdict::Accept : Verdict::Incomplete;
        out.body = m_body;
        out.consumed = m_completeAt;
        return out;
    }

private:
    int onHead() override { return MessageParser::Pause; }
    int onBody(const char *data, size_t len) override
    {
        m_body.append(data, len);
        return 0;
    }
    int onComplete() override
    {
        m_complete = true;
        return MessageParser::Pause;
    }

    MessageParser m_parser;
    std::string m_body;
    bool m_complete = false;
    size_t m_completeAt = 0; // bytes consumed when the message completed
};

// Generates one message from parts that are mostly valid, each sometimes replaced by a near miss.
class MessageGenerator {
public:
    explicit MessageGenerator(uint64_t seed) : m_rng(seed) {}
    std::mt19937_64 &rng() { return m_rng; }

    std::string make(bool request)
    {
        std::string m = request ? (chance(3) ? "POST /u HTTP/1.0\r\n" : "POST /upload?x=1 HTTP/1.1\r\n")
                                : (chance(3)   ? "HTTP/1.0 200 OK\r\n"
                                   : chance(5) ? "HTTP/1.1 204 No Content\r\n"
                                   : chance(5) ? "HTTP/1.1 304 Not Modified\r\n"
                                   : chance(2) ? "HTTP/1.1 0200 OK\r\n"
                                   : chance(2) ? "HTTP/1.1 20 OK\r\n"
                                   : chance(2) ? "HTTP/1.1 200\r\n"
                                               : "HTTP/1.1 200 OK\r\n");
        if (request)
            m += chance(2) ? "" : "Host: example.test\r\n";
        if (request && chance(2))
            m += "Host: other.test\r\n";
        std::string body = randomBytes(m_rng() % 24);
        const int mode = static_cast<int>(m_rng() % 8); // 0-3 chunked, 4-5 length, 6 both, 7 odd framing
        std::string tail;
        if (mode <= 3 || mode == 6) {
            m += "Transfer-Encoding: " + transferEncoding() + "\r\n";
            if (chance(4))
                m += "Transfer-Encoding: " + transferEncoding() + "\r\n";
        }
        if (mode >= 4) {
            m += "Content-Length: " + contentLength(body.size()) + "\r\n";
            if (chance(4))
                m += "Content-Length: " + contentLength(body.size()) + "\r\n";
        }
        m += extraField();
        m += "\r\n";
        m += (mode <= 3 || mode == 6) ? chunkedBody() : body;
        if (chance(10))
            m += "GET /next HTTP/1.1\r\nHost: example.test\r\n\r\n"; // pipelined: must not count as this message
        return m;
    }

private:
    std::mt19937_64 m_rng;

    bool chance(int percent) { return static_cast<int>(m_rng() % 100) < percent; }
    template <size_t N> std::string pick(const char *const (&list)[N]) { return list[m_rng() % N]; }
    // Mostly the valid form, sometimes one of the near misses.
    template <size_t N> std::string mostly(const char *valid, int missPercent, const char *const (&misses)[N])
    {
        return chance(missPercent) ? pick(misses) : valid;
    }
    std::string randomBytes(size_t n)
    {
        static const char alphabet[] = "abcXYZ019 \r\n;\"\t\x7f\x80";
        std::string s;
        for (size_t i = 0; i < n; ++i)
            s += alphabet[m_rng() % (sizeof(alphabet) - 1)];
        return s;
    }

    std::string transferEncoding()
    {
        static const char *const misses[] = {"Chunked",          "CHUNKED",       "chunked ",      " chunked",
                                             "chunked, chunked", "gzip, chunked", "chunked, gzip", "chunked,",
                                             ",chunked",         "identity",      "chunk",         "xchunked",
                                             "chunked\x01",      "\"chunked\"",   "chunked;q=1",   ""};
        return mostly("chunked", 25, misses);
    }
    std::string contentLength(size_t n)
    {
        const std::string v = std::to_string(n + (chance(8) ? 1 : 0));
        switch (m_rng() % 14) {
        case 0:
            return "0" + v;
        case 1:
            return "+" + v;
        case 2:
            return "-" + v;
        case 3:
            return v + ", " + v;
        case 4:
            return v + "," + v;
        case 5:
            return "0x" + v;
        case 6:
            return "";
        case 7:
            return v + ".0";
        case 8:
            return "1234567890123456789";
        case 9:
            return v + " x";
        default:
            return v;
        }
    }
    std::string extraField()
    {
        static const char *const fields[] = {
            "X-A: 1\r\n",   "X-A: 1\r\n folded\r\n", "X-A : 1\r\n", "X-A\t: 1\r\n",      "X-A: a\x01 b\r\n",
            "X-A:\r\n",     ": empty-name\r\n",      "X-A 1\r\n",   "X-A: \x80\xff\r\n", "X-A: 1\n",
            "X-A: 1\r\r\n", "X-A: tab\there\r\n"};
        return chance(15) ? pick(fields) : "";
    }

    std::string hexSize(size_t n)
    {
        char buf[32];
        std::snprintf(buf, sizeof buf, chance(20) ? "%zX" : "%zx", n);
        std::string s = buf;
        switch (m_rng() % 30) {
        case 0:
            return "0" + s;
        case 1:
            return "0x" + s;
        case 2:
            return "-" + s;
        case 3:
            return s + " ";
        case 4:
            return " " + s;
        case 5:
            return s + "\t";
        case 6:
            return "";
        case 7:
            return s + "g";
        case 8:
            return "1" + std::string(16, '0'); // 2^64: overflows
        case 9:
            return "+" + s;
        default:
            return s;
        }
    }
    std::string chunkExt()
    {
        static const char *const exts[] = {
            ";a",     ";a=b",    ";a=\"x y\"",    ";a=\"x\\\"y\"", "; a",         " ;a",    ";a =b",     ";a= b",
            ";",      ";=b",     ";a=",           ";a=b;c",        ";a=\"open",   ";a=b c", ";a\x01",    ";a=\"\x7f\"",
            ";a;b=c", ";a=\"\"", ";a=\"\\\x01\"", ";\x80",         ";a=\"\x80\"", "\t;a",   ";a=b\"c\"", ";a=!\"x y\""};
        return chance(25) ? pick(exts) : "";
    }
    std::string lineEnd()
    {
        static const char *const misses[] = {"\n", "\r", "\r\r\n", " \r\n", "\t\r\n", "\n\r"};
        return mostly("\r\n", 8, misses);
    }
    std::string chunkedBody()
    {
        std::string out;
        const int chunks = static_cast<int>(m_rng() % 4);
        for (int i = 0; i < chunks; ++i) {
            const size_t n = 1 + m_rng() % 20;
            const size_t declared = chance(6) ? n + (chance(50) ? 1 : -1) : n;
            out += hexSize(declared) + chunkExt() + lineEnd();
            out += randomBytes(n);
            static const char *const ends[] = {"", "\n", "\r", "XX", "\r\r", "\n\r", "\r\n\r\n", "X\n"};
            out += mostly("\r\n", 10, ends); // the bytes after chunk-data: exactly CRLF, nothing else
        }
        static const char *const lasts[] = {"00", "000", "", "0x0", " 0", "-0"};
        out += mostly("0", 10, lasts) + chunkExt() + lineEnd();
        static const char *const trailers[] = {"X-T: 1\r\n",  "X-T: 1\r\n obs\r\n", "X-T 1\r\n",
                                               "X-T : 1\r\n", "X-T: a\nb\r\n",      "Content-Length: 5\r\n",
                                               ":x\r\n",      "X-T: \x01\r\n",      "X-T: 1\r\nX-U: 2\r\n",
                                               "X-T:1\n",     "X-T: 1\r\r\n"};
        if (chance(20))
            out += pick(trailers);
        static const char *const finals[] = {"\n", "", "\r", " \r\n"};
        out += mostly("\r\n", 8, finals);
        return out;
    }
};

std::string printable(std::string_view s)
{
    std::string o;
    for (unsigned char c : s) {
        if (c == '\r')
            o += "\\r";
        else if (c == '\n')
            o += "\\n";
        else if (c == '\t')
            o += "\\t";
        else if (c < 0x20 || c >= 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", c);
            o += b;
        } else
            o += static_cast<char>(c);
    }
    return o;
}

const char *name(Verdict v)
{
    return v == Verdict::Accept ? "accept" : v == Verdict::Reject ? "reject" : "incomplete";
}

} // namespace

class TestFramingDifferential : public QObject {
    Q_OBJECT

    // Runs `cases` generated messages in one direction; returns the number of disagreements (the first few printed).
    int compare(bool request, uint64_t seed, int cases, QMap<QString, int> *verdicts)
    {
        MessageGenerator gen(seed);
        int disagreements = 0;
        for (int i = 0; i < cases; ++i) {
            const std::string msg = gen.make(request);
            Rfc9112Reference::Result ref = Rfc9112Reference::parse(msg, request);
            if (ref.why.find("not compared") != std::string::npos)
                continue;
            OurFraming ours(request);
            Rfc9112Reference::Result got = ours.parse(msg, gen.rng());
            (*verdicts)[name(ref.verdict)]++;
            // A message that ends before the reference can decide (it reads whole lines) may already be refused by
            // ours, which checks byte by byte; it must never be accepted.
            const bool same =
                ref.verdict == Verdict::Incomplete
                    ? got.verdict != Verdict::Accept
                    : got.verdict == ref.verdict &&
                          (ref.verdict != Verdict::Accept || (got.body == ref.body && got.consumed == ref.consumed));
            if (!same && ++disagreements <= 12)
                qWarning().noquote() << (request ? "request" : "response") << "case" << i
                                     << "\n  message:  " << QString::fromStdString(printable(msg))
                                     << "\n  reference:" << name(ref.verdict) << QString::fromStdString(ref.why)
                                     << "body" << ref.body.size() << "consumed" << ref.consumed
                                     << "\n  ours:     " << name(got.verdict) << QString::fromStdString(got.why)
                                     << "body" << got.body.size() << "consumed" << got.consumed;
        }
        return disagreements;
    }

    static uint64_t envOr(const char *var, uint64_t fallback)
    {
        bool ok = false;
        const uint64_t v = qEnvironmentVariable(var).toULongLong(&ok);
        return ok ? v : fallback;
    }

private slots:
    void referenceKnowsTheRules_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<int>("verdict");
        const QByteArray p = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        const int accept = static_cast<int>(Verdict::Accept), reject = static_cast<int>(Verdict::Reject);
        QTest::newRow("valid chunked") << p + "5\r\nhello\r\n0\r\n\r\n" << accept;
        QTest::newRow("no CRLF after data") << p + "5\r\nhelloXX0\r\n\r\n" << reject;
        QTest::newRow("LF after data") << p + "5\r\nhello\n0\r\n\r\n" << reject;
        QTest::newRow("ext quoted") << p + "5;a=\"b c\"\r\nhello\r\n0\r\n\r\n" << accept;
        QTest::newRow("ext BWS") << p + "5 ;a\r\nhello\r\n0\r\n\r\n" << reject;
        QTest::newRow("size 0x") << p + "0x5\r\nhello\r\n0\r\n\r\n" << reject;
        QTest::newRow("trailer ok") << p + "0\r\nX-T: 1\r\n\r\n" << accept;
        QTest::newRow("trailer fold") << p + "0\r\nX-T: 1\r\n f\r\n\r\n" << reject;
        QTest::newRow("cl list") << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1,1\r\n\r\na") << reject;
    }
    void referenceKnowsTheRules()
    {
        // The reference itself, on hand-picked cases from RFC 9112 §7.1, so a lenient reference cannot hide a gap.
        QFETCH(QByteArray, message);
        QFETCH(int, verdict);
        auto r =
            Rfc9112Reference::parse(std::string_view(message.constData(), static_cast<size_t>(message.size())), true);
        QCOMPARE(static_cast<int>(r.verdict), verdict);
    }

    void requestsAgree()
    {
        QMap<QString, int> verdicts;
        const int cases = static_cast<int>(envOr("HEYO_DIFF_CASES", 40000));
        const int bad = compare(true, envOr("HEYO_DIFF_SEED", 20261202), cases, &verdicts);
        qInfo() << "requests: reference verdicts" << verdicts;
        // The generator must reach every verdict often, or the comparison proves little.
        QVERIFY(verdicts.value("accept") > cases / 10);
        QVERIFY(verdicts.value("reject") > cases / 10);
        QCOMPARE(bad, 0);
    }

    void responsesAgree()
    {
        QMap<QString, int> verdicts;
        const int cases = static_cast<int>(envOr("HEYO_DIFF_CASES", 40000));
        const int bad = compare(false, envOr("HEYO_DIFF_SEED", 20261202) + 1, cases, &verdicts);
        qInfo() << "responses: reference verdicts" << verdicts;
        QVERIFY(verdicts.value("accept") > cases / 10);
        QVERIFY(verdicts.value("reject") > cases / 10);
        QCOMPARE(bad, 0);
    }
};

QTEST_GUILESS_MAIN(TestFramingDifferential)
#include "tst_framing_differential.moc"
