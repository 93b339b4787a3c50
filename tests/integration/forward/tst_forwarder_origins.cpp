// Allowed browser origins through the real forwarder against a real heyo-edge, with real curl and a raw WebSocket
// client: a page's origin the user allowed for an endpoint passes for GET, POST and a WebSocket upgrade (whatever
// Sec-Fetch-Site says) and is granted CORS; its preflight is answered without reaching the edge; any other origin,
// Origin: null and a cross-site request without Origin still get 403, whose line says how to allow the origin; the
// list is per endpoint (also on the router) and a new list applies to a running forward at once.
#include "ForwardTestSupport.h"
#include "NetTestSupport.h"

#include "core/auth/MemorySecretStore.h"
#include "core/forward/AccountTokens.h"
#include "core/forward/Forwarder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>

using namespace heyo;
using forward::Forwarder;
using heyo::test::curl;
using heyo::test::edgeHits;
using heyo::test::RawClient;

namespace {

const QString kAda = QStringLiteral("ada@demo.heyo");
const QString kApp = QStringLiteral("https://app.example");   // allowed for demo-web
const QString kDev = QStringLiteral("http://localhost:5173"); // allowed for demo-ws
const QString kEvil = QStringLiteral("https://evil.example"); // allowed nowhere

QString echoedHeader(const QByteArray &json, const QString &name)
{
    for (const QJsonValue &v : QJsonDocument::fromJson(json).object().value("headers").toArray())
        if (v.toArray().at(0).toString().compare(name, Qt::CaseInsensitive) == 0)
            return v.toArray().at(1).toString();
    return QStringLiteral("<none>");
}

// One masked client text frame (RFC 6455 §5.2), payload under 126 bytes.
std::string maskedTextFrame(const std::string &payload)
{
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    std::string f;
    f += char(0x81);
    f += char(0x80 | payload.size());
    f.append(reinterpret_cast<const char *>(mask), 4);
    for (size_t i = 0; i < payload.size(); ++i)
        f += char(payload[i] ^ mask[i % 4]);
    return f;
}

} // namespace

class TestForwarderOrigins : public QObject {
    Q_OBJECT

private:
    test::EdgeProcess m_edge;
    QNetworkAccessManager m_nam;
    std::unique_ptr<auth::MemorySecretStore> m_store;
    std::unique_ptr<auth::SessionManager> m_sessions;
    std::unique_ptr<forward::AccountTokens> m_tokens;
    std::unique_ptr<Forwarder> m_fwd;
    QString m_ada;

    quint16 port(const QString &slug) const { return m_fwd->portOf(slug); }
    QString local(const QString &slug, const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(port(slug)).arg(path);
    }
    forward::ForwardSpec spec(const QString &slug, const QStringList &origins) const
    {
        forward::ForwardSpec s;
        s.slug = slug;
        s.accountId = m_ada;
        s.accountName = kAda;
        s.endpointUrl = QUrl(m_edge.endpointUrl(slug));
        s.allowedOrigins = origins;
        return s;
    }
    // A browser's cross-origin fetch from `origin`, as Chromium sends it.
    static QStringList fromPage(const QString &origin)
    {
        return {"-H", "Origin: " + origin, "-H", "Sec-Fetch-Site: cross-site", "-H", "Sec-Fetch-Mode: cors"};
    }
    std::string upgrade(const QString &slug, const QString &origin) const
    {
        return "GET /chat HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port(slug)) +
               "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-Fetch-Site: cross-site\r\nOrigin: " +
               origin.toStdString() + "\r\n\r\n";
    }

    // The 403 of a refused origin: says which command and which Settings page allow it, and grants nothing.
    void verifyRefusedWithHowTo(const test::CurlRun &r, const QString &slug, const QString &origin)
    {
        QCOMPARE(r.status, 403);
        const QString body = QString::fromUtf8(r.body);
        QVERIFY2(body.contains(QStringLiteral("heyo forward %1 --allow-origin %2").arg(slug, origin)),
                 qPrintable(body));
        QVERIFY2(body.contains(QStringLiteral("Settings → Endpoints → Allowed origins")), qPrintable(body));
        QCOMPARE(body.count('\n'), 1);
        QVERIFY(r.header("Access-Control-Allow-Origin").isEmpty());
    }

private slots:
    void initTestCase()
    {
        test::captureQtLog();
        QVERIFY2(m_edge.start(QStringLiteral("demo")), qPrintable(m_edge.error()));
        auto issued = m_edge.admin({"api-key", "issue", "--account", kAda, "--label", "origins-test"});
        QCOMPARE(issued.exitCode, 0);
        m_store = std::make_unique<auth::MemorySecretStore>();
        m_sessions = std::make_unique<auth::SessionManager>(m_store.get(), &m_nam, nullptr);
        auto in = test::signInWithKey(*m_sessions, test::serviceOf(m_edge), issued.out.trimmed());
        QVERIFY(in.has_value());
        QVERIFY2(in->ok(), qPrintable(in->message));
        m_ada = in->account.id;
        m_tokens = std::make_unique<forward::AccountTokens>(m_sessions.get());
        bool loaded = false; // the raw clients below block this thread, where the sessions answer
        m_tokens->fetch(m_ada, {}, [&](const std::string &token, const QString &) { loaded = !token.empty(); });
        QTRY_VERIFY_WITH_TIMEOUT(loaded, 20000);
        Forwarder::Options o;
        o.extraCaFile = m_edge.caFile();
        m_fwd = std::make_unique<Forwarder>(m_tokens.get(), o);
        QString error;
        // Written the way a user might type them: the forwarder holds them normalised.
        QVERIFY2(m_fwd->forward(spec("demo-web", {"HTTPS://App.Example:443/"}), &error), qPrintable(error));
        QVERIFY2(m_fwd->forward(spec("demo-ws", {kDev}), &error), qPrintable(error));
        QVERIFY2(m_fwd->forward(spec("demo-files", {}), &error), qPrintable(error));
        QVERIFY2(m_fwd->startRouter(0, &error), qPrintable(error));
    }

    void allowedOriginGetAndPost()
    {
        // GET: answered by the endpoint with Ada's identity, and readable by the page (CORS granted to it).
        auto r = curl(fromPage(kApp) + QStringList{local("demo-web", "/api/whoami")});
        QCOMPARE(r.status, 200);
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value("email").toString(), kAda);
        QCOMPARE(r.header("Access-Control-Allow-Origin"), kApp.toUtf8());
        QCOMPARE(r.header("Access-Control-Allow-Credentials"), QByteArray("true"));
        // Field names are case-insensitive (over HTTP/2 to the edge they arrive in lower case).
        QVERIFY2(r.header("Access-Control-Expose-Headers").toLower().contains("content-type"),
                 r.header("Access-Control-Expose-Headers").constData());
        QVERIFY(r.headerValues("Vary").join(',').contains("Origin"));
        // POST with a JSON body (and same-site, as from another port of the same host name): the app gets the body
        // and the page's true Origin, never the token.
        r = curl({"-H", "Origin: " + kApp, "-H", "Sec-Fetch-Site: same-site", "-H", "Content-Type: application/json",
                  "--data-binary", R"({"from":"the page"})", local("demo-web", "/api/echo")});
        QCOMPARE(r.status, 200);
        const QJsonObject echo = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(echo.value("method").toString(), QStringLiteral("POST"));
        QCOMPARE(echo.value("body").toString(), QStringLiteral(R"({"from":"the page"})"));
        QCOMPARE(echoedHeader(r.body, "Origin"), kApp);
        QCOMPARE(echoedHeader(r.body, "Authorization"), QStringLiteral("<none>"));
        QCOMPARE(r.header("Access-Control-Allow-Origin"), kApp.toUtf8());
    }

    void preflightAnsweredWithoutReachingTheEdge()
    {
        const int before = edgeHits(m_edge, "demo-web");
        auto r =
            curl({"-X", "OPTIONS", "-H", "Origin: " + kApp, "-H", "Sec-Fetch-Site: cross-site", "-H",
                  "Access-Control-Request-Method: PUT", "-H", "Access-Control-Request-Headers: content-type,x-trace",
                  "-H", "Access-Control-Request-Private-Network: true", local("demo-web", "/api/echo")});
        QCOMPARE(r.status, 204);
        QCOMPARE(r.header("Access-Control-Allow-Origin"), kApp.toUtf8());
        QCOMPARE(r.header("Access-Control-Allow-Methods"), QByteArray("PUT"));
        QCOMPARE(r.header("Access-Control-Allow-Headers"), QByteArray("content-type,x-trace"));
        QCOMPARE(r.header("Access-Control-Allow-Credentials"), QByteArray("true"));
        QCOMPARE(r.header("Access-Control-Allow-Private-Network"), QByteArray("true"));
        // The PUT the preflight asked leave for.
        r = curl({"-X", "PUT", "-H", "Origin: " + kApp, "-H", "Sec-Fetch-Site: cross-site", "-H", "X-Trace: 7",
                  "--data-binary", "put body", local("demo-web", "/api/echo")});
        QCOMPARE(r.status, 200);
        QCOMPARE(echoedHeader(r.body, "X-Trace"), QStringLiteral("7"));
        // The edge saw the PUT and nothing else.
        QTRY_VERIFY_WITH_TIMEOUT(edgeHits(m_edge, "demo-web") >= before + 1, 5000);
        QTest::qWait(200);
        QCOMPARE(edgeHits(m_edge, "demo-web"), before + 1);
        // A non-preflight OPTIONS of the page is the app's business: forwarded.
        r = curl({"-X", "OPTIONS", "-H", "Origin: " + kApp, local("demo-web", "/api/echo")});
        QCOMPARE(r.status, 200);
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value("method").toString(), QStringLiteral("OPTIONS"));
    }

    void otherOriginsStillRefused()
    {
        const int before = edgeHits(m_edge, "demo-web");
        for (const char *method : {"GET", "POST", "OPTIONS"})
            verifyRefusedWithHowTo(
                curl(fromPage(kEvil) + QStringList{"-X", method, "-H", "Access-Control-Request-Method: POST",
                                                   local("demo-web", "/api/echo")}),
                "demo-web", kEvil);
        // Allowed for demo-web is not allowed for demo-files.
        verifyRefusedWithHowTo(curl(fromPage(kApp) + QStringList{local("demo-files", "/download?size=10")}),
                               "demo-files", kApp);
        // Never openable: Origin: null, and a cross-site request that does not say who sent it.
        auto r = curl({"-H", "Origin: null", local("demo-web", "/api/whoami")});
        QCOMPARE(r.status, 403);
        QVERIFY(r.body.contains("cannot be allowed"));
        r = curl({"-H", "Sec-Fetch-Site: cross-site", local("demo-web", "/api/whoami")});
        QCOMPARE(r.status, 403);
        QVERIFY(r.body.contains("Sec-Fetch-Site: cross-site"));
        QTest::qWait(200);
        QCOMPARE(edgeHits(m_edge, "demo-web"), before);
    }

    void responsesVaryOnOriginOnlyWhereOriginsAreAllowed()
    {
        // A same-origin request to demo-web: no grant, but Vary: Origin, so a cached copy is not reused for the page.
        auto r = curl({local("demo-web", "/api/whoami")});
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("Access-Control-Allow-Origin").isEmpty());
        QVERIFY(r.headerValues("Vary").join(',').contains("Origin"));
        r = curl({local("demo-files", "/download?size=10")});
        QCOMPARE(r.status, 200);
        QVERIFY(!r.headerValues("Vary").join(',').contains("Origin"));
    }

    void webSocketFromAnAllowedOrigin()
    {
        {
            RawClient c(port("demo-ws"));
            QVERIFY(c.send(upgrade("demo-ws", kDev)));
            auto r = c.readResponse(true);
            QCOMPARE(r.status, 101);
            QVERIFY(r.header("Access-Control-Allow-Origin").empty()); // a handshake is not CORS
            // The tunnel works: a text frame comes back from the echo app.
            QVERIFY(c.send(maskedTextFrame("hello from the page")));
            while (c.buffer().size() < 2 + 19 && c.fill()) {
            }
            QCOMPARE(c.buffer().substr(0, 2), std::string("\x81\x13"));
            QCOMPARE(c.buffer().substr(2, 19), std::string("hello from the page"));
        }
        // The origin allowed for demo-web is not allowed for demo-ws: refused before anything is dialled.
        quint64 dialled = 0;
        for (const auto &s : m_fwd->stats())
            if (s.slug == "demo-ws")
                dialled = s.upstreamConnections;
        RawClient c(port("demo-ws"));
        QVERIFY(c.send(upgrade("demo-ws", kApp)));
        auto r = c.readResponse();
        QCOMPARE(r.status, 403);
        QVERIFY2(r.body.find("heyo forward demo-ws --allow-origin https://app.example") != std::string::npos,
                 r.body.c_str());
        for (const auto &s : m_fwd->stats())
            if (s.slug == "demo-ws")
                QCOMPARE(s.upstreamConnections, dialled);
    }

    void routerChecksTheEndpointAskedFor()
    {
        const QString router = QString::number(m_fwd->routerPort());
        auto r = curl(fromPage(kApp) + QStringList{"http://demo-web.localhost:" + router + "/api/whoami"});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Access-Control-Allow-Origin"), kApp.toUtf8());
        verifyRefusedWithHowTo(curl(fromPage(kApp) + QStringList{"http://demo-files.localhost:" + router + "/"}),
                               "demo-files", kApp);
        // The bare router address names no endpoint: the how-to says ENDPOINT rather than guessing one.
        r = curl(fromPage(kApp) + QStringList{"http://127.0.0.1:" + router + "/"});
        QCOMPARE(r.status, 403);
        QVERIFY2(r.body.contains("heyo forward ENDPOINT --allow-origin https://app.example"), r.body.constData());
    }

    void newListAppliesToARunningForward()
    {
        const quint16 files = port("demo-files"), web = port("demo-web");
        const QString router = QString::number(m_fwd->routerPort());
        QVERIFY(m_fwd->setAllowedOrigins("demo-files", {kApp}));
        QVERIFY(m_fwd->setAllowedOrigins("demo-web", {}));
        QVERIFY(!m_fwd->setAllowedOrigins("demo-git", {kApp})); // not forwarded
        QCOMPARE(port("demo-files"), files);                    // the same listeners: nothing restarted
        QCOMPARE(port("demo-web"), web);
        auto r = curl(fromPage(kApp) + QStringList{local("demo-files", "/download?size=10")});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Access-Control-Allow-Origin"), kApp.toUtf8());
        verifyRefusedWithHowTo(curl(fromPage(kApp) + QStringList{local("demo-web", "/api/whoami")}), "demo-web", kApp);
        // The router follows.
        QCOMPARE(
            curl(fromPage(kApp) + QStringList{"http://demo-files.localhost:" + router + "/download?size=1"}).status,
            200);
        QCOMPARE(curl(fromPage(kApp) + QStringList{"http://demo-web.localhost:" + router + "/api/whoami"}).status, 403);
    }

    void cleanupTestCase()
    {
        m_fwd.reset();
        m_edge.stop();
        const QByteArray logs = m_edge.log() + test::capturedOutput();
        QVERIFY(logs.contains("heyo-edge: GET demo-web.heyo.localhost"));
        QCOMPARE(logs.count("eyJ"), 0);
        QCOMPARE(logs.count("heyo_"), 0);
    }
};

QTEST_GUILESS_MAIN(TestForwarderOrigins)
#include "tst_forwarder_origins.moc"
