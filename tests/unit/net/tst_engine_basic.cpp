// The engine as a server: respond(), readBody(), keep-alive, HTTP/1.0, HEAD/204, pipelining, post(), access log,
// counters, TLS, timeouts — all over real sockets.
#include "NetTestSupport.h"

#include "net/Http.h"
#include "net/TlsContext.h"

#include <QtTest>

#include <mutex>

using namespace heyo::net;
using heyo::test::RawClient;

class TestEngineBasic : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<Engine> m_engine;
    uint16_t m_port = 0;
    ListenerId m_id = 0;
    std::atomic<int> m_calls{0};
    std::mutex m_logMutex;
    std::vector<AccessRecord> m_log;

    static Headers textHeaders()
    {
        Headers h;
        h.add("Content-Type", "text/plain");
        return h;
    }

    void handle(const ExchangePtr &ex)
    {
        ++m_calls;
        const RequestHead &rq = ex->request();
        const std::string path(rq.path());
        if (path == "/echo") {
            ex->readBody(1024 * 1024, [ex](std::string body) { ex->respond(200, textHeaders(), body); });
        } else if (path == "/small") {
            ex->readBody(10, [ex](std::string body) { ex->respond(200, textHeaders(), body); });
        } else if (path == "/nocontent") {
            ex->respond(204, {}, "");
        } else if (path == "/later") {
            // Answer from another thread through post(), after a delay.
            std::thread([ex] {
                std::this_thread::sleep_for(std::chrono::milliseconds(150));
                ex->post([ex] { ex->respond(200, textHeaders(), "later\n"); });
            }).detach();
        } else if (path == "/forget") {
            // Neither answers nor keeps the exchange: the engine must answer 500 rather than hang.
        } else if (path == "/headers") {
            std::string out;
            for (const Header &h : rq.headers.list())
                out += h.name + "=" + h.value + "\n";
            ex->respond(200, textHeaders(), out);
        } else {
            ex->respond(200, textHeaders(), rq.method + " " + rq.target + "\n");
        }
    }

private slots:
    void init()
    {
        m_engine = std::make_unique<Engine>(2);
        m_calls = 0;
        m_log.clear();
        ListenerConfig cfg;
        cfg.idleTimeout = std::chrono::milliseconds(600);
        cfg.accessLog = [this](const AccessRecord &r) {
            std::lock_guard lock(m_logMutex);
            m_log.push_back(r);
        };
        auto res = m_engine->listen(
            cfg, [this](const ExchangePtr &ex) { handle(ex); }, &m_id);
        QVERIFY2(res.ok, res.error.c_str());
        QVERIFY(res.port != 0);
        m_port = res.port;
    }
    void cleanup() { m_engine.reset(); }

    void respondsAndKeepsAlive()
    {
        RawClient c(m_port);
        QVERIFY(c.ok());
        QVERIFY(c.send("GET /a?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        auto r1 = c.readResponse();
        QVERIFY(r1.ok);
        QCOMPARE(r1.status, 200);
        QCOMPARE(r1.body, std::string("GET /a?x=1\n"));
        QCOMPARE(r1.header("Content-Length"), std::string("11"));
        QVERIFY(!r1.has("Connection"));
        QVERIFY(c.send("GET /b HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        auto r2 = c.readResponse();
        QCOMPARE(r2.status, 200);
        QCOMPARE(r2.body, std::string("GET /b\n"));
        QCOMPARE(m_calls.load(), 2);
        Counters k = m_engine->counters(m_id);
        QCOMPARE(k.requests, uint64_t(2));
        QCOMPARE(k.openConnections, uint64_t(1));
        QVERIFY(k.bytesIn > 60);
        QVERIFY(k.bytesOut > 60);
    }

    void connectionCloseIsHonoured()
    {
        RawClient c(m_port);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Connection"), std::string("close"));
        QVERIFY(c.closedByPeer());
    }

    void http10()
    {
        RawClient c(m_port);
        QVERIFY(c.send("GET /old HTTP/1.0\r\nHost: x\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("GET /old\n"));
        QVERIFY(c.closedByPeer());

        RawClient k(m_port);
        QVERIFY(k.send("GET /1 HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"));
        auto r1 = k.readResponse();
        QCOMPARE(r1.header("Connection"), std::string("keep-alive"));
        QVERIFY(k.send("GET /2 HTTP/1.0\r\nHost: x\r\n\r\n"));
        auto r2 = k.readResponse();
        QCOMPARE(r2.body, std::string("GET /2\n"));
    }

    void readBodyContentLengthAndChunked()
    {
        RawClient c(m_port);
        QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("hello"));
        QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-Trailer: t\r\n\r\n"));
        auto r2 = c.readResponse();
        QCOMPARE(r2.status, 200);
        QCOMPARE(r2.body, std::string("abcdefg"));
    }

    void readBodyLimit()
    {
        RawClient c(m_port);
        QVERIFY(c.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world"));
        QCOMPARE(c.readResponse().status, 413);
        RawClient d(m_port);
        QVERIFY(d.send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n"));
        QCOMPARE(d.readResponse().status, 413);
    }

    void expectContinue()
    {
        RawClient c(m_port);
        QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
        auto cont = c.readResponse();
        QCOMPARE(cont.status, 100);
        QVERIFY(c.send("ping"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("ping"));
    }

    void headAndNoContent()
    {
        RawClient c(m_port);
        QVERIFY(c.send("HEAD /thing HTTP/1.1\r\nHost: x\r\n\r\n"));
        auto r = c.readResponse(true);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Length"), std::string("12")); // "HEAD /thing\n"
        QVERIFY(c.send("GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n"));
        auto r2 = c.readResponse();
        QCOMPARE(r2.status, 204);
        QVERIFY(!r2.has("Content-Length"));
        // Nothing of the HEAD body leaked into the stream: the next response parses cleanly.
        QVERIFY(c.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n"));
        QCOMPARE(c.readResponse().body, std::string("GET /after\n"));
    }

    void pipelinedRequestsAnsweredInOrder()
    {
        RawClient c(m_port);
        QVERIFY(c.send("GET /later HTTP/1.1\r\nHost: x\r\n\r\n"
                       "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                       "GET /third HTTP/1.1\r\nHost: x\r\n\r\n"));
        QCOMPARE(c.readResponse().body, std::string("later\n"));
        QCOMPARE(c.readResponse().body, std::string("abc"));
        QCOMPARE(c.readResponse().body, std::string("GET /third\n"));
    }

    void unansweredExchangeGets500()
    {
        RawClient c(m_port);
        QVERIFY(c.send("GET /forget HTTP/1.1\r\nHost: x\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 500);
    }

    void hopByHopRemovedBeforeHandler()
    {
        RawClient c(m_port);
        QVERIFY(c.send("GET /headers HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Secret-Hop\r\n"
                       "X-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Connection: x\r\n"
                       "Upgrade: h2c\r\nX-Kept: yes\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("Host=x\nX-Kept=yes\n"));
    }

    void accessLogRecordsWithoutQuery()
    {
        {
            RawClient c(m_port);
            QVERIFY(c.send("GET /logged?token=secret HTTP/1.1\r\nHost: example.localhost\r\n\r\n"));
            QCOMPARE(c.readResponse().status, 200);
        }
        QTRY_VERIFY(!m_log.empty());
        std::lock_guard lock(m_logMutex);
        QCOMPARE(m_log[0].method, std::string("GET"));
        QCOMPARE(m_log[0].host, std::string("example.localhost"));
        QCOMPARE(m_log[0].path, std::string("/logged"));
        QCOMPARE(m_log[0].status, 200);
        QVERIFY(m_log[0].bytesOut > 0);
        QVERIFY(m_log[0].bytesIn > 0);
    }

    void idleConnectionClosed()
    {
        RawClient c(m_port);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 200);
        QElapsedTimer t;
        t.start();
        QVERIFY(c.closedByPeer()); // idleTimeout is 600 ms; the client timeout is 5 s
        QVERIFY(t.elapsed() >= 400);
        QTRY_COMPARE(m_engine->counters(m_id).openConnections, uint64_t(0));
    }

    void tlsServer()
    {
        QTemporaryDir dir;
        heyo::test::TestCerts certs;
        QVERIFY(certs.make(dir));
        std::string err;
        SslCtxPtr server = makeServerTlsContext(certs.cert.toStdString(), certs.key.toStdString(), &err);
        QVERIFY2(server, err.c_str());
        SslCtxPtr client = makeClientTlsContext(certs.ca.toStdString(), &err);
        QVERIFY2(client, err.c_str());
        ListenerConfig cfg;
        cfg.tls = server.get();
        auto res = m_engine->listen(cfg, [this](const ExchangePtr &ex) { handle(ex); });
        QVERIFY(res.ok);
        RawClient c(res.port, client.get(), "localhost");
        QVERIFY2(c.ok(), c.tlsError().c_str());
        QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\n\r\nsecret"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("secret"));
        QVERIFY(c.send("GET /again HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        QCOMPARE(c.readResponse().body, std::string("GET /again\n"));
        m_engine.reset(); // the listener's SSL_CTX must outlive the engine
    }

    void tlsContextErrors()
    {
        std::string err;
        QVERIFY(!makeServerTlsContext("/nonexistent/cert.pem", "/nonexistent/key.pem", &err));
        QVERIFY(err.find("/nonexistent/cert.pem") != std::string::npos);
        QVERIFY(!makeClientTlsContext("/nonexistent/ca.pem", &err));
        QVERIFY(err.find("/nonexistent/ca.pem") != std::string::npos);
    }

    void portInUseReported()
    {
        ListenerConfig cfg;
        cfg.port = m_port;
        auto res = m_engine->listen(cfg, [](const ExchangePtr &) {});
        QVERIFY(!res.ok);
        QVERIFY2(res.error.find("already in use") != std::string::npos, res.error.c_str());
    }
};

QTEST_GUILESS_MAIN(TestEngineBasic)
#include "tst_engine_basic.moc"
