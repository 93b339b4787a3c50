// proxy(): plain and TLS upstreams, the keep-alive pool, streaming both ways (Content-Length, chunked,
// read-until-close), 100-continue, SSE, 502/504 errors, TLS verification failures, malicious upstreams and the
// stale-connection retry — origins are engine listeners or scripted raw servers.
#include "NetTestSupport.h"
#include "Rfc9112Reference.h"
#include "Sanitizer.h"

#include "net/Http.h"
#include "net/TlsContext.h"

#include <QtTest>

using namespace heyo::net;
using heyo::test::RawClient;
using heyo::test::RawServer;
using heyo::test::readHead;
using heyo::test::sendAll;

class TestEngineProxy : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    heyo::test::TestCerts m_certs;
    SslCtxPtr m_serverTls, m_clientTls, m_wrongCaTls;
    std::unique_ptr<Engine> m_origin, m_proxy;
    uint16_t m_originPort = 0, m_originTlsPort = 0, m_proxyPort = 0;
    ListenerId m_proxyId = 0;
    std::atomic<int> m_originConnections{0};
    std::atomic<int> m_originRequests{0};
    std::mutex m_mutex;
    UpstreamTarget m_target;
    std::vector<ExchangePtr> m_hung;

    UpstreamTarget target()
    {
        std::lock_guard lock(m_mutex);
        return m_target;
    }
    void setTarget(uint16_t port, SSL_CTX *tls = nullptr, std::string host = "127.0.0.1", std::string sni = {})
    {
        std::lock_guard lock(m_mutex);
        m_target = UpstreamTarget{};
        m_target.host = std::move(host);
        m_target.port = port;
        m_target.tls = tls;
        m_target.sni = std::move(sni);
        m_target.connectTimeout = std::chrono::milliseconds(500);
        m_target.responseTimeout = std::chrono::milliseconds(800);
    }

    void originHandler(const ExchangePtr &ex)
    {
        ++m_originRequests;
        const RequestHead &rq = ex->request();
        std::string path(rq.path());
        Headers h;
        h.add("Content-Type", "text/plain");
        if (path == "/echo") {
            ex->readBody(8 * 1024 * 1024, [ex](std::string body) {
                Headers hh;
                hh.add("X-Origin", "yes");
                ex->respond(200, std::move(hh), body);
            });
        } else if (path == "/hang") {
            std::lock_guard lock(m_mutex);
            m_hung.push_back(ex); // never answered
        } else {
            std::string out = rq.method + " " + rq.target + "\n";
            for (const Header &hd : rq.headers.list())
                out += hd.name + ": " + hd.value + "\n";
            ex->respond(200, std::move(h), out);
        }
    }

    void proxyHandler(const ExchangePtr &ex)
    {
        RequestHead head = ex->request();
        UpstreamTarget t = target();
        head.headers.set("Host", t.sni.empty() ? t.host : t.sni);
        head.headers.add("X-Proxied", "1");
        ProxyHooks hooks;
        hooks.onResponseHead = [](ResponseHead &rs) { rs.headers.add("X-Via", "engine"); };
        ex->proxy(t, std::move(head), std::move(hooks));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_certs.make(m_dir));
        std::string err;
        m_serverTls = makeServerTlsContext(m_certs.cert.toStdString(), m_certs.key.toStdString(), &err);
        QVERIFY2(m_serverTls, err.c_str());
        m_clientTls = makeClientTlsContext(m_certs.ca.toStdString(), &err);
        QVERIFY2(m_clientTls, err.c_str());
        m_wrongCaTls = makeClientTlsContext(m_certs.otherCa.toStdString(), &err);
        QVERIFY2(m_wrongCaTls, err.c_str());
    }

    void init()
    {
        m_originConnections = 0;
        m_originRequests = 0;
        m_origin = std::make_unique<Engine>(1);
        ListenerConfig oc;
        oc.acceptFilter = [this](const PeerInfo &) {
            ++m_originConnections;
            return true;
        };
        auto r1 = m_origin->listen(oc, [this](const ExchangePtr &ex) { originHandler(ex); });
        QVERIFY(r1.ok);
        m_originPort = r1.port;
        oc.tls = m_serverTls.get();
        auto r2 = m_origin->listen(oc, [this](const ExchangePtr &ex) { originHandler(ex); });
        QVERIFY(r2.ok);
        m_originTlsPort = r2.port;

        m_proxy = std::make_unique<Engine>(2);
        ListenerConfig pc;
        auto r3 = m_proxy->listen(
            pc, [this](const ExchangePtr &ex) { proxyHandler(ex); }, &m_proxyId);
        QVERIFY(r3.ok);
        m_proxyPort = r3.port;
        setTarget(m_originPort);
    }

    void cleanup()
    {
        m_proxy.reset();
        {
            std::lock_guard lock(m_mutex);
            m_hung.clear();
        }
        m_origin.reset();
    }

    void plainUpstreamWithKeepAlivePool()
    {
        RawClient c(m_proxyPort);
        for (int i = 0; i < 5; ++i) {
            QVERIFY(c.send("GET /info?i=" + std::to_string(i) +
                           " HTTP/1.1\r\nHost: local\r\nConnection: x-hop\r\n"
                           "X-Hop: drop\r\n\r\n"));
            auto r = c.readResponse();
            QCOMPARE(r.status, 200);
            QVERIFY(r.body.find("GET /info?i=" + std::to_string(i)) == 0);
            QVERIFY(r.body.find("Host: 127.0.0.1\n") != std::string::npos);
            QVERIFY(r.body.find("X-Proxied: 1") != std::string::npos);
            QVERIFY(r.body.find("X-Hop") == std::string::npos);
            QCOMPARE(r.header("X-Via"), std::string("engine"));
        }
        // Separate client connections share the per-loop pool too (2 loops → at most 2 upstream connections).
        for (int i = 0; i < 6; ++i) {
            RawClient d(m_proxyPort);
            QVERIFY(d.send("GET /x HTTP/1.1\r\nHost: local\r\n\r\n"));
            QCOMPARE(d.readResponse().status, 200);
        }
        QCOMPARE(m_originRequests.load(), 11);
        QVERIFY2(m_originConnections.load() <= 2, std::to_string(m_originConnections.load()).c_str());
    }

    void bodiesStreamBothWays()
    {
        RawClient c(m_proxyPort);
        QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: l\r\nContent-Length: 11\r\n\r\nhello world"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("hello world"));
        QCOMPARE(r.header("X-Origin"), std::string("yes"));
        QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: l\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5\r\nchunk\r\n3\r\ned!\r\n0\r\nAuthorization: smuggled\r\n\r\n"));
        auto r2 = c.readResponse();
        QCOMPARE(r2.status, 200);
        QCOMPARE(r2.body, std::string("chunked!"));
    }

    void expectContinueThroughProxy()
    {
        RawClient c(m_proxyPort);
        QVERIFY(c.send("PUT /echo HTTP/1.1\r\nHost: l\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 100);
        QVERIFY(c.send("abc"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("abc"));
    }

    void headThroughProxy()
    {
        RawClient c(m_proxyPort);
        QVERIFY(c.send("HEAD /thing HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r = c.readResponse(true);
        QCOMPARE(r.status, 200);
        QVERIFY(r.has("Content-Length"));
        QVERIFY(c.send("GET /next HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r2 = c.readResponse();
        QVERIFY(r2.body.find("GET /next") == 0);
    }

    void tlsUpstream()
    {
        setTarget(m_originTlsPort, m_clientTls.get(), "127.0.0.1", "localhost");
        RawClient c(m_proxyPort);
        for (int i = 0; i < 3; ++i) {
            QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: l\r\nContent-Length: 3\r\n\r\nabc"));
            auto r = c.readResponse();
            QCOMPARE(r.status, 200);
            QCOMPARE(r.body, std::string("abc"));
        }
        QCOMPARE(m_originConnections.load(), 1);
        // A dropped upstream connection (/hang times out) is replaced by a fresh one transparently.
        QVERIFY(c.send("GET /hang HTTP/1.1\r\nHost: l\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 504);
        QVERIFY(c.send("GET /resumed HTTP/1.1\r\nHost: l\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 200);
        QCOMPARE(m_originConnections.load(), 2);
        Counters counters = m_proxy->counters(m_proxyId);
        QCOMPARE(counters.upstreamRequests, uint64_t(5));
        QCOMPARE(counters.upstreamConnections, uint64_t(2));
        QCOMPARE(counters.upstreamTlsResumed, uint64_t(1)); // the second connection resumed the first one's session
        // *.localhost names resolve to loopback without DNS and match the certificate's wildcard.
        setTarget(m_originTlsPort, m_clientTls.get(), "app.heyo.localhost");
        RawClient d(m_proxyPort);
        QVERIFY(d.send("GET /w HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r = d.readResponse();
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.find("Host: app.heyo.localhost") != std::string::npos);
    }

    void tlsSessionKeptFromAFailedConnection()
    {
        // The first connection ever never completes a response (/hang times out), yet the ticket it read right after
        // the handshake (TLS 1.3) is kept, and the next connection resumes with it.
        setTarget(m_originTlsPort, m_clientTls.get(), "127.0.0.1", "localhost");
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /hang HTTP/1.1\r\nHost: l\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 504);
        QVERIFY(c.send("GET /after HTTP/1.1\r\nHost: l\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 200);
        Counters counters = m_proxy->counters(m_proxyId);
        QCOMPARE(counters.upstreamConnections, uint64_t(2));
        QCOMPARE(counters.upstreamTlsResumed, uint64_t(1));
        QCOMPARE(m_originConnections.load(), 2);
    }

    void tlsVerificationFailureNamesHost()
    {
        setTarget(m_originTlsPort, m_wrongCaTls.get(), "127.0.0.1", "localhost");
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 502);
        QVERIFY2(r.body.find("localhost") != std::string::npos, r.body.c_str());
        QVERIFY2(r.body.find("unable to get local issuer certificate") != std::string::npos, r.body.c_str());
        QCOMPARE(r.body.back(), '\n');
        QCOMPARE(std::count(r.body.begin(), r.body.end(), '\n'), 1);
        QCOMPARE(m_originRequests.load(), 0);
        QVERIFY(m_proxy->counters(m_proxyId).lastError.find("localhost") != std::string::npos);

        setTarget(m_originTlsPort, m_clientTls.get(), "127.0.0.1", "wrong.example");
        RawClient d(m_proxyPort);
        QVERIFY(d.send("GET / HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r2 = d.readResponse();
        QCOMPARE(r2.status, 502);
        QVERIFY2(r2.body.find("wrong.example") != std::string::npos, r2.body.c_str());
        QVERIFY2(r2.body.find("hostname mismatch") != std::string::npos, r2.body.c_str());
    }

    void describeErrorWordsTheAnswer()
    {
        uint16_t dead;
        {
            RawServer s(nullptr);
            dead = s.port();
        }
        auto engine = std::make_unique<Engine>(1);
        auto res = engine->listen({}, [dead](const ExchangePtr &ex) {
            UpstreamTarget t;
            t.host = "127.0.0.1";
            t.port = dead;
            ProxyHooks hooks;
            hooks.describeError = [](int status, const std::string &reason) {
                return "endpoint demo unreachable (" + std::to_string(status) + "): " + reason;
            };
            ex->proxy(t, ex->request(), std::move(hooks));
        });
        QVERIFY(res.ok);
        RawClient c(res.port);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 502);
        QVERIFY2(r.body.rfind("endpoint demo unreachable (502): cannot connect", 0) == 0, r.body.c_str());
        QCOMPARE(r.header("Content-Type"), std::string("text/plain; charset=utf-8"));
    }

    void refusedIs502()
    {
        uint16_t dead;
        {
            RawServer s(nullptr);
            dead = s.port();
        }
        setTarget(dead);
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 502);
        QVERIFY2(r.body.find("refused") != std::string::npos, r.body.c_str());
        // The connection stays usable after an error answer.
        setTarget(m_originPort);
        QVERIFY(c.send("GET /ok HTTP/1.1\r\nHost: l\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 200);
    }

    void responseTimeoutIs504()
    {
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /hang HTTP/1.1\r\nHost: l\r\n\r\n"));
        QElapsedTimer t;
        t.start();
        auto r = c.readResponse();
        QCOMPARE(r.status, 504);
        QVERIFY(t.elapsed() >= 700);
        QCOMPARE(r.body.back(), '\n');
    }

    void connectTimeoutIs504()
    {
        // A listener that never accepts, its tiny backlog already full: further SYNs are dropped.
        RawServer s(nullptr, 0);
        std::vector<int> fillers;
        for (int i = 0; i < 4; ++i) {
            int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            sockaddr_in sa{};
            sa.sin_family = AF_INET;
            sa.sin_port = htons(s.port());
            inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
            ::connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa);
            fillers.push_back(fd);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        setTarget(s.port());
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 504);
        QVERIFY2(r.body.find("timed out") != std::string::npos, r.body.c_str());
        for (int fd : fillers)
            ::close(fd);
    }

    void maliciousUpstreams_data()
    {
        QTest::addColumn<QByteArray>("answer");
        QTest::newRow("cl+te") << QByteArray(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
            "0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nevil!\n");
        QTest::newRow("duplicate cl") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"
                                                    "hello");
        QTest::newRow("differing cl") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n"
                                                    "hello");
        QByteArray flood;
        for (int i = 0; i < 20; ++i)
            flood += "HTTP/1.1 100 Continue\r\n\r\n";
        flood += "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nevil!";
        QTest::newRow("1xx flood") << flood;
        QTest::newRow("bare lf") << QByteArray("HTTP/1.1 200 OK\nContent-Length: 5\n\nevil!");
        QTest::newRow("obs-fold") << QByteArray("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n");
    }
    void maliciousUpstreams()
    {
        QFETCH(QByteArray, answer);
        const std::string bytes = answer.toStdString();
        RawServer evil([bytes](int fd) {
            if (!readHead(fd).empty())
                sendAll(fd, bytes);
            char b[256];
            while (::recv(fd, b, sizeof b, 0) > 0) {
            }
        });
        setTarget(evil.port());
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 502);
        QVERIFY(r.body.find("evil") == std::string::npos);
        // Nothing of that response spills into the next exchange on the same client connection.
        setTarget(m_originPort);
        if (!c.eof() && c.send("GET /clean HTTP/1.1\r\nHost: l\r\n\r\n")) {
            auto r2 = c.readResponse();
            if (r2.ok) {
                QCOMPARE(r2.status, 200);
                QVERIFY(r2.body.find("GET /clean") == 0);
            }
        }
        QVERIFY(c.buffer().empty());
    }

    void malformedChunkedRequestNeverCompletesUpstream_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("no CRLF after chunk data") << QByteArray("5\r\nhelloXX0\r\n\r\n");
        QTest::newRow("LF after chunk data") << QByteArray("5\r\nhello\n0\r\n\r\n");
        QTest::newRow("CR CR after chunk size") << QByteArray("5\r\r\nhello\r\n0\r\n\r\n");
        QTest::newRow("empty extension name") << QByteArray("5;=x\r\nhello\r\n0\r\n\r\n");
        QTest::newRow("folded trailer") << QByteArray("5\r\nhello\r\n0\r\nX-T: 1\r\n folded\r\n\r\n");
        QTest::newRow("bare LF ends trailers") << QByteArray("5\r\nhello\r\n0\r\n\n");
    }
    void malformedChunkedRequestNeverCompletesUpstream()
    {
        // The head goes upstream before the body has arrived (streaming); a body that breaks the chunked grammar
        // must leave the upstream with an unfinished request on a connection that is then closed.
        QFETCH(QByteArray, body);
        std::mutex mutex;
        std::string received;
        std::atomic<bool> upstreamClosed{false};
        RawServer origin([&](int fd) {
            char b[4096];
            ssize_t n;
            while ((n = ::recv(fd, b, sizeof b, 0)) > 0) {
                std::lock_guard lock(mutex);
                received.append(b, static_cast<size_t>(n));
            }
            upstreamClosed = true;
        });
        setTarget(origin.port());
        RawClient c(m_proxyPort);
        QVERIFY(c.send("POST /up HTTP/1.1\r\nHost: l\r\nTransfer-Encoding: chunked\r\n\r\n" + body.toStdString() +
                       "GET /smuggled HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 400);
        QCOMPARE(r.header("Connection"), std::string("close"));
        QVERIFY(c.closedByPeer());
        if (origin.accepted() > 0)
            QTRY_VERIFY(upstreamClosed);
        std::lock_guard lock(mutex);
        auto upstream = heyo::test::Rfc9112Reference::parse(received, true);
        QVERIFY2(upstream.verdict != heyo::test::Rfc9112Reference::Verdict::Accept, received.c_str());
        QVERIFY(received.find("smuggled") == std::string::npos);
    }

    void malformedChunkedResponseNeverEndsCleanly_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("no CRLF after chunk data") << QByteArray("5\r\nhelloXX0\r\n\r\n");
        QTest::newRow("LF after chunk size") << QByteArray("5\n\nhello\r\n0\r\n\r\n");
        QTest::newRow("folded trailer") << QByteArray("5\r\nhello\r\n0\r\nX-T: 1\r\n folded\r\n\r\n");
    }
    void malformedChunkedResponseNeverEndsCleanly()
    {
        // The client sees a 502 or a transfer cut short (no last chunk), never a complete response.
        QFETCH(QByteArray, body);
        const std::string bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body.toStdString();
        RawServer origin([bytes](int fd) {
            if (!readHead(fd).empty())
                sendAll(fd, bytes);
            char b[256];
            while (::recv(fd, b, sizeof b, 0) > 0) {
            }
        });
        setTarget(origin.port());
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: l\r\n\r\n"));
        const std::string got = c.readUntilClose();
        auto seen = heyo::test::Rfc9112Reference::parse(got, false);
        if (seen.verdict == heyo::test::Rfc9112Reference::Verdict::Accept)
            QVERIFY2(got.rfind("HTTP/1.1 502", 0) == 0, got.c_str());
        QVERIFY(c.eof());
    }

    void stalePooledConnectionRetriedOnce()
    {
        // First connection: answers one request with keep-alive, then drops the next request unanswered.
        std::atomic<int> conn{0};
        RawServer flaky([&conn](int fd) {
            int n = ++conn;
            if (readHead(fd).empty())
                return;
            if (n == 1) {
                sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
                readHead(fd);              // the second request arrives on the pooled connection...
                ::shutdown(fd, SHUT_RDWR); // ...and the connection dies without an answer
                return;
            }
            sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo");
            char b[256];
            while (::recv(fd, b, sizeof b, 0) > 0) {
            }
        });
        // Close the first connection as soon as its script returns.
        setTarget(flaky.port());
        std::unique_ptr<Engine> single = std::make_unique<Engine>(1); // one loop → one pool
        auto res = single->listen({}, [this](const ExchangePtr &ex) { proxyHandler(ex); });
        QVERIFY(res.ok);
        RawClient c(res.port);
        QVERIFY(c.send("GET /1 HTTP/1.1\r\nHost: l\r\n\r\n"));
        QCOMPARE(c.readResponse().body, std::string("one"));
        QVERIFY(c.send("GET /2 HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("two"));
        QCOMPARE(flaky.accepted(), 2);
    }

    void responseWithoutLength()
    {
        RawServer origin([](int fd) {
            if (readHead(fd).empty())
                return;
            sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
            ::shutdown(fd, SHUT_WR);
        });
        setTarget(origin.port());
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: l\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Transfer-Encoding"), std::string("chunked"));
        QCOMPARE(r.body, std::string("until the end"));
        QVERIFY(c.send("GET /again HTTP/1.1\r\nHost: l\r\n\r\n")); // still usable: the framing was ours
        auto again = c.readResponse();
        QVERIFY2(again.body == "until the end", (again.head + again.body).c_str());

        RawClient old(m_proxyPort);
        QVERIFY(old.send("GET / HTTP/1.0\r\nHost: l\r\n\r\n"));
        auto r2 = old.readResponse();
        QCOMPARE(r2.status, 200);
        QVERIFY(!r2.has("Transfer-Encoding"));
        QCOMPARE(r2.body, std::string("until the end"));
    }

    void serverSentEventsUnbuffered()
    {
        std::atomic<bool> release{false};
        RawServer origin([&release](int fd) {
            if (readHead(fd).empty())
                return;
            sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "9\r\ndata: 1\n\n\r\n");
            for (int i = 0; i < 100 && !release; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            sendAll(fd, "9\r\ndata: 2\n\n\r\n0\r\n\r\n");
        });
        setTarget(origin.port());
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /events HTTP/1.1\r\nHost: l\r\nAccept: text/event-stream\r\n\r\n"));
        // The first event arrives while the origin still holds the second one back.
        QElapsedTimer t;
        t.start();
        while (c.buffer().find("data: 1") == std::string::npos && t.elapsed() < 1500)
            QVERIFY(c.fill());
        QVERIFY(c.buffer().find("data: 1") != std::string::npos);
        QVERIFY(c.buffer().find("data: 2") == std::string::npos);
        release = true;
        auto r = c.readResponse();
        QCOMPARE(r.body, std::string("data: 1\n\ndata: 2\n\n"));
    }

    void bigStreamsKeepMemoryBounded()
    {
        constexpr uint64_t Size = 256ull * 1024 * 1024;
        std::atomic<uint64_t> received{0};
        RawServer origin([&received](int fd) {
            std::string rest;
            std::string head = readHead(fd, &rest);
            if (head.empty())
                return;
            if (head.rfind("GET", 0) == 0) {
                // One exchange per connection in this script: tell the proxy not to pool it.
                sendAll(fd,
                        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: " + std::to_string(Size) + "\r\n\r\n");
                std::string block(1 << 20, 'x');
                for (uint64_t sent = 0; sent < Size; sent += block.size())
                    if (!sendAll(fd, block))
                        return;
            } else {
                uint64_t got = rest.size();
                std::vector<char> buf(1 << 16);
                while (got < Size) {
                    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
                    if (n <= 0)
                        return;
                    got += static_cast<uint64_t>(n);
                }
                received = got;
                std::string body = std::to_string(got);
                sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
            }
            char b[256];
            while (::recv(fd, b, sizeof b, 0) > 0) {
            }
        });
        setTarget(origin.port());
        {
            std::lock_guard lock(m_mutex);
            m_target.responseTimeout = std::chrono::milliseconds(20000);
        }
        const long before = heyo::test::procStatusKb("VmRSS");
        // Download.
        {
            RawClient c(m_proxyPort);
            c.setTimeout(20000);
            QVERIFY(c.send("GET /big HTTP/1.1\r\nHost: l\r\n\r\n"));
            while (c.buffer().find("\r\n\r\n") == std::string::npos)
                QVERIFY(c.fill());
            size_t headEnd = c.buffer().find("\r\n\r\n") + 4;
            QVERIFY(c.buffer().find("Content-Length: 268435456") != std::string::npos);
            uint64_t got = c.buffer().size() - headEnd;
            c.buffer().clear();
            while (got < Size) {
                QVERIFY(c.fill());
                got += c.buffer().size();
                c.buffer().clear();
            }
            QCOMPARE(got, Size);
        }
        // Upload.
        {
            RawClient c(m_proxyPort);
            c.setTimeout(20000);
            QVERIFY(c.send("POST /big HTTP/1.1\r\nHost: l\r\nContent-Length: " + std::to_string(Size) + "\r\n\r\n"));
            std::string block(1 << 20, 'y');
            for (uint64_t sent = 0; sent < Size; sent += block.size())
                QVERIFY(c.send(block));
            auto r = c.readResponse();
            QVERIFY2(r.status == 200, r.body.c_str());
            QCOMPARE(r.body, std::to_string(Size));
        }
        QCOMPARE(received.load(), Size);
        const long peak = heyo::test::procStatusKb("VmHWM");
        qInfo("VmRSS before %ld KiB, VmHWM after %ld KiB", before, peak);
        QVERIFY2(peak - before < heyo::test::memoryLimit(64LL << 20) / 1024, "memory grew with the stream");
    }
};

QTEST_GUILESS_MAIN(TestEngineProxy)
#include "tst_engine_proxy.moc"
