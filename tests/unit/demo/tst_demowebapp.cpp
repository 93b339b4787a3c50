// Tests DemoWebApp over real sockets: curl and QNetworkAccessManager for the routes, raw sockets for HTTP framing.
#include "DemoTestSupport.h"

#include "demo/DemoWebApp.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QtTest>

using namespace heyo::demo;
using namespace heyo::demo::test;

class TestDemoWebApp : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void pageAndAssets();
    void whoamiFromIdentityHeaders();
    void echoStreamsBodyIntoHash();
    void echoChunkedBodyAndAnyMethod();
    void echoNonUtf8BodyIsNull();
    void redirectIsAbsoluteFromHost();
    void redirectRefusesOtherSites();
    void cookieDomainIsHostWithoutPort();
    void statusRoute_data();
    void statusRoute();
    void keepAliveReusesConnection();
    void pipelinedRequestsAnswerInOrder();
    void http10ClosesUnlessKeepAlive();
    void malformedRequests_data();
    void malformedRequests();
    void expectContinue();

private:
    QString url(const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_app->port()).arg(path);
    }
    std::unique_ptr<DemoWebApp> m_app;
};

void TestDemoWebApp::init()
{
    m_app = std::make_unique<DemoWebApp>();
    QString error;
    QVERIFY2(m_app->listen(0, &error), qPrintable(error));
    QVERIFY(m_app->port() != 0);
}

void TestDemoWebApp::cleanup()
{
    m_app.reset();
}

void TestDemoWebApp::pageAndAssets()
{
    auto page = curl({"-i", url("/")});
    QCOMPARE(page.exitCode, 0);
    QVERIFY(page.out.startsWith("HTTP/1.1 200 OK"));
    QVERIFY(page.out.contains("Content-Type: text/html; charset=utf-8"));
    QVERIFY(page.out.contains("<title>Heyo demo</title>"));
    QVERIFY(page.out.contains("/static/app.css"));
    QVERIFY(page.out.contains("/static/app.js"));

    auto css = curl({"-i", url("/static/app.css")});
    QVERIFY(css.out.startsWith("HTTP/1.1 200 OK"));
    QVERIFY(css.out.contains("Content-Type: text/css"));
    QVERIFY(css.out.contains(".card"));

    auto js = curl({"-i", url("/static/app.js")});
    QVERIFY(js.out.startsWith("HTTP/1.1 200 OK"));
    QVERIFY(js.out.contains("Content-Type: text/javascript"));
    QVERIFY(js.out.contains("fetch(\"/api/whoami\""));

    auto missing = curl({"-o", "/dev/null", "-w", "%{http_code}", url("/static/nope.js")});
    QCOMPARE(missing.out, QByteArray("404"));
}

void TestDemoWebApp::whoamiFromIdentityHeaders()
{
    QNetworkAccessManager nam;
    QNetworkRequest req(QUrl(url("/api/whoami")));
    req.setRawHeader("X-Heyo-Account-Id", "acc_123");
    req.setRawHeader("X-Heyo-Email", "alice@example.com");
    QNetworkReply *reply = nam.get(req);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(reply->header(QNetworkRequest::ContentTypeHeader).toString(), QString("application/json"));
    const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
    QCOMPARE(o.value("account_id").toString(), QString("acc_123"));
    QCOMPARE(o.value("email").toString(), QString("alice@example.com"));
    reply->deleteLater();

    auto anon = curl({url("/api/whoami")});
    const QJsonObject a = QJsonDocument::fromJson(anon.out).object();
    QVERIFY(a.contains("email"));
    QVERIFY(a.value("email").isNull());
    QVERIFY(a.value("account_id").isNull());
}

void TestDemoWebApp::echoStreamsBodyIntoHash()
{
    QTemporaryDir dir;
    QByteArray body;
    for (int i = 0; body.size() < 200 * 1024; ++i)
        body += "line " + QByteArray::number(i) + " héllo\n";
    QFile f(dir.filePath("body.txt"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(body);
    f.close();

    auto r = curl({"-X", "POST", "-H", "X-Case-Test: Mixed Value", "-H", "Content-Type: text/plain", "--data-binary",
                   "@" + f.fileName(), url("/api/echo/sub/path?x=1&y=a%20b")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value("method").toString(), QString("POST"));
    QCOMPARE(o.value("path").toString(), QString("/api/echo/sub/path"));
    QCOMPARE(o.value("query").toString(), QString("x=1&y=a%20b"));
    QCOMPARE(qint64(o.value("body_bytes").toDouble()), qint64(body.size()));
    QCOMPARE(o.value("body_sha256").toString().toLatin1(),
             QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
    // Only the first 64 KiB come back as text.
    const QByteArray kept = o.value("body").toString().toUtf8();
    QVERIFY(kept.size() <= 64 * 1024);
    QVERIFY(kept.size() > 64 * 1024 - 4);
    QVERIFY(body.startsWith(kept));
    bool sawHeader = false;
    for (const QJsonValue &h : o.value("headers").toArray()) {
        const QJsonArray pair = h.toArray();
        sawHeader |= pair.at(0).toString() == "X-Case-Test" && pair.at(1).toString() == "Mixed Value";
    }
    QVERIFY2(sawHeader, r.out.left(2000).constData());
}

void TestDemoWebApp::echoChunkedBodyAndAnyMethod()
{
    QTemporaryDir dir;
    const QByteArray body(3 * 1024 * 1024 + 17, 'z');
    QFile f(dir.filePath("body.bin"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(body);
    f.close();
    auto r = curl({"-X", "PATCH", "-H", "Transfer-Encoding: chunked", "-T", f.fileName(), url("/api/things/7")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value("method").toString(), QString("PATCH"));
    QCOMPARE(o.value("path").toString(), QString("/api/things/7"));
    QCOMPARE(qint64(o.value("body_bytes").toDouble()), qint64(body.size()));
    QCOMPARE(o.value("body_sha256").toString().toLatin1(),
             QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
    bool chunked = false;
    for (const QJsonValue &h : o.value("headers").toArray())
        chunked |= h.toArray().at(1).toString() == "chunked";
    QVERIFY(chunked);

    auto del = curl({"-X", "DELETE", url("/api/echo")});
    QCOMPARE(QJsonDocument::fromJson(del.out).object().value("method").toString(), QString("DELETE"));
    QCOMPARE(QJsonDocument::fromJson(del.out).object().value("body_bytes").toInt(), 0);
}

void TestDemoWebApp::echoNonUtf8BodyIsNull()
{
    const auto r =
        rawHttp(m_app->port(), "POST /api/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4\r\n\r\n" +
                                   QByteArray("\xff\xfe\x00\x80", 4));
    const QByteArray json = r.data.mid(r.data.indexOf("\r\n\r\n") + 4);
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    QCOMPARE(o.value("body_bytes").toInt(), 4);
    QVERIFY(o.contains("body"));
    QVERIFY(o.value("body").isNull());
}

void TestDemoWebApp::redirectIsAbsoluteFromHost()
{
    auto r = curl({"-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: app.example:8080",
                   url("/redirect?to=/api/whoami%3Fa%3D1")});
    QCOMPARE(r.out, QByteArray("302 http://app.example:8080/api/whoami?a=1"));

    // A real client following it stays on this app and lands on the target.
    auto follow = curl({"-L", "-w", "\n%{http_code} %{num_redirects}", url("/redirect?to=/api/echo/landed")});
    QVERIFY2(follow.out.endsWith("\n200 1"), follow.out.constData());
    QVERIFY(follow.out.contains("\"path\":\"/api/echo/landed\""));
}

void TestDemoWebApp::redirectRefusesOtherSites()
{
    for (const QString &to : {QString("//evil.example/"), QString("http://evil.example/"), QString("evil")}) {
        auto r =
            curl({"-o", "/dev/null", "-w", "%{http_code}", "-G", "--data-urlencode", "to=" + to, url("/redirect")});
        QCOMPARE(r.out, QByteArray("400"));
    }
}

void TestDemoWebApp::cookieDomainIsHostWithoutPort()
{
    auto r = curl({"-i", "-H", "Host: demo.heyo.localhost:7001", "-H", "Cookie: a=b", url("/cookie")});
    QVERIFY(r.out.startsWith("HTTP/1.1 200 OK"));
    QVERIFY2(
        r.out.contains("Set-Cookie: heyo_demo=hello; Path=/; HttpOnly; SameSite=Lax; Domain=demo.heyo.localhost\r\n"),
        r.out.constData());
    QVERIFY(r.out.contains("\"received_cookie\":\"a=b\""));

    auto v6 = curl({"-i", "-H", "Host: [::1]:7001", url("/cookie")});
    QVERIFY(v6.out.contains("Domain=[::1]\r\n"));
}

void TestDemoWebApp::statusRoute_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("201") << "/status/201" << QByteArray("201");
    QTest::newRow("204") << "/status/204" << QByteArray("204");
    QTest::newRow("404") << "/status/404" << QByteArray("404");
    QTest::newRow("418") << "/status/418" << QByteArray("418");
    QTest::newRow("503") << "/status/503" << QByteArray("503");
    QTest::newRow("bad") << "/status/abc" << QByteArray("400");
    QTest::newRow("1xx") << "/status/101" << QByteArray("400");
}

void TestDemoWebApp::statusRoute()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, expected);
    auto r = curl({"-o", "/dev/null", "-w", "%{http_code}", url(path)});
    QCOMPARE(r.out, expected);
    // HEAD gets the same status and no body (curl would complain about a body it was not told to expect).
    auto head = curl({"-I", "-w", "%{http_code}", url(path)});
    QVERIFY2(head.out.endsWith(expected), head.out.constData());
    QCOMPARE(head.exitCode, 0);
}

void TestDemoWebApp::keepAliveReusesConnection()
{
    auto r = curl({"-w", "[%{num_connects}]", url("/api/whoami"), url("/status/404"), url("/api/echo")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.count("[1]"), 1);
    QCOMPARE(r.out.count("[0]"), 2);
}

void TestDemoWebApp::pipelinedRequestsAnswerInOrder()
{
    const auto r = rawHttp(m_app->port(), "POST /api/echo/one HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                                          "GET /status/404 HTTP/1.1\r\nHost: x\r\n\r\n"
                                          "GET /api/echo/three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    QVERIFY(r.closedByServer);
    const qsizetype one = r.data.indexOf("\"path\":\"/api/echo/one\"");
    const qsizetype two = r.data.indexOf("HTTP/1.1 404");
    const qsizetype three = r.data.indexOf("\"path\":\"/api/echo/three\"");
    QVERIFY2(one > 0 && two > one && three > two, r.data.constData());
    QCOMPARE(r.data.count("HTTP/1.1 "), 3);
}

void TestDemoWebApp::http10ClosesUnlessKeepAlive()
{
    const auto plain = rawHttp(m_app->port(), "GET /api/whoami HTTP/1.0\r\n\r\n");
    QVERIFY(plain.closedByServer);
    QVERIFY(plain.data.startsWith("HTTP/1.1 200 OK"));
    QVERIFY(plain.data.contains("Connection: close"));

    const auto kept = rawHttp(m_app->port(), "GET /api/whoami HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                                             "GET /status/418 HTTP/1.0\r\n\r\n");
    QVERIFY(kept.closedByServer); // the second one did not ask to be kept
    QVERIFY(kept.data.contains("Connection: keep-alive"));
    QVERIFY(kept.data.contains("HTTP/1.1 418"));

    const auto open = rawHttp(m_app->port(), "GET /api/whoami HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 800);
    QVERIFY(!open.closedByServer);
    QVERIFY(open.data.startsWith("HTTP/1.1 200 OK"));
}

void TestDemoWebApp::malformedRequests_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("status");
    QTest::newRow("garbage") << QByteArray("GARBAGE\r\n\r\n") << QByteArray("400");
    QTest::newRow("bad version") << QByteArray("GET / HTTP/9.9\r\n\r\n") << QByteArray("400");
    QTest::newRow("CL+TE") << QByteArray("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                         "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                           << QByteArray("400");
    QTest::newRow("two CL") << QByteArray("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                          "Content-Length: 4\r\n\r\nabcd")
                            << QByteArray("400");
    QTest::newRow("bad chunk") << QByteArray("POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                             "zz\r\n")
                               << QByteArray("400");
    QTest::newRow("space in header name") << QByteArray("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n") << QByteArray("400");
    QTest::newRow("huge head") << QByteArray("GET / HTTP/1.1\r\nX-Big: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n")
                               << QByteArray("431");
}

void TestDemoWebApp::malformedRequests()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, status);
    const auto r = rawHttp(m_app->port(), request);
    QVERIFY2(r.data.startsWith("HTTP/1.1 " + status), r.data.left(200).constData());
    QVERIFY(r.data.contains("Connection: close"));
    QVERIFY(r.closedByServer);
    // The app keeps serving others.
    auto ok = curl({"-o", "/dev/null", "-w", "%{http_code}", url("/api/whoami")});
    QCOMPARE(ok.out, QByteArray("200"));
}

void TestDemoWebApp::expectContinue()
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, m_app->port());
    QVERIFY(s.waitForConnected(5000));
    s.write("PUT /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(s.bytesAvailable() > 0, 5000);
    QCOMPARE(s.readAll(), QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
    s.write("hello");
    QByteArray got;
    QTRY_VERIFY_WITH_TIMEOUT((got += s.readAll()).contains("\"body\":\"hello\""), 5000);
    QVERIFY(got.startsWith("HTTP/1.1 200 OK"));
}

QTEST_GUILESS_MAIN(TestDemoWebApp)
#include "tst_demowebapp.moc"
