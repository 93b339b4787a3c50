// A listener's error is current only until a later request is answered: an upstream that cannot be reached sets
// it, a request that began after it and got its answer clears it, while a refusal of the handler's own (421), an
// answer to a request that began before the error, or an answer the handler marks as an error leave it in place.
#include "NetTestSupport.h"

#include "net/Http.h"

#include <QtTest>

#include <thread>

using namespace heyo::net;
using heyo::test::RawClient;

class TestEngineErrors : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<Engine> m_origin, m_proxy;
    uint16_t m_originPort = 0, m_closedPort = 0, m_proxyPort = 0;
    ListenerId m_proxyId = 0;
    std::mutex m_mutex;
    std::vector<ExchangePtr> m_held; // /slow requests at the origin, answered when the test says so

    void originHandler(const ExchangePtr &ex)
    {
        if (ex->request().path() == "/slow") {
            std::lock_guard lock(m_mutex);
            m_held.push_back(ex);
            return;
        }
        ex->respond(200, Headers{}, "ok\n");
    }

    void proxyHandler(const ExchangePtr &ex)
    {
        const std::string path(ex->request().path());
        if (path == "/refuse")
            return ex->respond(421, Headers{}, "refused by the handler\n");
        if (path == "/local")
            return ex->respond(200, Headers{}, "answered by the handler\n");
        UpstreamTarget t;
        t.host = "127.0.0.1";
        t.port = path == "/down" ? m_closedPort : m_originPort;
        t.connectTimeout = std::chrono::milliseconds(500);
        t.responseTimeout = std::chrono::seconds(10);
        ProxyHooks hooks;
        if (path == "/marked") {
            std::weak_ptr<Exchange> weak = ex;
            hooks.onResponseHead = [weak](ResponseHead &) {
                if (auto e = weak.lock())
                    e->noteError("the handler says this answer is a refusal");
            };
        }
        ex->proxy(t, ex->request(), std::move(hooks));
    }

    int get(const std::string &path)
    {
        RawClient c(m_proxyPort);
        if (!c.ok() || !c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
            return -1;
        return c.readResponse().status;
    }
    std::string lastError() const { return m_proxy->counters(m_proxyId).lastError; }

    // Releases the held /slow requests (on their loop thread).
    void releaseSlow()
    {
        std::lock_guard lock(m_mutex);
        for (const ExchangePtr &ex : m_held)
            ex->post([ex] { ex->respond(200, Headers{}, "slow\n"); });
        m_held.clear();
    }
    size_t heldCount()
    {
        std::lock_guard lock(m_mutex);
        return m_held.size();
    }

private slots:
    void init()
    {
        m_origin = std::make_unique<Engine>(1);
        auto o = m_origin->listen(ListenerConfig{}, [this](const ExchangePtr &ex) { originHandler(ex); });
        QVERIFY(o.ok);
        m_originPort = o.port;
        {
            heyo::test::RawServer closed(nullptr); // bound, then gone: nobody listens there
            m_closedPort = closed.port();
        }
        m_proxy = std::make_unique<Engine>(2);
        auto p = m_proxy->listen(
            ListenerConfig{}, [this](const ExchangePtr &ex) { proxyHandler(ex); }, &m_proxyId);
        QVERIFY(p.ok);
        m_proxyPort = p.port;
        m_origin->start();
        m_proxy->start();
    }

    void cleanup()
    {
        releaseSlow();
        m_proxy->stop(std::chrono::milliseconds(0));
        m_origin->stop(std::chrono::milliseconds(0));
    }

    void laterAnswerClearsTheError()
    {
        QCOMPARE(get("/ok"), 200);
        QCOMPARE(lastError(), std::string());
        QCOMPARE(get("/down"), 502);
        QVERIFY2(!lastError().empty(), "an unreachable upstream is an error");
        const Counters c = m_proxy->counters(m_proxyId);
        QVERIFY(c.lastErrorAt >= c.lastAnsweredAt);

        QCOMPARE(get("/ok"), 200); // the cause has ended
        QCOMPARE(lastError(), std::string());
        QVERIFY(m_proxy->counters(m_proxyId).lastAnsweredAt > c.lastErrorAt);
    }

    void ownRefusalIsNoProof()
    {
        QCOMPARE(get("/down"), 502);
        const std::string error = lastError();
        QVERIFY(!error.empty());
        QCOMPARE(get("/refuse"), 421); // the upstream was never asked
        QCOMPARE(lastError(), error);
        QCOMPARE(get("/local"), 200); // the handler's own success counts
        QCOMPARE(lastError(), std::string());
    }

    void answerToAnEarlierRequestKeepsTheError()
    {
        // A begins, B fails after it, then A is answered: A says nothing about what happened to B.
        int slowStatus = 0;
        std::thread a([&] {
            RawClient c(m_proxyPort);
            c.setTimeout(10000);
            if (c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"))
                slowStatus = c.readResponse().status;
        });
        QTRY_COMPARE(heldCount(), size_t(1));
        QCOMPARE(get("/down"), 502);
        releaseSlow();
        a.join();
        QCOMPARE(slowStatus, 200);
        QVERIFY2(!lastError().empty(), "an answer to a request older than the error cleared it");
        QCOMPARE(get("/ok"), 200);
        QCOMPARE(lastError(), std::string());
    }

    void errorNotedOnAnAnswerStays()
    {
        QCOMPARE(get("/marked"), 200);
        QCOMPARE(lastError(), std::string("the handler says this answer is a refusal"));
        QCOMPARE(get("/refuse"), 421);
        QVERIFY(!lastError().empty());
        QCOMPARE(get("/ok"), 200);
        QCOMPARE(lastError(), std::string());
    }
};

QTEST_GUILESS_MAIN(TestEngineErrors)
#include "tst_engine_errors.moc"
