// `heyo forward` and the signals a terminal sends: SIGHUP (the terminal or SSH session closed) drains like Ctrl-C and
// SIGTERM, so a request in flight completes and the exit code is 0 — also when the hang-up comes twice (the kernel
// and the shell each send one). Real heyo processes, a real heyo-edge demo, curl as the client.
#include "E2eSession.h"

#include <QTest>

#include <csignal>
#include <functional>

using namespace heyo::test;

class TestCliForward : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<E2eSession> m_s;

    // A stream of 4 events, 400 ms apart, through a fresh forwarder; `stop` ends the forwarder once the first event
    // is through, and its exit code is returned. The events curl received go to `*events`.
    int streamThenStop(const std::function<int(ForwardProcess &)> &stop, QByteArray *events, bool *portClosed)
    {
        const int port = E2eSession::freePort();
        ForwardProcess fwd(*m_s);
        QString error;
        if (!fwd.start({QStringLiteral("demo-events:%1").arg(port)}, &error)) {
            qWarning() << error;
            return -2;
        }
        QProcess stream;
        stream.setProcessEnvironment(m_s->env());
        stream.start(
            QStringLiteral("curl"),
            {QStringLiteral("-sSN"), QStringLiteral("http://127.0.0.1:%1/events?count=4&interval_ms=400").arg(port)});
        if (!stream.waitForReadyRead(10000))
            return -3;
        const int rc = stop(fwd);
        stream.waitForFinished(20000);
        *events = stream.readAll();
        m_s->record(*events);
        if (stream.exitCode() != 0)
            events->append("\ncurl exit " + QByteArray::number(stream.exitCode()));
        QProcess probe;
        probe.start(QStringLiteral("curl"), {QStringLiteral("-s"), QStringLiteral("http://127.0.0.1:%1/").arg(port)});
        probe.waitForFinished(10000);
        *portClosed = probe.exitCode() != 0;
        if (!fwd.err().contains("Stopping"))
            return -4;
        return rc;
    }

private slots:
    void initTestCase()
    {
        m_s = std::make_unique<E2eSession>();
        QString error;
        QVERIFY2(m_s->start(&error), qPrintable(error));
    }

    void hangupDrainsLikeSigterm_data()
    {
        QTest::addColumn<QList<int>>("sent");
        QTest::newRow("SIGTERM") << QList<int>{SIGTERM};
        QTest::newRow("SIGHUP") << QList<int>{SIGHUP};
        QTest::newRow("SIGHUP twice") << QList<int>{SIGHUP, SIGHUP};
    }
    void hangupDrainsLikeSigterm()
    {
        QFETCH(QList<int>, sent);
        QByteArray events;
        bool portClosed = false;
        const int rc = streamThenStop(
            [&sent](ForwardProcess &fwd) {
                for (qsizetype i = 0; i + 1 < sent.size(); ++i) {
                    ::kill(pid_t(fwd.pid()), sent.at(i));
                    QTest::qWait(100);
                }
                return fwd.stop(sent.last());
            },
            &events, &portClosed);
        QCOMPARE(rc, 0);
        QVERIFY2(events.count("data:") == 4, events.constData()); // the request in flight completed
        QVERIFY(portClosed);
    }

    void cleanupTestCase()
    {
        const QByteArray logs = m_s->allLogs();
        QVERIFY(!logs.contains("eyJ") && !logs.contains("heyo_"));
    }
};

QTEST_GUILESS_MAIN(TestCliForward)
#include "tst_cli_forward.moc"
