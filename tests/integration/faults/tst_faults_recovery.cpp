// Faults on the way through `heyo forward` and `heyo-edge demo`: the endpoint's app resetting its connection in the
// middle of a large download (for each framing the client sees a truncated transfer, never a clean end; the
// forwarder keeps serving; neither program leaks a descriptor), and heyo-edge restarted while the forwarder runs
// (502 with a clear line while it is down, then served again without restarting the forwarder).
#include "E2eSession.h"
#include "FaultsSupport.h"

#include "net/FdLimit.h"

#include <QElapsedTimer>
#include <QTest>

using namespace heyo::test;

namespace {

const QString kAda = QStringLiteral("ada@demo.heyo");
constexpr uint64_t kDeclared = 100ull << 20; // what the app announces
constexpr int kBlocks = 128;                 // what it sends before the reset: 128 x 64 KiB = 8 MiB
constexpr size_t kBlock = 64 * 1024;

// The app that fails: answers /cl with a Content-Length, /chunked with chunks, anything else close-delimited, sends
// 8 MiB of it and then resets the connection.
void resetMidway(int fd)
{
    const std::string head = readHead(fd);
    if (head.size() < 5)
        return;
    const std::string path = head.substr(4, head.find(' ', 4) - 4);
    const bool chunked = path == "/chunked";
    std::string out = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n";
    if (path == "/cl")
        out += "Content-Length: " + std::to_string(kDeclared) + "\r\n";
    else if (chunked)
        out += "Transfer-Encoding: chunked\r\n";
    out += "\r\n";
    std::string block(kBlock, 'x');
    if (chunked)
        block = "10000\r\n" + block + "\r\n";
    if (!sendAll(fd, out))
        return;
    for (int i = 0; i < kBlocks; ++i)
        if (!sendAll(fd, block))
            return;
    // A reset, not an end: with a zero linger, disconnecting (connect to AF_UNSPEC) sends RST while the descriptor
    // stays RawServer's to close.
    linger l{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    sockaddr sa{};
    sa.sa_family = AF_UNSPEC;
    ::connect(fd, &sa, sizeof sa);
}

} // namespace

class TestFaultsRecovery : public QObject {
    Q_OBJECT
private:
    FaultApp m_app;
    std::unique_ptr<RawServer> m_resetting;
    std::unique_ptr<E2eSession> m_s;

    int startForwarder(ForwardProcess &fwd, const QStringList &slugs)
    {
        QStringList args;
        for (const QString &slug : slugs)
            args << QStringLiteral("%1:%2").arg(slug).arg(E2eSession::freePort());
        QString error;
        if (!fwd.start(args, &error)) {
            qWarning("%s", qPrintable(error));
            return 0;
        }
        return fwd.port(slugs.first());
    }

    static RawResponse get(int port, const std::string &target)
    {
        RawClient c(static_cast<uint16_t>(port));
        c.setTimeout(20000);
        c.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n");
        return c.readResponse();
    }

private slots:
    void initTestCase()
    {
        heyo::net::raiseFdLimit();
        QVERIFY(m_app.start());
        m_resetting = std::make_unique<RawServer>(resetMidway);
        QString error;
        m_s = std::make_unique<E2eSession>(QStringList{QStringLiteral("--quiet")});
        QVERIFY2(m_s->start(&error), qPrintable(error));
        QVERIFY2(m_s->edge().addEndpoint(kAda, QStringLiteral("fault-app"), m_app.url(), QStringLiteral("fault-lab"),
                                         false, &error),
                 qPrintable(error));
        QVERIFY2(m_s->edge().addEndpoint(kAda, QStringLiteral("fault-reset"),
                                         QStringLiteral("http://127.0.0.1:%1").arg(m_resetting->port()),
                                         QStringLiteral("fault-lab"), false, &error),
                 qPrintable(error));
    }

    void appResetMidDownload_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::newRow("content-length") << QByteArray("/cl");
        QTest::newRow("chunked") << QByteArray("/chunked");
        QTest::newRow("close-delimited") << QByteArray("/until-close");
    }

    void appResetMidDownload()
    {
        QFETCH(QByteArray, path);
        ForwardProcess fwd(*m_s);
        const int port = startForwarder(fwd, {QStringLiteral("fault-reset"), QStringLiteral("fault-app")});
        const int appPort = fwd.port(QStringLiteral("fault-app"));
        QVERIFY(port > 0 && appPort > 0);
        QCOMPARE(get(appPort, "/warm").status, 200);
        const int fwdFds = fdCount(fwd.pid()), edgeFds = fdCount(m_s->edge().pid());
        const QString fwdBefore = fdDescription(fwd.pid()), edgeBefore = fdDescription(m_s->edge().pid());

        for (int i = 0; i < 5; ++i) {
            RawClient c(static_cast<uint16_t>(port));
            QVERIFY(c.ok());
            c.setTimeout(20000);
            QElapsedTimer t;
            t.start();
            QVERIFY(c.send("GET " + path.toStdString() + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                           "\r\n\r\n"));
            const RawResponse r = c.readResponse();
            const uint64_t got = r.body.size() + c.buffer().size();
            qInfo("%s: %llu bytes, then the connection ended after %lld ms", path.constData(),
                  static_cast<unsigned long long>(got), static_cast<long long>(t.elapsed()));
            QCOMPARE(r.status, 200);
            QVERIFY2(!r.ok, "the transfer ended cleanly although the app reset it");
            QVERIFY2(c.eof() && t.elapsed() < 15000, "the transfer hung instead of ending"); // not our 20 s timeout
            QVERIFY(got > 0 && got < kBlocks * kBlock + 1);
            if (path == "/cl") {
                QCOMPARE(r.header("content-length"), std::to_string(kDeclared));
            } else {
                // Chunked to the client whatever the app did: a close-delimited answer would make the cut look like
                // the end.
                QCOMPARE(lower(r.header("transfer-encoding")), std::string("chunked"));
                QVERIFY(!r.has("content-length"));
            }
        }

        // The forwarder keeps serving, and nothing of the failed exchanges stays open: no client connection on the
        // forwarder's port, no connection from heyo-edge to the app that reset.
        QCOMPARE(get(appPort, "/after").status, 200);
        const qint64 edgePid = m_s->edge().pid();
        QVERIFY(connectionsWith(edgePid, m_s->edge().port()) > 0); // the count sees connections (the pooled ones)
        QTRY_COMPARE_WITH_TIMEOUT(connectionsWith(fwd.pid(), port), 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(connectionsWith(edgePid, m_resetting->port()), 0, 10000);
        // Beyond those, only pooled connections may have come, and each engine thread keeps its own pool: per
        // forwarder thread one HTTP/2 connection to heyo-edge for each of the two endpoints (the accepting thread
        // is the kernel's choice), and per heyo-edge thread one to the app behind fault-app. A descriptor lost per
        // failed exchange (five of them) would exceed it.
        const int fwdPooled = 2 * engineLoops(fwd.pid()), edgePooled = fwdPooled + engineLoops(edgePid);
        QTRY_VERIFY2_WITH_TIMEOUT(fdCount(fwd.pid()) <= fwdFds + fwdPooled,
                                  qPrintable(QStringLiteral("forwarder: %1 descriptors, %2 before\nnow: %3\nbefore: %4")
                                                 .arg(fdCount(fwd.pid()))
                                                 .arg(fwdFds)
                                                 .arg(fdDescription(fwd.pid()), fwdBefore)),
                                  10000);
        QTRY_VERIFY2_WITH_TIMEOUT(fdCount(edgePid) <= edgeFds + edgePooled,
                                  qPrintable(QStringLiteral("heyo-edge: %1 descriptors, %2 before\nnow: %3\nbefore: %4")
                                                 .arg(fdCount(edgePid))
                                                 .arg(edgeFds)
                                                 .arg(fdDescription(edgePid), edgeBefore)),
                                  10000);
        QCOMPARE(fwd.stop(SIGINT), 0);
    }

    void edgeRestartWhileForwarding()
    {
        ForwardProcess fwd(*m_s);
        const int port = startForwarder(fwd, {QStringLiteral("fault-app")});
        QVERIFY(port > 0);
        const qint64 pid = fwd.pid();
        QCOMPARE(get(port, "/before").status, 200);

        const int edgePort = m_s->edge().port();
        m_s->edge().stop(); // SIGTERM
        const RawResponse down = get(port, "/down");
        QCOMPARE(down.status, 502);
        QVERIFY2(down.body.find("cannot reach endpoint 'fault-app'") != std::string::npos &&
                     down.body.find("refused") != std::string::npos,
                 down.body.c_str());
        QTRY_VERIFY_WITH_TIMEOUT(fwd.err().contains("fault-app: cannot reach endpoint"), 5000); // its notice

        // The same port and data directory: the forwarder's next requests are served, the very first one included.
        QVERIFY2(m_s->edge().start(QStringLiteral("demo"), {QStringLiteral("--quiet"), QStringLiteral("--listen"),
                                                            QStringLiteral("127.0.0.1:%1").arg(edgePort)}),
                 qPrintable(m_s->edge().error()));
        QCOMPARE(m_s->edge().port(), edgePort);
        const qsizetype noticesBefore = fwd.err().count("heyo: ");
        RawClient c(static_cast<uint16_t>(port));
        c.setTimeout(20000);
        for (int i = 0; i < 10; ++i) {
            const std::string target = "/after/" + std::to_string(i);
            QVERIFY(c.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n"));
            const RawResponse r = c.readResponse();
            QCOMPARE(r.status, 200);
            QCOMPARE(r.body, FaultApp::bodyFor(target));
        }
        // Still the same forwarder process, and it has nothing new to complain about.
        QCOMPARE(fwd.pid(), pid);
        QCOMPARE(fwd.err().count("heyo: "), noticesBefore);
        QCOMPARE(fwd.stop(SIGINT), 0);
    }
};

QTEST_GUILESS_MAIN(TestFaultsRecovery)
#include "tst_faults_recovery.moc"
