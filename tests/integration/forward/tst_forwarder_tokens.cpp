// The forwarder's token lifecycle against a real heyo-edge: an expired token replaced without the client noticing;
// 200 requests in flight when the edge stops accepting the token (its signing key rotated) → exactly one API-key
// exchange, none lost, none sent with the old token after the refresh; a request too big to replay gets the 401 and
// the refresh still happens; without a kept key the answer is a 401 that says to sign in again. No secret in any log.
#include "ForwardTestSupport.h"

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

namespace {
const QString kAda = QStringLiteral("ada@demo.heyo");

bool seesAda(const QByteArray &echoJson)
{
    for (const QJsonValue &v : QJsonDocument::fromJson(echoJson).object().value("headers").toArray())
        if (v.toArray().at(0).toString().compare("X-Heyo-Email", Qt::CaseInsensitive) == 0)
            return v.toArray().at(1).toString() == kAda;
    return false;
}
} // namespace

class TestForwarderTokens : public QObject {
    Q_OBJECT

private:
    QByteArray m_allLogs;

    // Everything one scenario needs: a demo edge, Ada signed in (with a kept API key, or by password), demo-web
    // forwarded.
    struct Setup {
        test::EdgeProcess edge;
        QNetworkAccessManager nam;
        auth::MemorySecretStore store;
        std::unique_ptr<auth::SessionManager> sessions;
        std::unique_ptr<forward::AccountTokens> tokens;
        std::unique_ptr<Forwarder> fwd;
        QString ada;
        QString url(const QString &path) const
        {
            return QStringLiteral("http://127.0.0.1:%1%2").arg(fwd->portOf("demo-web")).arg(path);
        }
    };

    void setUp(Setup &s, bool keepKey, const QStringList &edgeArgs = {})
    {
        QVERIFY2(s.edge.start(QStringLiteral("demo"), edgeArgs), qPrintable(s.edge.error()));
        s.sessions = std::make_unique<auth::SessionManager>(&s.store, &s.nam, nullptr);
        std::optional<auth::SessionManager::SignInReply> in;
        if (keepKey) {
            auto issued = s.edge.admin({"api-key", "issue", "--account", kAda, "--label", "forwarder-tokens"});
            QCOMPARE(issued.exitCode, 0);
            in = test::signInWithKey(*s.sessions, test::serviceOf(s.edge), issued.out.trimmed());
        } else {
            in = test::signInWithPassword(*s.sessions, test::serviceOf(s.edge), kAda, "ada-demo-password");
        }
        QVERIFY(in.has_value());
        QVERIFY2(in->ok(), qPrintable(in->message));
        s.ada = in->account.id;
        s.tokens = std::make_unique<forward::AccountTokens>(s.sessions.get());
        Forwarder::Options o;
        o.extraCaFile = s.edge.caFile();
        s.fwd = std::make_unique<Forwarder>(s.tokens.get(), o);
        forward::ForwardSpec spec;
        spec.slug = "demo-web";
        spec.accountId = s.ada;
        spec.accountName = kAda;
        spec.endpointUrl = QUrl(s.edge.endpointUrl("demo-web"));
        QString error;
        QVERIFY2(s.fwd->forward(spec, &error), qPrintable(error));
        auto first = curl({s.url("/api/echo")});
        QCOMPARE(first.status, 200);
        QVERIFY(seesAda(first.body));
    }

    // The edge stops accepting every token it issued so far (new signing key), on the same port; API keys and
    // accounts stay. For the sessions the token still looks valid for an hour: only the 401 can tell.
    void rotateSigningKey(Setup &s)
    {
        const int port = s.edge.port();
        m_allLogs += s.edge.log();
        s.edge.stop();
        m_allLogs += s.edge.log();
        QVERIFY(QFile::remove(s.edge.dataDir() + "/keys/jwt-ed25519.pem"));
        QVERIFY2(s.edge.start(QStringLiteral("demo"), {"--listen", QStringLiteral("127.0.0.1:%1").arg(port)}),
                 qPrintable(s.edge.error()));
        QCOMPARE(s.edge.port(), port);
    }

    void collectLogs(Setup &s)
    {
        s.fwd.reset();
        m_allLogs += s.edge.log();
        s.edge.stop();
        m_allLogs += s.edge.log();
    }

private slots:
    void initTestCase() { test::captureQtLog(); }

    void cleanupTestCase()
    {
        m_allLogs += test::capturedOutput();
        QVERIFY(m_allLogs.contains("heyo-edge: GET demo-web.heyo.localhost")); // the logs really were read
        QCOMPARE(m_allLogs.count("eyJ"), 0);
        QCOMPARE(m_allLogs.count("heyo_"), 0);
    }

    void expiredTokenReplacedTransparently()
    {
        Setup s;
        setUp(s, true, {"--token-lifetime", "3"});
        if (QTest::currentTestFailed())
            return;
        QTest::qWait(4500); // the first token has expired by now
        for (int i = 0; i < 3; ++i) {
            auto r = curl({s.url("/api/echo")});
            QCOMPARE(r.status, 200);
            QVERIFY(seesAda(r.body));
        }
        QVERIFY(s.sessions->exchangeCount() >= 1);
        collectLogs(s);
    }

    void twoHundredInFlightShareOneRefresh()
    {
        Setup s;
        setUp(s, true);
        if (QTest::currentTestFailed())
            return;
        rotateSigningKey(s);
        if (QTest::currentTestFailed())
            return;
        const int exchanges = s.sessions->exchangeCount();
        const auto before = s.fwd->stats().first();
        QStringList urls;
        for (int i = 0; i < 200; ++i)
            urls << s.url(QStringLiteral("/api/echo?i=%1").arg(i));
        const QList<int> statuses = test::curlParallel(urls);
        QCOMPARE(statuses.size(), 200);
        QCOMPARE(statuses.count(200), 200);                   // none lost, none answered 401
        QCOMPARE(s.sessions->exchangeCount(), exchanges + 1); // exactly one refresh for all of them

        // At the edge: each request was refused at most once (with the old token), then served with the new one.
        QTRY_COMPARE_WITH_TIMEOUT(edgeHits(s.edge, "demo-web", 200), 200, 10000);
        const int rejected = edgeHits(s.edge, "demo-web", 401);
        QVERIFY2(rejected >= 1 && rejected <= 200, qPrintable(QString::number(rejected)));
        qInfo("%d of 200 requests were refused once with the old token, then retried", rejected);
        const auto after = s.fwd->stats().first();
        QCOMPARE(after.upstreamRequests - before.upstreamRequests, quint64(200 + rejected));
        // After the refresh nothing carries the old token any more.
        QCOMPARE(test::curlParallel(urls.mid(0, 50)).count(200), 50);
        QTRY_COMPARE_WITH_TIMEOUT(edgeHits(s.edge, "demo-web", 200), 250, 10000);
        QCOMPARE(edgeHits(s.edge, "demo-web", 401), rejected);
        QCOMPARE(s.sessions->exchangeCount(), exchanges + 1);
        // The edge speaks HTTP/2: the burst was multiplexed on a few connections instead of one per request (TLS
        // resumption for new connections is tst_engine_proxy's and tst_forwarder_datapath's to show).
        const quint64 opened = after.upstreamConnections - before.upstreamConnections;
        qInfo("200 requests in flight took %llu new upstream connection(s)", static_cast<unsigned long long>(opened));
        QVERIFY2(opened <= 10, qPrintable(QString::number(opened)));

        // A request too big to replay (over 64 KiB) gets the edge's 401, and the refresh still happens for what
        // follows.
        rotateSigningKey(s);
        if (QTest::currentTestFailed())
            return;
        QTemporaryDir dir;
        QFile f(dir.filePath("big"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(100 * 1024, 'b'));
        f.close();
        const auto beforeBig = s.fwd->stats().first();
        auto big = curl({"--data-binary", "@" + f.fileName(), s.url("/api/echo")});
        QCOMPARE(big.status, 401);
        QVERIFY(!big.body.contains("signed out of")); // the edge's own answer, passed through
        QTRY_COMPARE_WITH_TIMEOUT(s.sessions->exchangeCount(), exchanges + 2, 10000);
        auto next = curl({s.url("/api/echo")});
        QCOMPARE(next.status, 200);
        QVERIFY(seesAda(next.body));
        // Two upstream requests in all (no retry of either), and the only 401 at the edge, if it logged that
        // exchange at all (it does not log one whose upload was cut short), is the big one's.
        QCOMPARE(s.fwd->stats().first().upstreamRequests - beforeBig.upstreamRequests, quint64(2));
        QTRY_VERIFY_WITH_TIMEOUT(edgeHits(s.edge, "demo-web", 200) >= 1, 5000);
        QVERIFY(edgeHits(s.edge, "demo-web", 401) <= 1);
        QCOMPARE(s.sessions->exchangeCount(), exchanges + 2);
        collectLogs(s);
    }

    void withoutAKeptKeyTheAnswerSaysSignIn()
    {
        Setup s;
        setUp(s, false);
        if (QTest::currentTestFailed())
            return;
        rotateSigningKey(s);
        if (QTest::currentTestFailed())
            return;
        QSignalSpy signIn(s.fwd.get(), &Forwarder::signInNeeded);
        auto r = curl({s.url("/api/echo")});
        QCOMPARE(r.status, 401);
        QCOMPARE(r.body, QByteArray("signed out of ada@demo.heyo: sign in again (heyo login)\n"));
        QTRY_COMPARE(signIn.count(), 1);
        QCOMPARE(signIn.first().at(0).toString(), s.ada);
        QTRY_COMPARE_WITH_TIMEOUT(edgeHits(s.edge, "demo-web"), 1, 5000);
        QTest::qWait(300);
        QCOMPARE(edgeHits(s.edge, "demo-web"), 1);                     // tried once, never retried with the same token
        QCOMPARE(s.fwd->stats().first().upstreamRequests, quint64(2)); // the warm-up and this one
        QCOMPARE(s.sessions->exchangeCount(), 0);
        collectLogs(s);
    }
};

QTEST_GUILESS_MAIN(TestForwarderTokens)
#include "tst_forwarder_tokens.moc"
