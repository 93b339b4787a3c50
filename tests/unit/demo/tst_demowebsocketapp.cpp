// Tests DemoWebSocketApp with a real QWebSocket client: text and binary messages come back unchanged, in order.
#include "demo/DemoWebSocketApp.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QWebSocket>
#include <QtTest>

using namespace heyo::demo;

class TestDemoWebSocketApp : public QObject {
    Q_OBJECT
private slots:
    void echoesTextAndBinary();
    void largeMessage();
    void plainHttpIsRefused();
};

void TestDemoWebSocketApp::echoesTextAndBinary()
{
    DemoWebSocketApp app;
    QString error;
    QVERIFY2(app.listen(0, &error), qPrintable(error));
    QWebSocket ws;
    QSignalSpy connected(&ws, &QWebSocket::connected);
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/any/path?x=1").arg(app.port())));
    QVERIFY(connected.wait(5000));

    QStringList texts;
    QList<QByteArray> binaries;
    connect(&ws, &QWebSocket::textMessageReceived, this, [&](const QString &m) { texts.append(m); });
    connect(&ws, &QWebSocket::binaryMessageReceived, this, [&](const QByteArray &m) { binaries.append(m); });
    QStringList sentTexts;
    QList<QByteArray> sentBinaries;
    for (int i = 0; i < 100; ++i) {
        if (i % 2 == 0) {
            sentTexts.append(QStringLiteral("message %1 ✓").arg(i));
            ws.sendTextMessage(sentTexts.last());
        } else {
            QByteArray b(64 + i, Qt::Uninitialized);
            for (qsizetype j = 0; j < b.size(); ++j)
                b[j] = char(QRandomGenerator::global()->bounded(256));
            sentBinaries.append(b);
            ws.sendBinaryMessage(b);
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(texts.size() + binaries.size(), 100, 10000);
    QCOMPARE(texts, sentTexts);
    QCOMPARE(binaries, sentBinaries);
    ws.close();
}

void TestDemoWebSocketApp::largeMessage()
{
    DemoWebSocketApp app;
    QVERIFY(app.listen(0, nullptr));
    QWebSocket ws;
    QSignalSpy connected(&ws, &QWebSocket::connected);
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(app.port())));
    QVERIFY(connected.wait(5000));
    QSignalSpy got(&ws, &QWebSocket::binaryMessageReceived);
    const QByteArray big(4 << 20, 'q');
    ws.sendBinaryMessage(big);
    QVERIFY(got.wait(10000));
    QCOMPARE(got.first().first().toByteArray(), big);
}

void TestDemoWebSocketApp::plainHttpIsRefused()
{
    DemoWebSocketApp app;
    QVERIFY(app.listen(0, nullptr));
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, app.port());
    QVERIFY(s.waitForConnected(5000));
    s.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray got;
    QTRY_VERIFY_WITH_TIMEOUT((got += s.readAll()).contains("\r\n") || s.state() != QAbstractSocket::ConnectedState,
                             5000);
    QVERIFY2(!got.startsWith("HTTP/1.1 101"), got.constData());
}

QTEST_GUILESS_MAIN(TestDemoWebSocketApp)
#include "tst_demowebsocketapp.moc"
