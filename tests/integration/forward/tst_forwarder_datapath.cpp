// The forwarder's data path against a real heyo-edge (demo mode, TLS with its own CA) with real curl as the client:
// the token attached and never seen by the app, the client's own Authorization untouched, keep-alive and TLS session
// reuse upstream, bodies both ways, redirects and cookies mapped to the local origin, every guard of DESIGN §3 with
// its status and proof that the edge never saw the request, errors as one-line answers, 403 reported, stop() and
// counters — and no token or key in any log line.
#include "ForwardTestSupport.h"
#include "NetTestSupport.h"

#include "core/auth/MemorySecretStore.h"
#include "core/forward/AccountTokens.h"
#include "core/forward/Forwarder.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>

#include <netinet/in.h>
#include <sys/socket.h>

using namespace heyo;
using forward::Forwarder;
using heyo::test::curl;
using heyo::test::edgeHits;
using heyo::test::RawClient;

namespace {

const QString kAda = QStringLiteral("ada@demo.heyo");

// A loopback port nobody listens on (bound, then released).
quint16 closedPort()
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa);
    socklen_t l = sizeof sa;
    getsockname(fd, reinterpret_cast<sockaddr *>(&sa), &l);
    ::close(fd);
    return ntohs(sa.sin_port);
}

QList<QPair<QString, QString>> echoHeaders(const QByteArray &json)
{
    QList<QPair<QString, QString>> out;
    for (const QJsonValue &v : QJsonDocument::fromJson(json).object().value("headers").toArray())
        out.append({v.toArray().at(0).toString(), v.toArray().at(1).toString()});
    return out;
}

QStringList valuesOf(const QList<QPair<QString, QString>> &headers, const QString &name)
{
    QStringList out;
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            out << h.second;
    return out;
}

} // namespace

class TestForwarderDataPath : public QObject {
    Q_OBJECT

private:
    test::EdgeProcess m_edge;
    QNetworkAccessManager m_nam;
    std::unique_ptr<auth::MemorySecretStore> m_store;
    std::unique_ptr<auth::SessionManager> m_sessions;
    std::unique_ptr<forward::AccountTokens> m_tokens;
    std::unique_ptr<Forwarder> m_fwd;
    QString m_ada;
    QByteArray m_allLogs;

    quint16 port(const QString &slug) const { return m_fwd->portOf(slug); }
    QString local(const QString &slug, const QString &path = QStringLiteral("/")) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(port(slug)).arg(path);
    }
    forward::ForwardSpec spec(const QString &slug, const QUrl &url = {}) const
    {
        forward::ForwardSpec s;
        s.slug = slug;
        s.accountId = m_ada;
        s.accountName = kAda;
        s.endpointUrl = url.isEmpty() ? QUrl(m_edge.endpointUrl(slug)) : url;
        return s;
    }
    forward::ForwardStats stats(const QString &slug) const
    {
        for (const forward::ForwardStats &s : m_fwd->stats())
            if (s.slug == slug)
                return s;
        return {};
    }

    // `refused` must not reach the edge: afterwards one good request does, and the edge logs exactly that one.
    void verifyNeverReachedEdge(const std::function<void()> &refused, const char *what)
    {
        // Every request the edge logged, also one aborted after it arrived (a head passed on before its body failed).
        const auto logged = [this] { return test::edgeLoggedPaths(m_edge, QStringLiteral("demo-web")).size(); };
        const qsizetype before = logged();
        refused();
        if (QTest::currentTestFailed())
            return;
        RawClient c(port("demo-web"));
        QVERIFY(c.send("GET /api/whoami HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port("demo-web")) + "\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(logged() >= before + 1, 5000);
        QTest::qWait(100);
        QVERIFY2(logged() == before + 1, what);
    }

    // One raw request on a fresh connection; its status (0 when the connection closed without an answer).
    int rawStatus(const QString &slug, const std::string &request, std::string *body = nullptr)
    {
        RawClient c(port(slug));
        if (!c.ok() || !c.send(request))
            return -1;
        auto r = c.readResponse();
        if (body)
            *body = r.body;
        return r.status;
    }
    std::string hostLine(const QString &slug) const { return "Host: 127.0.0.1:" + std::to_string(port(slug)) + "\r\n"; }

private slots:
    void initTestCase()
    {
        test::captureQtLog();
        QVERIFY2(m_edge.start(QStringLiteral("demo")), qPrintable(m_edge.error()));
        auto issued = m_edge.admin({"api-key", "issue", "--account", kAda, "--label", "forwarder-test"});
        QCOMPARE(issued.exitCode, 0);
        const QByteArray key = issued.out.trimmed();
        QVERIFY(key.startsWith("heyo_"));
        m_store = std::make_unique<auth::MemorySecretStore>();
        m_sessions = std::make_unique<auth::SessionManager>(m_store.get(), &m_nam, nullptr);
        auto in = test::signInWithKey(*m_sessions, test::serviceOf(m_edge), key);
        QVERIFY(in.has_value());
        QVERIFY2(in->ok(), qPrintable(in->message));
        m_ada = in->account.id;
        m_tokens = std::make_unique<forward::AccountTokens>(m_sessions.get());
        // Load the token now: the raw clients below block this thread, which is where the sessions answer.
        bool loaded = false;
        m_tokens->fetch(m_ada, {}, [&](const std::string &token, const QString &) { loaded = !token.empty(); });
        QTRY_VERIFY_WITH_TIMEOUT(loaded, 20000);
        Forwarder::Options o;
        o.extraCaFile = m_edge.caFile();
        m_fwd = std::make_unique<Forwarder>(m_tokens.get(), o);
        QString error;
        for (const char *slug : {"demo-web", "demo-files", "demo-events", "demo-ws", "bob-notes"})
            QVERIFY2(m_fwd->forward(spec(slug), &error), qPrintable(error));
        QVERIFY(port("demo-web") != 0);
        QCOMPARE(curl({local("demo-web", "/api/whoami")}).status, 200); // and the edge has logged a request
    }

    void cleanupTestCase()
    {
        m_fwd.reset();
        m_allLogs += m_edge.log();
        m_edge.stop();
        m_allLogs += m_edge.log();
        m_allLogs += test::capturedOutput();
        QVERIFY(m_allLogs.contains("heyo-edge: GET demo-web.heyo.localhost")); // the logs really were read
        QCOMPARE(m_allLogs.count("eyJ"), 0);
        QCOMPARE(m_allLogs.count("heyo_"), 0);
    }

    void tokenAttachedAndHiddenFromTheApp()
    {
        auto r = curl({local("demo-web", "/api/echo?x=1")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.status, 200);
        const auto headers = echoHeaders(r.body);
        QCOMPARE(valuesOf(headers, "X-Heyo-Email"), QStringList{kAda});
        QCOMPARE(valuesOf(headers, "Host"),
                 QStringList{QStringLiteral("demo-web.heyo.localhost:%1").arg(m_edge.port())});
        QVERIFY(valuesOf(headers, "Authorization").isEmpty());
        QVERIFY(valuesOf(headers, "X-Heyo-Authorization").isEmpty());
        QVERIFY(!r.body.contains("eyJ"));
        // The public endpoint of the same edge is not forwarded here, and the app saw exactly one request.
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value("query").toString(), QStringLiteral("x=1"));
    }

    void clientsOwnAuthorizationPassesUntouched()
    {
        auto r = curl({"-H", "Authorization: Basic dXNlcjpwYXNz", local("demo-web", "/api/echo")});
        QCOMPARE(r.status, 200);
        const auto headers = echoHeaders(r.body);
        QCOMPARE(valuesOf(headers, "Authorization"), QStringList{"Basic dXNlcjpwYXNz"});
        QVERIFY(valuesOf(headers, "X-Heyo-Authorization").isEmpty());   // consumed by the edge
        QCOMPARE(valuesOf(headers, "X-Heyo-Email"), QStringList{kAda}); // so the token did ride along
        // A client-sent X-Heyo-Authorization is replaced by ours, never passed on or preferred.
        auto forged = curl({"-H", "X-Heyo-Authorization: Bearer forged", local("demo-web", "/api/echo")});
        QCOMPARE(forged.status, 200);
        QCOMPARE(valuesOf(echoHeaders(forged.body), "X-Heyo-Email"), QStringList{kAda});
        // The client's Connection list cannot take the token header off: hop-by-hop headers go before it is added.
        for (const QString &list : {QStringLiteral("Authorization"), QStringLiteral("X-Heyo-Authorization")}) {
            auto hop = curl({"-H", "Connection: keep-alive, " + list, local("demo-web", "/api/echo")});
            QCOMPARE(hop.status, 200);
            QCOMPARE(valuesOf(echoHeaders(hop.body), "X-Heyo-Email"), QStringList{kAda});
        }
    }

    void keepAliveAndSessionReuseUpstream()
    {
        QCOMPARE(curl({local("demo-web", "/api/whoami")}).status, 200); // one full handshake leaves a session
        const auto before = stats("demo-web");
        QStringList urls;
        for (int i = 0; i < 10; ++i)
            urls << local("demo-web", QStringLiteral("/api/echo?n=%1").arg(i));
        const int hitsBefore = edgeHits(m_edge, "demo-web");
        const QList<int> statuses = test::curlParallel(urls); // 10 parallel client connections
        QCOMPARE(statuses, QList<int>(10, 200));
        for (int i = 0; i < 10; ++i) // and 10 one after another on one kept-alive client connection
            QCOMPARE(rawStatus("demo-web", "GET /api/echo HTTP/1.1\r\n" + hostLine("demo-web") + "\r\n"), 200);
        QTRY_COMPARE_WITH_TIMEOUT(edgeHits(m_edge, "demo-web"), hitsBefore + 20, 5000);
        const auto after = stats("demo-web");
        QCOMPARE(after.upstreamRequests - before.upstreamRequests, quint64(20));
        const quint64 opened = after.upstreamConnections - before.upstreamConnections;
        QVERIFY2(opened <= 10, qPrintable(QString::number(opened))); // the sequential ten reused pooled ones
        QVERIFY(after.upstreamConnections < after.upstreamRequests);
        if (after.upstreamConnections > 1) // every connection after the first resumes the TLS session
            QVERIFY2(
                after.upstreamTlsResumed >= after.upstreamConnections - 1,
                qPrintable(QStringLiteral("%1 of %2").arg(after.upstreamTlsResumed).arg(after.upstreamConnections)));
    }

    void bodiesBothWays()
    {
        QTemporaryDir dir;
        QByteArray data(3 * 1024 * 1024 + 17, Qt::Uninitialized);
        for (int i = 0; i < data.size(); ++i)
            data[i] = char((i * 131) ^ (i >> 9));
        QFile f(dir.filePath("body.bin"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
        f.close();
        const QString sha = QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
        auto check = [&](const QStringList &args, const QString &method) {
            auto r = curl(args + QStringList{local("demo-web", "/api/echo")});
            QCOMPARE(r.status, 200);
            const QJsonObject o = QJsonDocument::fromJson(r.body).object();
            QCOMPARE(o.value("method").toString(), method);
            QCOMPARE(o.value("body_bytes").toInteger(), qint64(data.size()));
            QCOMPARE(o.value("body_sha256").toString(), sha);
        };
        check({"--data-binary", "@" + f.fileName()}, "POST");
        if (QTest::currentTestFailed())
            return;
        check({"-X", "PUT", "--data-binary", "@" + f.fileName()}, "PUT");
        if (QTest::currentTestFailed())
            return;
        check({"-H", "Transfer-Encoding: chunked", "--data-binary", "@" + f.fileName()}, "POST"); // chunked upload
        if (QTest::currentTestFailed())
            return;
        // Downloads stream back intact.
        auto d = curl({local("demo-files", "/download?size=5000000")});
        QCOMPARE(d.status, 200);
        QCOMPARE(d.body.size(), 5000000);
    }

    void redirectStaysOnTheLocalOrigin()
    {
        auto r = curl({"-L", local("demo-web", "/redirect?to=/api/echo")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.effectiveUrl, local("demo-web", "/api/echo"));
        auto once = curl({local("demo-web", "/redirect?to=/landing")});
        QCOMPARE(once.status, 302);
        QCOMPARE(once.header("Location"), local("demo-web", "/landing").toUtf8());
    }

    void cookieDomainMapped()
    {
        auto r = curl({local("demo-web", "/cookie")});
        QCOMPARE(r.status, 200);
        const QByteArray cookie = r.header("Set-Cookie");
        QVERIFY(cookie.startsWith("heyo_demo=hello")); // the app did set a Domain (see its own body)
        QVERIFY(QJsonDocument::fromJson(r.body).object().value("set_cookie").toString().contains("Domain=demo-web"));
        QVERIFY2(!cookie.contains("Domain"), cookie.constData());
        QVERIFY(cookie.contains("Path=/"));
    }

    void hostRebindingRefused_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("nip.io") << "127.0.0.1.nip.io:%1";
        QTest::newRow("other port") << "localhost:1";
        QTest::newRow("no port") << "127.0.0.1";
        QTest::newRow("evil") << "evil.example";
        QTest::newRow("userinfo") << "127.0.0.1:%1@evil.example";
        QTest::newRow("other slug") << "demo-nope.localhost:%1";
    }

    void hostRebindingRefused()
    {
        QFETCH(QString, host);
        const std::string h = QString(host).replace("%1", QString::number(port("demo-web"))).toStdString();
        verifyNeverReachedEdge(
            [&] {
                std::string body;
                QCOMPARE(rawStatus("demo-web", "GET /api/echo HTTP/1.1\r\nHost: " + h + "\r\n\r\n", &body), 421);
                QVERIFY(body.find("was refused") != std::string::npos);
            },
            "a rebinding Host reached the edge");
    }

    void missingOrDuplicateHostIs400()
    {
        verifyNeverReachedEdge(
            [&] {
                QCOMPARE(rawStatus("demo-web", "GET / HTTP/1.1\r\n\r\n"), 400);
                QCOMPARE(
                    rawStatus("demo-web", "GET / HTTP/1.1\r\n" + hostLine("demo-web") + hostLine("demo-web") + "\r\n"),
                    400);
            },
            "a request without one Host reached the edge");
    }

    void ownOriginsAccepted()
    {
        const std::string p = std::to_string(port("demo-web"));
        for (const std::string &host : {"127.0.0.1:" + p, "localhost:" + p, "LOCALHOST:" + p, "[::1]:" + p})
            QCOMPARE(rawStatus("demo-web", "GET /api/whoami HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" + host +
                                               "\r\nSec-Fetch-Site: same-origin\r\n\r\n"),
                     200);
    }

    void crossSiteRefused_data()
    {
        QTest::addColumn<QString>("header");
        QTest::newRow("origin cross-site") << "Origin: https://evil.example";
        QTest::newRow("origin other port") << "Origin: http://127.0.0.1:1";
        QTest::newRow("origin null") << "Origin: null";
        QTest::newRow("sec-fetch-site cross-site") << "Sec-Fetch-Site: cross-site";
        QTest::newRow("sec-fetch-site same-site") << "Sec-Fetch-Site: same-site";
    }

    void crossSiteRefused()
    {
        QFETCH(QString, header);
        verifyNeverReachedEdge(
            [&] {
                for (const char *method : {"GET", "POST", "OPTIONS"})
                    QCOMPARE(rawStatus("demo-web", std::string(method) + " /api/echo HTTP/1.1\r\n" +
                                                       hostLine("demo-web") + header.toStdString() +
                                                       "\r\nContent-Length: 0\r\n\r\n"),
                             403);
            },
            "a cross-site request reached the edge");
    }

    void webSocketCrossSiteRefusedBeforeDialling()
    {
        const int before = edgeHits(m_edge, "demo-ws");
        const std::string upgrade = "GET / HTTP/1.1\r\n" + hostLine("demo-ws") +
                                    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        const auto statsBefore = stats("demo-ws");
        QCOMPARE(rawStatus("demo-ws", upgrade + "Origin: https://evil.example\r\n\r\n"), 403);
        QCOMPARE(stats("demo-ws").upstreamConnections, statsBefore.upstreamConnections); // nothing was dialled
        QCOMPARE(stats("demo-ws").upstreamRequests, statsBefore.upstreamRequests);
        {
            // The same upgrade from the forwarder's own origin becomes a tunnel.
            RawClient c(port("demo-ws"));
            QVERIFY(c.send(upgrade + "Origin: http://127.0.0.1:" + std::to_string(port("demo-ws")) + "\r\n\r\n"));
            auto r = c.readResponse(true);
            QCOMPARE(r.status, 101);
            QCOMPARE(test::lower(r.header("Upgrade")), std::string("websocket"));
        }
        // The edge logs the tunnel once it ends: exactly one request, the good one.
        QTRY_COMPARE_WITH_TIMEOUT(edgeHits(m_edge, "demo-ws"), before + 1, 5000);
        QTest::qWait(200);
        QCOMPARE(edgeHits(m_edge, "demo-ws"), before + 1);
    }

    void ambiguousFramingIs400AndNeverSmuggled_data()
    {
        QTest::addColumn<QString>("request");
        QTest::newRow("CL+TE smuggling") << "POST /api/echo HTTP/1.1\r\n%H"
                                            "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                                            "GET /api/echo HTTP/1.1\r\n%H\r\n";
        QTest::newRow("TE+CL smuggling") << "POST /api/echo HTTP/1.1\r\n%HTransfer-Encoding: chunked\r\n"
                                            "Content-Length: 40\r\n\r\n0\r\n\r\nGET /api/echo HTTP/1.1\r\n%H\r\n";
        QTest::newRow("two lengths") << "POST /api/echo HTTP/1.1\r\n%HContent-Length: 3\r\nContent-Length: 4\r\n\r\n"
                                        "abcd";
        QTest::newRow("length list") << "POST /api/echo HTTP/1.1\r\n%HContent-Length: 3, 3\r\n\r\nabc";
        QTest::newRow("signed length") << "POST /api/echo HTTP/1.1\r\n%HContent-Length: +3\r\n\r\nabc";
        QTest::newRow("hex length") << "POST /api/echo HTTP/1.1\r\n%HContent-Length: 0x3\r\n\r\nabc";
        QTest::newRow("TE gzip,chunked") << "POST /api/echo HTTP/1.1\r\n%HTransfer-Encoding: gzip, chunked\r\n\r\n"
                                            "0\r\n\r\n";
        QTest::newRow("TE in HTTP/1.0") << "POST /api/echo HTTP/1.0\r\n%HTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        QTest::newRow("obs-fold") << "GET /api/echo HTTP/1.1\r\n%HX-A: 1\r\n  folded\r\n\r\n";
        QTest::newRow("bare LF") << "GET /api/echo HTTP/1.1\n%H\n";
        QTest::newRow("bare CR") << "GET /api/echo HTTP/1.1\r\n%HX-A: a\rb\r\n\r\n";
        QTest::newRow("NUL") << QString("GET /api/echo HTTP/1.1\r\n%HX-A: a") + QChar(0) + "b\r\n\r\n";
        QTest::newRow("space before colon") << "GET /api/echo HTTP/1.1\r\n%HX-A : 1\r\n\r\n";
        QTest::newRow("bad chunk size") << "POST /api/echo HTTP/1.1\r\n%HTransfer-Encoding: chunked\r\n\r\n"
                                           "zz\r\nabc\r\n0\r\n\r\n";
        QTest::newRow("bad chunk extension") << "POST /api/echo HTTP/1.1\r\n%HTransfer-Encoding: chunked\r\n\r\n"
                                                "3;\"x\r\nabc\r\n0\r\n\r\n";
        // RFC 9112 §7.1: chunk data is followed by exactly CRLF; here the "XX" would be read as part of the body.
        QTest::newRow("chunk data without CRLF") << "POST /api/echo HTTP/1.1\r\n%HTransfer-Encoding: chunked\r\n\r\n"
                                                    "5\r\nhelloXX0\r\n\r\n";
    }

    void ambiguousFramingIs400AndNeverSmuggled()
    {
        QFETCH(QString, request);
        std::string raw = request.toStdString();
        const std::string host = hostLine("demo-web");
        for (size_t at; (at = raw.find("%H")) != std::string::npos;)
            raw.replace(at, 2, host);
        verifyNeverReachedEdge(
            [&] {
                RawClient c(port("demo-web"));
                QVERIFY(c.send(raw));
                auto r = c.readResponse();
                QCOMPARE(r.status, 400);
                QCOMPARE(test::lower(r.header("Connection")), std::string("close"));
                QVERIFY(c.readUntilClose().empty()); // closed, and no second answer for a smuggled request
            },
            "an ambiguous request reached the edge");
    }

    void limitsAndForms()
    {
        verifyNeverReachedEdge(
            [&] {
                const std::string big(70 * 1024, 'a');
                QCOMPARE(
                    rawStatus("demo-web", "GET / HTTP/1.1\r\n" + hostLine("demo-web") + "X-Big: " + big + "\r\n\r\n"),
                    431);
                QCOMPARE(rawStatus("demo-web", "GET /" + std::string(9 * 1024, 'u') + " HTTP/1.1\r\n" +
                                                   hostLine("demo-web") + "\r\n"),
                         414);
                QCOMPARE(
                    rawStatus("demo-web", "GET http://127.0.0.1/api/echo HTTP/1.1\r\n" + hostLine("demo-web") + "\r\n"),
                    400);
                QCOMPARE(rawStatus("demo-web", "OPTIONS * HTTP/1.1\r\n" + hostLine("demo-web") + "\r\n"), 400);
                QCOMPARE(rawStatus("demo-web", "GET 127.0.0.1:443 HTTP/1.1\r\n" + hostLine("demo-web") + "\r\n"), 400);
                QCOMPARE(rawStatus("demo-web",
                                   "CONNECT demo-web.heyo.localhost:443 HTTP/1.1\r\n" + hostLine("demo-web") + "\r\n"),
                         405);
            },
            "an over-long or absolute-form request reached the edge");
    }

    void headerTimeoutIs408()
    {
        Forwarder::Options o;
        o.extraCaFile = m_edge.caFile();
        o.headerTimeout = std::chrono::milliseconds(400);
        Forwarder slow(m_tokens.get(), o);
        QString error;
        QVERIFY2(slow.forward(spec("demo-web"), &error), qPrintable(error));
        const int before = edgeHits(m_edge, "demo-web");
        RawClient c(slow.portOf("demo-web"));
        QVERIFY(c.send("GET /api/echo HTTP/1.1\r\nHost: 127.0"));
        QElapsedTimer t;
        t.start();
        auto r = c.readResponse();
        QCOMPARE(r.status, 408);
        QVERIFY(t.elapsed() >= 300 && t.elapsed() < 4000);
        QCOMPARE(slow.stats().first().upstreamRequests, quint64(0));
        QTest::qWait(100);
        QCOMPARE(edgeHits(m_edge, "demo-web"), before);
    }

    void h2cUpgradeDropped()
    {
        std::string body;
        QCOMPARE(rawStatus("demo-web",
                           "GET /api/echo HTTP/1.1\r\n" + hostLine("demo-web") +
                               "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                               "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
                           &body),
                 200);
        const auto headers = echoHeaders(QByteArray::fromStdString(body));
        QVERIFY(valuesOf(headers, "Upgrade").isEmpty());
        QVERIFY(valuesOf(headers, "HTTP2-Settings").isEmpty());
        QCOMPARE(valuesOf(headers, "X-Heyo-Email"), QStringList{kAda});
    }

    void otherLocalUserRefused()
    {
        // The same curl as another user (nobody): the connection is closed before a byte is read.
        verifyNeverReachedEdge(
            [&] {
                auto r = curl({local("demo-web", "/api/echo")}, 20000, QStringLiteral("setpriv"),
                              {"--reuid=nobody", "--regid=nogroup", "--clear-groups", "curl"});
                QVERIFY2(r.exitCode == 52 || r.exitCode == 56,
                         qPrintable(QString::number(r.exitCode) + " " + r.stderrText)); // empty reply / reset
                QCOMPARE(r.status, 0);
            },
            "another user's connection reached the edge");
        // As ourselves, the very same command works.
        auto ok = curl({local("demo-web", "/api/whoami")});
        QVERIFY2(ok.status == 200, qPrintable(QString::number(ok.exitCode) + " " + ok.stderrText));
    }

    void errorsAreOneLineAnswers()
    {
        // The endpoint's app is down: the edge says so (502), passed through with its one line.
        const quint16 dead = closedPort();
        auto added = m_edge.admin({"endpoint", "add", "--account", kAda, "--slug", "dead-app", "--target",
                                   QStringLiteral("http://127.0.0.1:%1").arg(dead), "--device", "laptop"});
        QCOMPARE(added.exitCode, 0);
        QString error;
        QVERIFY2(m_fwd->forward(spec("dead-app"), &error), qPrintable(error));
        auto app = curl({local("dead-app", "/")});
        QCOMPARE(app.status, 502);
        QCOMPARE(app.body.count('\n'), 1);
        QVERIFY(app.body.endsWith('\n'));

        // The edge itself is unreachable: the forwarder answers 502, naming the endpoint, and reports it.
        QSignalSpy upstreamError(m_fwd.get(), &Forwarder::upstreamError);
        const quint16 nobody = closedPort();
        QVERIFY(
            m_fwd->forward(spec("gone", QUrl(QStringLiteral("https://gone.heyo.localhost:%1/").arg(nobody))), &error));
        auto gone = curl({local("gone", "/")});
        QCOMPARE(gone.status, 502);
        QCOMPARE(gone.body.count('\n'), 1);
        QVERIFY2(gone.body.contains("cannot reach endpoint 'gone'"), gone.body.constData());
        QVERIFY2(gone.body.contains("refused"), gone.body.constData());
        QTRY_VERIFY(!upstreamError.isEmpty());
        QCOMPARE(upstreamError.first().at(0).toString(), QStringLiteral("gone"));
        QCOMPARE(stats("gone").lastError.isEmpty(), false);

        // The edge's certificate is not trusted (no extra CA): 502 naming the host and the reason.
        Forwarder::Options o; // system CAs only
        Forwarder untrusting(m_tokens.get(), o);
        QVERIFY2(untrusting.forward(spec("demo-web"), &error), qPrintable(error));
        const int before = edgeHits(m_edge, "demo-web");
        auto tls = curl({QStringLiteral("http://127.0.0.1:%1/api/echo").arg(untrusting.portOf("demo-web"))});
        QCOMPARE(tls.status, 502);
        QCOMPARE(tls.body.count('\n'), 1);
        QVERIFY2(tls.body.contains("demo-web.heyo.localhost"), tls.body.constData());
        QVERIFY2(tls.body.contains("not trusted"), tls.body.constData());
        QTest::qWait(100);
        QCOMPARE(edgeHits(m_edge, "demo-web"), before); // the handshake failed: no request was sent
        // The same forwarder trusts an endpoint whose spec names its service's CA (accounts of different services).
        forward::ForwardSpec withCa = spec("demo-files");
        withCa.caFile = m_edge.caFile();
        QVERIFY2(untrusting.forward(withCa, &error), qPrintable(error));
        QCOMPARE(
            curl({QStringLiteral("http://127.0.0.1:%1/download?size=5").arg(untrusting.portOf("demo-files"))}).status,
            200);
        forward::ForwardSpec badCa = spec("demo-events");
        badCa.caFile = QStringLiteral("/nonexistent/ca.pem");
        QVERIFY(!untrusting.forward(badCa, &error));
        QVERIFY2(error.contains("/nonexistent/ca.pem"), qPrintable(error));
        m_fwd->stop(QStringLiteral("dead-app"));
        m_fwd->stop(QStringLiteral("gone"));
    }

    void anotherAccountsEndpointReported()
    {
        QSignalSpy wrong(m_fwd.get(), &Forwarder::wrongAccount);
        auto r = curl({local("bob-notes", "/")});
        QCOMPARE(r.status, 403);
        QTRY_COMPARE(wrong.count(), 1);
        QCOMPARE(wrong.first().at(0).toString(), QStringLiteral("bob-notes"));
        QVERIFY(wrong.first().at(1).toString().contains("another account"));
        QTRY_COMPARE_WITH_TIMEOUT(edgeHits(m_edge, "bob-notes", 403), 1, 5000);
    }

    void countersMove()
    {
        const auto before = stats("demo-web");
        QCOMPARE(curl({local("demo-web", "/api/echo")}).status, 200);
        const auto after = stats("demo-web");
        QCOMPARE(after.requests, before.requests + 1);
        QVERIFY(after.bytesIn > before.bytesIn);
        QVERIFY(after.bytesOut > before.bytesOut + 100);
        QCOMPARE(after.upstreamRequests, before.upstreamRequests + 1);
        QCOMPARE(after.port, port("demo-web"));
    }

    void stopLetsInFlightFinish()
    {
        const quint16 p = port("demo-events");
        QProcess events;
        QSignalSpy done(&events, &QProcess::finished);
        events.start("curl", {"-sS", "-N", "--max-time", "30",
                              QStringLiteral("http://127.0.0.1:%1/events?count=6&interval_ms=250").arg(p)});
        QVERIFY(events.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(events.bytesAvailable() > 0 || !events.peek(1).isEmpty(), 10000);
        m_fwd->stop(QStringLiteral("demo-events"), std::chrono::seconds(10));
        QVERIFY(!m_fwd->isForwarding(QStringLiteral("demo-events")));
        // New connections are refused at once...
        auto late = curl({QStringLiteral("http://127.0.0.1:%1/events?count=1").arg(p)});
        QCOMPARE(late.exitCode, 7); // could not connect
        // ...while the stream in flight runs to its end.
        QVERIFY(done.wait(20000));
        QCOMPARE(events.exitCode(), 0);
        const QByteArray out = events.readAllStandardOutput();
        curlStderrAppend(events.readAllStandardError());
        QCOMPARE(out.count("data:"), 6);
    }

private:
    static void curlStderrAppend(const QByteArray &b) { test::curlStderr() += b; }
};

QTEST_GUILESS_MAIN(TestForwarderDataPath)
#include "tst_forwarder_datapath.moc"
