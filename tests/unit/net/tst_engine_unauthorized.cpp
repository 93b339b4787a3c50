// ProxyHooks::onUnauthorized: an upstream 401 held for the handler, then one retry (with the kept body) or a 401
// worded by the handler; bodies over the replay limit and second 401s pass through; a handler that never decides
// still gets an answer. Origin and proxy are engine listeners over real sockets.
#include "NetTestSupport.h"

#include "net/Http.h"

#include <QtTest>

#include <thread>

using namespace heyo::net;
using heyo::test::RawClient;

class TestEngineUnauthorized : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<Engine> m_origin, m_proxy;
    uint16_t m_originPort = 0, m_proxyPort = 0;
    ListenerId m_proxyId = 0;
    std::atomic<int> m_originRequests{0};
    std::atomic<int> m_rejected{0};
    std::atomic<int> m_hookCalls{0};
    std::mutex m_mutex;
    std::vector<std::string> m_tokensSeen;

    // Accepts only "X-Token: good"; /echo returns the request body.
    void originHandler(const ExchangePtr &ex)
    {
        ++m_originRequests;
        const RequestHead &rq = ex->request();
        const std::string *token = rq.headers.find("X-Token");
        {
            std::lock_guard lock(m_mutex);
            m_tokensSeen.push_back(token ? *token : "");
        }
        if (!token || *token != "good") {
            ++m_rejected;
            Headers h;
            h.add("WWW-Authenticate", "Bearer");
            ex->respond(401, std::move(h), "origin says no\n");
            return;
        }
        if (rq.path() == "/echo") {
            ex->readBody(1024 * 1024, [ex](std::string body) { ex->respond(200, Headers{}, body); });
            return;
        }
        ex->respond(200, Headers{}, "ok " + rq.method + " " + rq.target + "\n");
    }

    // X-Mode says what the "token refresh" does: retry (default), giveup, bad-again, passthrough, ignore.
    void proxyHandler(const ExchangePtr &ex)
    {
        RequestHead head = ex->request();
        const std::string *m = head.headers.find("X-Mode");
        const std::string mode = m ? *m : "retry";
        head.headers.set("X-Token", "bad");
        UpstreamTarget t;
        t.host = "127.0.0.1";
        t.port = m_originPort;
        t.responseTimeout = std::chrono::milliseconds(800);
        ProxyHooks hooks;
        std::weak_ptr<Exchange> weak = ex;
        hooks.onUnauthorized = [this, weak, head, mode](const ResponseHead &rs) {
            ++m_hookCalls;
            if (rs.status != 401 || mode == "passthrough")
                return false;
            auto ex = weak.lock();
            if (!ex || mode == "ignore")
                return true; // "ignore" never decides: the engine must answer by itself
            // Decided on another thread, as a token refresh would be, and handed back with post().
            std::thread([ex, head, mode]() mutable {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                ex->post([ex, head, mode]() mutable {
                    if (mode == "giveup") {
                        Headers h;
                        h.add("Content-Type", "text/plain; charset=utf-8");
                        ex->respond(401, std::move(h), "signed out of test: sign in again\n");
                        return;
                    }
                    head.headers.set("X-Token", mode == "bad-again" ? "bad" : "good");
                    ex->retry(std::move(head));
                });
            }).detach();
            return true;
        };
        ex->proxy(t, std::move(head), std::move(hooks));
    }

    int tokensSeen(const std::string &value)
    {
        std::lock_guard lock(m_mutex);
        return static_cast<int>(std::count(m_tokensSeen.begin(), m_tokensSeen.end(), value));
    }

private slots:
    void init()
    {
        m_originRequests = m_rejected = m_hookCalls = 0;
        m_tokensSeen.clear();
        m_origin = std::make_unique<Engine>(1);
        auto r1 = m_origin->listen(ListenerConfig{}, [this](const ExchangePtr &ex) { originHandler(ex); });
        QVERIFY(r1.ok);
        m_originPort = r1.port;
        m_proxy = std::make_unique<Engine>(1);
        auto r2 = m_proxy->listen(
            ListenerConfig{}, [this](const ExchangePtr &ex) { proxyHandler(ex); }, &m_proxyId);
        QVERIFY(r2.ok);
        m_proxyPort = r2.port;
    }

    void cleanup()
    {
        m_proxy.reset();
        m_origin.reset();
    }

    void getIsRetriedOnceWithTheNewHead()
    {
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /thing?q=1 HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200); // the client never saw the 401
        QCOMPARE(r.body, std::string("ok GET /thing?q=1\n"));
        QCOMPARE(m_hookCalls.load(), 1);
        QCOMPARE(m_originRequests.load(), 2);
        QCOMPARE(tokensSeen("bad"), 1);
        QCOMPARE(tokensSeen("good"), 1);
        QCOMPARE(m_proxy->counters(m_proxyId).upstreamRequests, uint64_t(2));
        // The client connection stays usable (keep-alive), and the next request gets its own chance.
        QVERIFY(c.send("GET /again HTTP/1.1\r\nHost: l\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 200);
        QCOMPARE(m_hookCalls.load(), 2);
    }

    void keptBodiesAreSentAgain_data()
    {
        QTest::addColumn<QString>("framing");
        QTest::addColumn<int>("size");
        QTest::newRow("content-length small") << "length" << 11;
        QTest::newRow("content-length at the limit") << "length" << 64 * 1024;
        QTest::newRow("chunked") << "chunked" << 5000;
    }

    void keptBodiesAreSentAgain()
    {
        QFETCH(QString, framing);
        QFETCH(int, size);
        std::string body(static_cast<size_t>(size), 'x');
        for (size_t i = 0; i < body.size(); ++i)
            body[i] = static_cast<char>('a' + i % 26);
        std::string req = "POST /echo HTTP/1.1\r\nHost: l\r\n";
        if (framing == "chunked") {
            req += "Transfer-Encoding: chunked\r\n\r\n";
            for (size_t off = 0; off < body.size(); off += 1000) {
                const std::string part = body.substr(off, 1000);
                char hex[16];
                std::snprintf(hex, sizeof hex, "%zx", part.size());
                req += std::string(hex) + "\r\n" + part + "\r\n";
            }
            req += "0\r\n\r\n";
        } else {
            req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        }
        RawClient c(m_proxyPort);
        QVERIFY(c.send(req));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body.size(), body.size());
        QVERIFY(r.body == body);
        QCOMPARE(m_hookCalls.load(), 1);
        QCOMPARE(m_originRequests.load(), 2);
    }

    void bodyOverTheLimitPassesThe401Through()
    {
        const std::string body(64 * 1024 + 1, 'z');
        RawClient c(m_proxyPort);
        QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: l\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                       body));
        auto r = c.readResponse();
        QCOMPARE(r.status, 401);
        QCOMPARE(r.body, std::string("origin says no\n"));
        QCOMPARE(r.header("WWW-Authenticate"), std::string("Bearer"));
        QCOMPARE(m_hookCalls.load(), 0); // not replayable: never offered
        QCOMPARE(m_originRequests.load(), 1);
        // Chunked and over the limit while streaming: the same.
        std::string chunked = "POST /echo HTTP/1.1\r\nHost: l\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 3; ++i)
            chunked += "8000\r\n" + std::string(0x8000, 'c') + "\r\n";
        chunked += "0\r\n\r\n";
        RawClient d(m_proxyPort);
        QVERIFY(d.send(chunked));
        QCOMPARE(d.readResponse().status, 401);
        QCOMPARE(m_hookCalls.load(), 0);
    }

    void handlerGivesUpWithItsOwnLine()
    {
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /x HTTP/1.1\r\nHost: l\r\nX-Mode: giveup\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 401);
        QCOMPARE(r.body, std::string("signed out of test: sign in again\n"));
        QVERIFY(!r.has("WWW-Authenticate")); // nothing of the upstream's 401 leaked
        QCOMPARE(m_originRequests.load(), 1);
        QVERIFY(c.send("GET /next HTTP/1.1\r\nHost: l\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 200);
    }

    void secondUnauthorizedGoesToTheClient()
    {
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /x HTTP/1.1\r\nHost: l\r\nX-Mode: bad-again\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 401);
        QCOMPARE(r.body, std::string("origin says no\n"));
        QCOMPARE(m_hookCalls.load(), 1); // one retry, never a loop
        QCOMPARE(m_originRequests.load(), 2);
    }

    void declinedHookPassesThrough()
    {
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /x HTTP/1.1\r\nHost: l\r\nX-Mode: passthrough\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 401);
        QCOMPARE(r.body, std::string("origin says no\n"));
        QCOMPARE(m_hookCalls.load(), 1);
        QCOMPARE(m_originRequests.load(), 1);
    }

    void undecidedHoldIsAnsweredInTime()
    {
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /x HTTP/1.1\r\nHost: l\r\nX-Mode: ignore\r\n\r\n"));
        QElapsedTimer timer;
        timer.start();
        auto r = c.readResponse();
        QCOMPARE(r.status, 401);
        QVERIFY(r.body.find("no new one arrived in time") != std::string::npos);
        QVERIFY(timer.elapsed() < 4000);
        QCOMPARE(m_originRequests.load(), 1);
    }

    void clientGoneWhileHeld()
    {
        {
            RawClient c(m_proxyPort);
            QVERIFY(c.send("GET /x HTTP/1.1\r\nHost: l\r\n\r\n"));
            QTRY_COMPARE(m_hookCalls.load(), 1);
        } // closed while the "refresh" runs: the late retry must be a harmless no-op
        QTest::qWait(100);
        RawClient d(m_proxyPort);
        QVERIFY(d.send("GET /y HTTP/1.1\r\nHost: l\r\n\r\n"));
        QCOMPARE(d.readResponse().status, 200);
    }
};

QTEST_GUILESS_MAIN(TestEngineUnauthorized)
#include "tst_engine_unauthorized.moc"
