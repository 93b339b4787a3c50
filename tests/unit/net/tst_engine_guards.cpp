// The engine's request guards: every ambiguous-framing and malformed-head case is answered with the right status
// and a closed connection, and the handler never sees it; plus limits (414/431), the head timeout (408), peer
// checks (acceptFilter, uid lookup) and graceful listener shutdown (503 while draining).
#include "NetTestSupport.h"

#include "net/Http.h"

#include <QtTest>

using namespace heyo::net;
using heyo::test::RawClient;

class TestEngineGuards : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<Engine> m_engine;
    uint16_t m_port = 0;
    ListenerId m_id = 0;
    std::atomic<int> m_calls{0};
    std::atomic<int> m_bodies{0};
    std::atomic<int64_t> m_lastUid{-2};

    void handle(const ExchangePtr &ex)
    {
        ++m_calls;
        const RequestHead &rq = ex->request();
        m_lastUid = ex->peer().uid;
        if (rq.path() == "/body") {
            ex->readBody(1 << 20, [this, ex](std::string b) {
                ++m_bodies;
                ex->respond(200, {}, b);
            });
            return;
        }
        if (rq.path() == "/slow") {
            std::thread([ex] {
                std::this_thread::sleep_for(std::chrono::milliseconds(400));
                ex->post([ex] { ex->respond(200, {}, "slow done\n"); });
            }).detach();
            return;
        }
        std::string out = "upgrade=" + std::to_string(rq.upgrade) + "\n";
        for (const Header &h : rq.headers.list())
            out += h.name + ": " + h.value + "\n";
        ex->respond(200, {}, out);
    }

    void start(ListenerConfig cfg)
    {
        m_engine = std::make_unique<Engine>(2);
        m_calls = 0;
        m_bodies = 0;
        auto res = m_engine->listen(
            std::move(cfg), [this](const ExchangePtr &ex) { handle(ex); }, &m_id);
        QVERIFY(res.ok);
        m_port = res.port;
    }

private slots:
    void init()
    {
        ListenerConfig cfg;
        cfg.maxHeaderBytes = 4096;
        cfg.maxUriBytes = 1024;
        cfg.headerTimeout = std::chrono::milliseconds(400);
        start(cfg);
    }
    void cleanup() { m_engine.reset(); }

    void refusedBeforeHandler_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        const QByteArray g = "GET / HTTP/1.1\r\nHost: x\r\n";
        const QByteArray p = "POST /body HTTP/1.1\r\nHost: x\r\n";
        QTest::newRow("cl+te") << p + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" << 400;
        QTest::newRow("te+cl") << p + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" << 400;
        QTest::newRow("differing cl") << p + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!" << 400;
        QTest::newRow("duplicate cl") << p + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello" << 400;
        QTest::newRow("comma cl") << p + "Content-Length: 5, 5\r\n\r\nhello" << 400;
        QTest::newRow("signed cl") << p + "Content-Length: +5\r\n\r\nhello" << 400;
        QTest::newRow("negative cl") << p + "Content-Length: -1\r\n\r\n" << 400;
        QTest::newRow("hex cl") << p + "Content-Length: 0x5\r\n\r\nhello" << 400;
        QTest::newRow("te gzip,chunked") << p + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" << 400;
        QTest::newRow("te identity") << p + "Transfer-Encoding: identity\r\n\r\n" << 400;
        QTest::newRow("te twice") << p + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                                  << 400;
        QTest::newRow("te chunked,chunked") << p + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n" << 400;
        QTest::newRow("te in http/1.0")
            << QByteArray("POST /body HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
        QTest::newRow("obs-fold") << g + "X-A: 1\r\n continued\r\n\r\n" << 400;
        QTest::newRow("obs-fold tab") << g + "X-A: 1\r\n\tcontinued\r\n\r\n" << 400;
        QTest::newRow("bare lf") << QByteArray("GET / HTTP/1.1\nHost: x\n\n") << 400;
        QTest::newRow("bare lf in header") << g + "X-A: 1\nX-B: 2\r\n\r\n" << 400;
        QTest::newRow("bare cr") << g + "X-A: 1\rX-B: 2\r\n\r\n" << 400;
        QTest::newRow("nul") << g + QByteArray("X-A: a\0b\r\n\r\n", 12) << 400;
        QTest::newRow("control") << g + "X-A: a\x01"
                                        "b\r\n\r\n"
                                 << 400;
        QTest::newRow("del") << g + "X-A: a\x7f"
                                    "b\r\n\r\n"
                             << 400;
        QTest::newRow("space before colon") << g + "X-A : 1\r\n\r\n" << 400;
        QTest::newRow("tab before colon") << g + "X-A\t: 1\r\n\r\n" << 400;
        QTest::newRow("no colon") << g + "X-A 1\r\n\r\n" << 400;
        QTest::newRow("absolute-form") << QByteArray("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n") << 400;
        QTest::newRow("authority-form") << QByteArray("CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n") << 405;
        QTest::newRow("asterisk-form") << QByteArray("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n") << 400;
        QTest::newRow("missing host") << QByteArray("GET / HTTP/1.1\r\nX-A: 1\r\n\r\n") << 400;
        QTest::newRow("duplicate host") << g + "Host: y\r\n\r\n" << 400;
        QTest::newRow("header block too large") << g + "X-Big: " + QByteArray(5000, 'a') + "\r\n\r\n" << 431;
        QTest::newRow("uri too long") << "GET /" + QByteArray(2000, 'u') + " HTTP/1.1\r\nHost: x\r\n\r\n" << 414;
    }
    void refusedBeforeHandler()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        RawClient c(m_port);
        QVERIFY(c.send(std::string(request.constData(), static_cast<size_t>(request.size()))));
        auto r = c.readResponse();
        QVERIFY(r.ok);
        QCOMPARE(r.status, status);
        QCOMPARE(r.header("Connection"), std::string("close"));
        QCOMPARE(r.body.back(), '\n');
        QVERIFY(c.closedByPeer());
        QCOMPARE(m_calls.load(), 0);
        QVERIFY(!m_engine->counters(m_id).lastError.empty());
    }

    void badChunkFramingNeverDelivered_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("size not hex") << QByteArray("zz\r\nhello\r\n0\r\n\r\n");
        QTest::newRow("size with 0x") << QByteArray("0x5\r\nhello\r\n0\r\n\r\n");
        QTest::newRow("negative size") << QByteArray("-5\r\nhello\r\n0\r\n\r\n");
        QTest::newRow("space in size") << QByteArray("5 \r\nhello\r\n0\r\n\r\n");
        QTest::newRow("bad extension") << QByteArray("5;a\x01\r\nhello\r\n0\r\n\r\n");
        QTest::newRow("bare lf after size") << QByteArray("5\nhello\r\n0\r\n\r\n");
        QTest::newRow("data longer than size") << QByteArray("5\r\nhello!\r\n0\r\n\r\n");
        QTest::newRow("size overflow") << QByteArray("fffffffffffffffff\r\nx\r\n0\r\n\r\n");
    }
    void badChunkFramingNeverDelivered()
    {
        QFETCH(QByteArray, body);
        RawClient c(m_port);
        QVERIFY(c.send("POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body.toStdString()));
        auto r = c.readResponse();
        QCOMPARE(r.status, 400);
        QVERIFY(c.closedByPeer());
        QCOMPARE(m_bodies.load(), 0);
    }

    void headTimeoutIs408()
    {
        RawClient c(m_port);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: x\r\n"));
        QElapsedTimer t;
        t.start();
        auto r = c.readResponse();
        QCOMPARE(r.status, 408);
        QVERIFY(t.elapsed() >= 300);
        QCOMPARE(m_calls.load(), 0);
        // A slowloris that trickles bytes is still cut off at the deadline.
        RawClient s(m_port);
        t.restart();
        QVERIFY(s.send("GET / HTTP/1.1\r\n"));
        for (int i = 0; i < 20 && s.send("X-A: 1\r\n"); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        auto r2 = s.readResponse();
        QCOMPARE(r2.status, 408);
        QVERIFY(t.elapsed() < 2000);
    }

    void h2cUpgradeDropped()
    {
        RawClient c(m_port);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                       "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("upgrade=0\nHost: x\n"));
        // The connection stays plain HTTP/1.1.
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"));
        auto r2 = c.readResponse();
        QVERIFY2(r2.body == "upgrade=1\nHost: x\nUpgrade: websocket\n", (r2.head + r2.body).c_str());
    }

    void http2PrefaceIsToldHttp2IsNotEnabled_data()
    {
        QTest::addColumn<QList<QByteArray>>("pieces");
        QTest::addColumn<bool>("goaway"); // false: not a whole preface, so an HTTP/1.1 head that never ended (408)
        const QByteArray settings("\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9); // an empty SETTINGS frame
        QTest::newRow("preface and settings")
            << QList<QByteArray>{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + settings} << true;
        QTest::newRow("preface in pieces")
            << QList<QByteArray>{"PRI * HTTP/2.0\r\n", "\r\nSM\r\n\r\n" + settings} << true;
        QTest::newRow("without SM") << QList<QByteArray>{"PRI * HTTP/2.0\r\n\r\n"} << false;
    }
    void http2PrefaceIsToldHttp2IsNotEnabled()
    {
        // On a listener without HTTP/2 a prior-knowledge client gets a GOAWAY (HTTP_1_1_REQUIRED) whose debug data
        // says why, not "bare CR in header block".
        QFETCH(QList<QByteArray>, pieces);
        QFETCH(bool, goaway);
        RawClient c(m_port);
        for (const QByteArray &piece : pieces) {
            QVERIFY(c.send(piece.toStdString()));
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        const std::string all = c.readUntilClose();
        if (goaway) {
            const std::string frame("\x00\x00\x00\x00\x00\x00\x00\x0d", 8); // last stream 0, HTTP_1_1_REQUIRED
            QVERIFY(all.find(frame + "HTTP/2 is not enabled on this port (use HTTP/1.1)") != std::string::npos);
        } else {
            QVERIFY2(all.rfind("HTTP/1.1 408 ", 0) == 0, all.c_str());
        }
        QCOMPARE(m_calls.load(), 0);
    }

    void curlWithHttp2PriorKnowledgeIsAnswered()
    {
        // A real prior-knowledge client (curl) is answered at once and the connection closed: no hang, no request
        // reaches the handler. curl 7.88 prints "Error in the HTTP2 framing layer" for the GOAWAY, not its text.
        QProcess curl;
        curl.setProcessChannelMode(QProcess::MergedChannels);
        curl.start(QStringLiteral("curl"),
                   {QStringLiteral("-sS"), QStringLiteral("--max-time"), QStringLiteral("10"),
                    QStringLiteral("--http2-prior-knowledge"), QStringLiteral("http://127.0.0.1:%1/").arg(m_port)});
        QVERIFY2(curl.waitForFinished(20000), "curl did not finish");
        const QByteArray out = curl.readAll();
        QVERIFY2(curl.exitCode() != 0 && curl.exitCode() != 28, out.constData()); // 28: timed out
        QCOMPARE(m_calls.load(), 0);
        const std::string error = m_engine->counters(m_id).lastError;
        QVERIFY2(error == "HTTP/2 connection refused: HTTP/2 is not enabled on this port (use HTTP/1.1)",
                 error.c_str());
    }

    void connectionListCannotRemoveHost()
    {
        RawClient c(m_port);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: host, content-length, x-a\r\nX-A: 1\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.body, std::string("upgrade=0\nHost: x\n"));
    }

    void acceptFilterAndPeerUid()
    {
        ListenerConfig cfg;
        cfg.lookupPeerUid = true;
        std::atomic<int> seen{0};
        cfg.acceptFilter = [&seen](const PeerInfo &p) {
            ++seen;
            return p.loopback && p.uid == static_cast<int64_t>(::getuid()) && p.address == "127.0.0.1" && p.port;
        };
        start(cfg);
        RawClient c(m_port);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 200);
        QCOMPARE(m_lastUid.load(), static_cast<int64_t>(::getuid()));

        ListenerConfig deny;
        deny.acceptFilter = [](const PeerInfo &) { return false; };
        start(deny);
        RawClient d(m_port);
        d.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(d.closedByPeer());
        QCOMPARE(m_calls.load(), 0);
    }

    void gracefulClose()
    {
        RawClient idle(m_port);
        QVERIFY(idle.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"));
        QCOMPARE(idle.readResponse().status, 200);
        RawClient busy(m_port);
        QVERIFY(busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
        QTRY_COMPARE(m_calls.load(), 2);

        m_engine->closeListener(m_id, std::chrono::milliseconds(1500));
        RawClient late(m_port);
        QVERIFY(!late.ok()); // no longer accepting
        // A kept-alive connection that sends a request meanwhile is told why.
        QVERIFY(idle.send("GET /second HTTP/1.1\r\nHost: x\r\n\r\n"));
        auto r = idle.readResponse();
        QCOMPARE(r.status, 503);
        QCOMPARE(r.body, std::string("shutting down\n"));
        // The in-flight request finishes, then its connection closes.
        auto s = busy.readResponse();
        QCOMPARE(s.status, 200);
        QCOMPARE(s.body, std::string("slow done\n"));
        QCOMPARE(s.header("Connection"), std::string("close"));
        QVERIFY(busy.closedByPeer());
        QCOMPARE(m_calls.load(), 2);
        QTRY_COMPARE(m_engine->counters(m_id).openConnections, uint64_t(0));
    }

    void graceExpiryClosesConnections()
    {
        RawClient idle(m_port);
        QVERIFY(idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        QCOMPARE(idle.readResponse().status, 200);
        QElapsedTimer t;
        t.start();
        m_engine->closeListener(m_id, std::chrono::milliseconds(300));
        QVERIFY(idle.closedByPeer());
        QVERIFY(t.elapsed() >= 200);
        QVERIFY(t.elapsed() < 3000);
    }

    void stopWaitsForInFlight()
    {
        RawClient busy(m_port);
        QVERIFY(busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
        QTRY_COMPARE(m_calls.load(), 1);
        std::thread stopper([this] { m_engine->stop(std::chrono::milliseconds(3000)); });
        auto s = busy.readResponse();
        stopper.join();
        QCOMPARE(s.status, 200);
        QCOMPARE(s.body, std::string("slow done\n"));
    }
};

QTEST_GUILESS_MAIN(TestEngineGuards)
#include "tst_engine_guards.moc"
