// An endpoint whose app speaks HTTP/2 in plain text (`endpoint add --h2`): the edge proxies to it in h2c by prior
// knowledge, an HTTP/1.1 client (curl) through heyo-edge reaches it, and the endpoint list shows "http2". The apps are
// the scripted python3-h2 origin of the engine's tests and a real gRPC server (python3-grpcio, grpc_echo.py), which
// answers only when the client's "TE: trailers" reached it.
#include "EdgeTestHelpers.h"

#include <QJsonArray>
#include <QProcess>
#include <QtTest>

class EdgeH2AppTest : public QObject {
    Q_OBJECT

    EdgeProcess m_edge;
    QProcess m_app, m_grpc;
    int m_appPort = 0, m_grpcPort = 0;

    static int startApp(QProcess &p, const QString &script)
    {
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start("/usr/bin/python3", {script});
        if (!p.waitForStarted(5000) || !p.waitForReadyRead(15000))
            return 0;
        return p.readLine().trimmed().toInt();
    }

private slots:
    void initTestCase()
    {
        m_appPort = startApp(m_app, QString(HEYO_SOURCE_DIR) + "/tests/unit/net/h2_origin.py");
        QVERIFY(m_appPort > 0);
        m_grpcPort = startApp(m_grpc, QString(HEYO_SOURCE_DIR) + "/tests/integration/edge/grpc_echo.py");
        QVERIFY(m_grpcPort > 0);

        QVERIFY(m_edge.addAccount(kAdaEmail, kAdaPassword.toUtf8(), "Ada"));
        const QString target = QString("http://127.0.0.1:%1").arg(m_appPort);
        auto h2 = m_edge.admin({"endpoint", "add", "--account", kAdaEmail, "--slug", "grpc-app", "--target", target,
                                "--device", "laptop", "--public", "--h2"});
        QCOMPARE(h2.exitCode, 0);
        QVERIFY2(h2.out.contains("(HTTP/2)"), h2.out.constData());
        // The same app as an HTTP/1.1 endpoint: the h2c-only app cannot answer it.
        auto h1 = m_edge.admin({"endpoint", "add", "--account", kAdaEmail, "--slug", "plain-app", "--target", target,
                                "--device", "laptop", "--public"});
        QCOMPARE(h1.exitCode, 0);
        auto grpc =
            m_edge.admin({"endpoint", "add", "--account", kAdaEmail, "--slug", "grpc-echo", "--target",
                          QString("http://127.0.0.1:%1").arg(m_grpcPort), "--device", "laptop", "--public", "--h2"});
        QCOMPARE(grpc.exitCode, 0);
        QString error;
        QVERIFY2(m_edge.start(&error), qPrintable(error));
    }

    void cleanupTestCase()
    {
        m_edge.stop();
        for (QProcess *p : {&m_app, &m_grpc}) {
            p->kill();
            p->waitForFinished(5000);
        }
    }

    void http1ClientReachesTheH2App()
    {
        CurlResult r = runCurl(m_edge.caFile(), {"--http1.1", m_edge.endpointUrl("grpc-app") + "/hello?x=1"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.contains("method=GET path=/hello?x=1"), r.body.constData());
        QVERIFY2(r.body.contains("authority=grpc-app.heyo.localhost"), r.body.constData());

        CurlResult post =
            runCurl(m_edge.caFile(), {"--http1.1", "--data-binary", "@-", m_edge.endpointUrl("grpc-app") + "/upload"},
                    QByteArray(100000, 'z'));
        QCOMPARE(post.status, 200);
        QVERIFY2(post.body.contains("method=POST path=/upload") && post.body.contains("body=100000"),
                 post.body.constData());

        CurlResult noContent = runCurl(m_edge.caFile(), {"--http1.1", m_edge.endpointUrl("grpc-app") + "/204"});
        QCOMPARE(noContent.status, 204);
    }

    void grpcCallThroughTheEdge()
    {
        // One length-prefixed gRPC message, "hello", sent by an HTTP/1.1 client; the app's trailers (grpc-status)
        // cannot reach it over HTTP/1.1, the answer's message does.
        const QByteArray message = QByteArray("\0\0\0\0\x05", 5) + "hello";
        const QStringList grpcArgs = {"--http1.1", "-H", "Content-Type: application/grpc", "--data-binary", "@-"};
        CurlResult r = runCurl(
            m_edge.caFile(),
            grpcArgs + QStringList{"-H", "TE: trailers", m_edge.endpointUrl("grpc-echo") + "/heyo.test.Echo/Echo"},
            message);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), QByteArray("application/grpc"));
        QCOMPARE(r.body, QByteArray("\0\0\0\0\x0b", 5) + "echo: hello");

        // Without TE: trailers gRPC refuses the call (in a trailers-only answer, which arrives as headers).
        CurlResult refused = runCurl(
            m_edge.caFile(), grpcArgs + QStringList{m_edge.endpointUrl("grpc-echo") + "/heyo.test.Echo/Echo"}, message);
        QCOMPARE(refused.status, 200);
        QVERIFY(refused.body.isEmpty());
        QCOMPARE(refused.header("grpc-status"), QByteArray("2"));
    }

    void withoutH2TheAppIsNotUnderstood()
    {
        CurlResult r = runCurl(m_edge.caFile(), {"--http1.1", m_edge.endpointUrl("plain-app") + "/hello"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.status, 502); // HTTP/1.1 to an h2c-only app: garbage back
    }

    void listingShowsHttp2()
    {
        const QString token = loginToken(m_edge, kAdaEmail, kAdaPassword);
        QVERIFY(!token.isEmpty());
        CurlResult r = runCurl(m_edge.caFile(), {"-H", bearer(token), m_edge.apiUrl() + "/api/endpoints"});
        QCOMPARE(r.status, 200);
        QHash<QString, bool> http2;
        for (const QJsonValue &v : jsonOf(r).value("endpoints").toArray())
            http2[v.toObject().value("slug").toString()] = v.toObject().value("http2").toBool();
        QCOMPARE(http2.value("grpc-app"), true);
        QCOMPARE(http2.value("plain-app", true), false);
    }
};

QTEST_GUILESS_MAIN(EdgeH2AppTest)
#include "tst_edge_h2app.moc"
