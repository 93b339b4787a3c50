// Tests DemoEventsApp with curl -N: Server-Sent Events arrive one by one, spaced in time, not all at the end.
#include "DemoTestSupport.h"

#include "demo/DemoEventsApp.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace heyo::demo;
using namespace heyo::demo::test;

class TestDemoEventsApp : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void eventsArriveSpacedInTime();
    void unlimitedStreamSurvivesClientLeaving();
    void pageUsesEventSource();
    void badParameters();

private:
    QString url(const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_app->port()).arg(path);
    }
    std::unique_ptr<DemoEventsApp> m_app;
};

void TestDemoEventsApp::init()
{
    m_app = std::make_unique<DemoEventsApp>();
    QString error;
    QVERIFY2(m_app->listen(0, &error), qPrintable(error));
}

void TestDemoEventsApp::cleanup()
{
    m_app.reset();
}

void TestDemoEventsApp::eventsArriveSpacedInTime()
{
    QProcess curl;
    QElapsedTimer clock;
    QList<qint64> arrivals;
    QList<QJsonObject> events;
    QByteArray pending;
    connect(&curl, &QProcess::readyReadStandardOutput, this, [&] {
        pending += curl.readAllStandardOutput();
        qsizetype end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
            const QByteArray block = pending.left(end);
            pending.remove(0, end + 2);
            for (const QByteArray &line : block.split('\n')) {
                if (line.startsWith("data: ")) {
                    arrivals.append(clock.elapsed());
                    events.append(QJsonDocument::fromJson(line.mid(6)).object());
                }
            }
        }
    });
    QSignalSpy done(&curl, &QProcess::finished);
    clock.start();
    curl.start("curl", {"-sSN", "-D", "/dev/stderr", url("/events?count=5&interval_ms=300")});
    QVERIFY(done.wait(20000));
    QCOMPARE(curl.exitCode(), 0);
    const QByteArray head = curl.readAllStandardError();
    QVERIFY2(head.contains("Content-Type: text/event-stream"), head.constData());
    QVERIFY(head.contains("Transfer-Encoding: chunked"));

    QCOMPARE(events.size(), 5);
    for (int i = 0; i < events.size(); ++i)
        QCOMPARE(events[i].value("n").toInt(), i);
    // Each event reached the client around its own time: the gaps are the interval, not zero.
    for (int i = 1; i < arrivals.size(); ++i)
        QVERIFY2(arrivals[i] - arrivals[i - 1] >= 200,
                 qPrintable(QString("gap %1: %2 ms").arg(i).arg(arrivals[i] - arrivals[i - 1])));
    QVERIFY(arrivals.last() - arrivals.first() >= 1100);
    const qint64 sent = qint64(events.last().value("t").toDouble()) - qint64(events.first().value("t").toDouble());
    QVERIFY2(sent >= 1100 && sent < 3000, qPrintable(QString::number(sent)));
}

void TestDemoEventsApp::unlimitedStreamSurvivesClientLeaving()
{
    // --max-time ends the client in the middle of an unlimited stream; the app must drop it and keep serving.
    auto cut = run("curl", {"-sSN", "--max-time", "1", url("/events?interval_ms=100")}, 20000);
    QCOMPARE(cut.exitCode, 28); // curl: operation timed out
    QVERIFY2(cut.out.count("data: ") >= 5, cut.out.constData());
    QTest::qWait(200);
    auto again = run("curl", {"-sS", url("/events?count=2&interval_ms=10")}, 20000);
    QCOMPARE(again.exitCode, 0);
    QCOMPARE(again.out.count("data: "), 2);
    QVERIFY(again.out.startsWith("id: 0\ndata: {\"n\":0,\"t\":"));
}

void TestDemoEventsApp::pageUsesEventSource()
{
    auto page = run("curl", {"-sS", "-i", url("/")});
    QVERIFY(page.out.startsWith("HTTP/1.1 200 OK"));
    QVERIFY(page.out.contains("text/html"));
    QVERIFY(page.out.contains("new EventSource(\"/events\")"));
}

void TestDemoEventsApp::badParameters()
{
    auto r = run("curl", {"-sS", "-o", "/dev/null", "-w", "%{http_code}", url("/events?interval_ms=0")});
    QCOMPARE(r.out, QByteArray("400"));
    auto c = run("curl", {"-sS", "-o", "/dev/null", "-w", "%{http_code}", url("/events?count=x")});
    QCOMPARE(c.out, QByteArray("400"));
}

QTEST_GUILESS_MAIN(TestDemoEventsApp)
#include "tst_demoeventsapp.moc"
