// Tests the shared DemoHttpServer/DemoHttpConnection directly: timeouts, request-body back-pressure, slow exchanges.
#include "DemoTestSupport.h"

#include "demo/DemoHttpServer.h"

#include <QtTest>

using namespace heyo::demo;
using namespace heyo::demo::test;

namespace {
// Takes the body, pausing the client when asked to, and answers with the byte count at the end.
class CountingExchange : public DemoExchange {
public:
    CountingExchange(DemoHttpConnection &c, qint64 *received) : m_c(c), m_received(received) {}
    void onBody(QByteArrayView data) override { *m_received += data.size(); }
    void onEnd() override { m_c.respondText(200, "text/plain", QByteArray::number(*m_received)); }

private:
    DemoHttpConnection &m_c;
    qint64 *m_received;
};

// Answers only after a delay longer than every timeout.
class LateExchange : public QObject, public DemoExchange {
public:
    explicit LateExchange(DemoHttpConnection &c)
    {
        c.beginResponse(200, {{"Content-Type", "text/plain"}});
        QTimer::singleShot(1200, this, [&c] {
            c.writeBody("late but here");
            c.endResponse();
        });
    }
};
} // namespace

class TestDemoHttpServer : public QObject {
    Q_OBJECT
private slots:
    void incompleteHeadTimesOutWith408();
    void idleKeepAliveConnectionCloses();
    void slowExchangeIsNotCutByTimeouts();
    void pausedReadingPushesBackOnTheClient();
};

void TestDemoHttpServer::incompleteHeadTimesOutWith408()
{
    DemoHttpServer server([](DemoHttpConnection &c) {
        c.respondText(200, "text/plain", "ok");
        return nullptr;
    });
    server.setTimeouts({300, 5000});
    QVERIFY(server.listen(0, nullptr));
    QElapsedTimer t;
    t.start();
    const auto r = rawHttp(server.port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", 3000);
    QVERIFY(r.closedByServer);
    QVERIFY2(r.data.startsWith("HTTP/1.1 408 Request Timeout"), r.data.constData());
    QVERIFY(t.elapsed() >= 280);
    QVERIFY(t.elapsed() < 2500);
}

void TestDemoHttpServer::idleKeepAliveConnectionCloses()
{
    DemoHttpServer server([](DemoHttpConnection &c) {
        c.respondText(200, "text/plain", "ok");
        return nullptr;
    });
    server.setTimeouts({5000, 500});
    QVERIFY(server.listen(0, nullptr));
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(s.waitForConnected(5000));
    s.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(s.bytesAvailable() > 0, 5000);
    QVERIFY(s.readAll().startsWith("HTTP/1.1 200 OK"));
    QElapsedTimer t;
    t.start();
    QTest::qWait(250);
    QCOMPARE(s.state(), QAbstractSocket::ConnectedState); // still kept alive within the idle time
    QTRY_COMPARE_WITH_TIMEOUT(s.state(), QAbstractSocket::UnconnectedState, 5000);
    QVERIFY(t.elapsed() >= 450);
}

void TestDemoHttpServer::slowExchangeIsNotCutByTimeouts()
{
    DemoHttpServer server([](DemoHttpConnection &c) { return std::make_unique<LateExchange>(c); });
    server.setTimeouts({300, 300});
    QVERIFY(server.listen(0, nullptr));
    auto r = curl({"-sS", QStringLiteral("http://127.0.0.1:%1/").arg(server.port())});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("late but here"));
}

void TestDemoHttpServer::pausedReadingPushesBackOnTheClient()
{
    qint64 received = 0;
    DemoHttpConnection *connection = nullptr;
    DemoHttpServer server([&](DemoHttpConnection &c) {
        connection = &c;
        c.setReadPaused(true);
        return std::make_unique<CountingExchange>(c, &received);
    });
    QVERIFY(server.listen(0, nullptr));
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(s.waitForConnected(5000));
    const qint64 size = 32 << 20;
    s.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + QByteArray::number(size) + "\r\n\r\n");
    s.write(QByteArray(size, 'b'));
    QTest::qWait(500);
    // The body stayed in the client and the kernel's buffers; the app saw at most what came with the head.
    QVERIFY2(received < (1 << 20), qPrintable(QString::number(received)));
    QVERIFY(s.bytesToWrite() > (8 << 20));
    QVERIFY(connection);
    connection->setReadPaused(false);
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += s.readAll()).endsWith("\r\n\r\n" + QByteArray::number(size)), 20000);
    QCOMPARE(received, size);
}

QTEST_GUILESS_MAIN(TestDemoHttpServer)
#include "tst_demohttpserver.moc"
