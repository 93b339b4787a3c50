// Tests DemoApps, the facade heyo-edge uses: all six apps start on their own ports, answer, and stop.
#include "DemoTestSupport.h"

#include "demo/DemoApps.h"

#include <QDir>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QWebSocket>
#include <QtTest>

using namespace heyo::demo;
using namespace heyo::demo::test;

class TestDemoApps : public QObject {
    Q_OBJECT
private slots:
    void startsAllOnDistinctPorts();
    void eachAppAnswers();
    void stopClosesEverything();
    void badDataDirectoryIsAnError();
};

void TestDemoApps::startsAllOnDistinctPorts()
{
    QTemporaryDir dir;
    DemoApps apps;
    QString error;
    QVERIFY2(apps.start(dir.path(), &error), qPrintable(error));
    QSet<quint16> ports;
    for (const QString &name : DemoApps::names()) {
        QVERIFY2(apps.port(name) != 0, qPrintable(name));
        ports.insert(apps.port(name));
    }
    QCOMPARE(ports.size(), 6);
    QCOMPARE(apps.port("nope"), quint16(0));
    QVERIFY(QDir(dir.filePath("git/demo.git")).exists());
}

void TestDemoApps::eachAppAnswers()
{
    QTemporaryDir dir;
    DemoApps apps;
    QVERIFY(apps.start(dir.path(), nullptr));
    const auto base = [&](const QString &app) { return QStringLiteral("http://127.0.0.1:%1").arg(apps.port(app)); };

    QNetworkAccessManager nam;
    QNetworkReply *page = nam.get(QNetworkRequest(QUrl(base("web") + "/")));
    QSignalSpy pageDone(page, &QNetworkReply::finished);
    QVERIFY(pageDone.wait(10000));
    QCOMPARE(page->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QVERIFY(page->readAll().contains("Heyo demo"));
    page->deleteLater();

    auto files = curl({"-w", " %{http_code}", base("files") + "/download?size=10"});
    QCOMPARE(files.out.size(), 10 + 4);
    QVERIFY(files.out.endsWith(" 200"));
    auto events = curl({base("events") + "/events?count=1&interval_ms=10"});
    QVERIFY(events.out.contains("data: {\"n\":0"));
    auto git = curl({"-o", "/dev/null", "-w", "%{http_code} %{content_type}",
                     base("git") + "/demo.git/info/refs?service=git-upload-pack"});
    QCOMPARE(git.out, QByteArray("200 application/x-git-upload-pack-advertisement"));

    QWebSocket ws;
    QSignalSpy connected(&ws, &QWebSocket::connected);
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(apps.port("ws"))));
    QVERIFY(connected.wait(5000));
    QSignalSpy echoed(&ws, &QWebSocket::textMessageReceived);
    ws.sendTextMessage("ping");
    QVERIFY(echoed.wait(5000));
    QCOMPARE(echoed.first().first().toString(), QString("ping"));
}

void TestDemoApps::stopClosesEverything()
{
    QTemporaryDir dir;
    DemoApps apps;
    QVERIFY(apps.start(dir.path(), nullptr));
    const quint16 web = apps.port("web");
    // An open keep-alive connection and a running event stream must not keep anything alive.
    QTcpSocket idle;
    idle.connectToHost(QHostAddress::LocalHost, apps.port("events"));
    QVERIFY(idle.waitForConnected(5000));
    idle.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(idle.bytesAvailable() > 0, 5000);
    apps.stop();
    for (const QString &name : DemoApps::names())
        QCOMPARE(apps.port(name), quint16(0));
    QTRY_COMPARE_WITH_TIMEOUT(idle.state(), QAbstractSocket::UnconnectedState, 5000);
    auto refused = curl({"-o", "/dev/null", "-w", "%{http_code}", QStringLiteral("http://127.0.0.1:%1/").arg(web)});
    QCOMPARE(refused.exitCode, 7); // curl: could not connect

    // And it starts again on the same data directory, keeping the repository.
    QString error;
    QVERIFY2(apps.start(dir.path(), &error), qPrintable(error));
    QVERIFY(apps.port("git") != 0);
}

void TestDemoApps::badDataDirectoryIsAnError()
{
    QTemporaryDir dir;
    QFile blocker(dir.filePath("file"));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    DemoApps apps;
    QString error;
    QVERIFY(!apps.start(dir.filePath("file"), &error)); // git root would be under a regular file
    QVERIFY2(error.contains("git root"), qPrintable(error));
    for (const QString &name : DemoApps::names())
        QCOMPARE(apps.port(name), quint16(0));
}

QTEST_GUILESS_MAIN(TestDemoApps)
#include "tst_demoapps.moc"
