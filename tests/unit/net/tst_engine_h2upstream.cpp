// HTTP/2 upstreams (UpstreamTarget::Protocol::Http2 and Negotiate): an engine listener, spoken to in HTTP/1.1 over
// raw sockets, proxying to nghttpd in h2c and over TLS (ALPN), to a TLS server that offers only http/1.1 (the
// fallback), and to a scripted python3-h2 origin (h2_origin.py) for 204, trailers, GOAWAY, REFUSED_STREAM, a held
// 401 and per-stream timeouts. Multiplexing and flow control are checked through the engine's counters and memory.
#include "NetTestSupport.h"
#include "Sanitizer.h"

#include "net/Http.h"
#include "net/ListenerState.h"
#include "net/ProxyDownstream.h"
#include "net/ProxySession.h"
#include "net/Resolver.h"
#include "net/TlsContext.h"
#include "net/Worker.h"

#include <QProcess>
#include <QtTest>

#include <fstream>
#include <future>
#include <thread>

using namespace heyo::net;
using heyo::test::RawClient;

namespace {
using P = UpstreamTarget::Protocol;

// A port nobody listens on right now, for servers that cannot be told to pick one (nghttpd).
uint16_t freePort()
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    ::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa);
    socklen_t l = sizeof sa;
    getsockname(fd, reinterpret_cast<sockaddr *>(&sa), &l);
    ::close(fd);
    return ntohs(sa.sin_port);
}

bool accepting(uint16_t port)
{
    RawClient c(port);
    return c.ok();
}

// The byte at `offset` of the test's big bodies: not a repeating short pattern, so a lost or repeated block shows.
char patternAt(uint64_t offset)
{
    const uint64_t x = (offset / 4096) * 2654435761u + offset % 4096;
    return static_cast<char>('a' + x % 26);
}

std::string pattern(uint64_t from, size_t len)
{
    std::string s(len, '\0');
    for (size_t i = 0; i < len; ++i)
        s[i] = patternAt(from + i);
    return s;
}
} // namespace

// A downstream that records what a ProxySession hands it, for what an HTTP/1.1 client cannot see (trailers).
class RecordingDownstream final : public ProxyDownstream {
public:
    int status = 0;
    std::string body;
    Headers trailers;
    bool trailersBeforeEnd = false;
    std::promise<void> ended;

    RequestBody takeRequestBody() override { return {true, nullptr}; }
    bool requestComplete() const override { return true; }
    bool outputFull() const override { return false; }
    void responseHead(const ResponseHead &head, Body, uint64_t) override { status = head.status; }
    bool responseBody(const char *data, size_t len) override
    {
        body.append(data, len);
        return false;
    }
    void responseEnd() override
    {
        trailersBeforeEnd = !trailers.empty();
        ended.set_value();
    }
    void responseTrailers(Headers t) override { trailers = std::move(t); }
    void tunnelData(const char *, size_t) override {}
    void answer(int s, Headers, std::string b) override
    {
        status = s;
        body = std::move(b);
        ended.set_value();
    }
    void abortResponse() override { ended.set_value(); }
    void proxyFinished() override {}
    void resumeInput() override {}
    void startHoldTimer(std::chrono::milliseconds) override {}
    void stopHoldTimer() override {}
};

class TestEngineH2Upstream : public QObject {
    Q_OBJECT

private:
    static constexpr uint64_t BigSize = 10ull * 1024 * 1024;
    static constexpr uint64_t HugeSize = 96ull * 1024 * 1024;

    QTemporaryDir m_dir;
    heyo::test::TestCerts m_certs;
    SslCtxPtr m_serverTls, m_clientTls;
    QProcess m_h2c, m_h2c4, m_h2tls, m_scripted;
    uint16_t m_h2cPort = 0, m_h2c4Port = 0, m_h2tlsPort = 0, m_scriptedPort = 0;
    std::unique_ptr<Engine> m_origin, m_proxy;
    uint16_t m_http1TlsPort = 0, m_proxyPort = 0;
    ListenerId m_proxyId = 0;
    std::atomic<int> m_http1Connections{0}, m_http1Requests{0}, m_http1Majors{0}, m_hookCalls{0};
    std::mutex m_mutex;
    UpstreamTarget m_target;

    UpstreamTarget target()
    {
        std::lock_guard lock(m_mutex);
        return m_target;
    }
    void setTarget(uint16_t port, P protocol, SSL_CTX *tls = nullptr, int responseTimeoutMs = 10000)
    {
        std::lock_guard lock(m_mutex);
        m_target = UpstreamTarget{};
        m_target.host = "127.0.0.1";
        m_target.sni = tls ? "localhost" : "";
        m_target.port = port;
        m_target.tls = tls;
        m_target.protocol = protocol;
        m_target.connectTimeout = std::chrono::milliseconds(2000);
        m_target.responseTimeout = std::chrono::milliseconds(responseTimeoutMs);
    }

    // Proxies everything; X-Token: bad goes upstream, and a 401 is held and retried once with X-Token: good.
    void proxyHandler(const ExchangePtr &ex)
    {
        RequestHead head = ex->request();
        head.headers.set("X-Token", "bad");
        ProxyHooks hooks;
        std::weak_ptr<Exchange> weak = ex;
        hooks.onUnauthorized = [this, weak, head](const ResponseHead &) {
            ++m_hookCalls;
            auto ex = weak.lock();
            if (!ex)
                return false;
            // Decided later, as a token refresh would be, and handed back with post().
            std::thread([ex, head]() mutable {
                ex->post([ex, head]() mutable {
                    head.headers.set("X-Token", "good");
                    ex->retry(head);
                });
            }).detach();
            return true;
        };
        ex->proxy(target(), std::move(head), std::move(hooks));
    }

    Counters counters() const { return m_proxy->counters(m_proxyId); }

    static bool startServer(QProcess &p, const QString &program, const QStringList &args, uint16_t port)
    {
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(program, args);
        if (!p.waitForStarted(5000))
            return false;
        for (int i = 0; i < 500; ++i) { // up to 5 s for it to listen
            if (accepting(port))
                return true;
            if (p.state() != QProcess::Running)
                return false;
            QThread::msleep(10);
        }
        return false;
    }

    // GET `path`; reads the body streaming and checks it against the pattern, never holding it whole.
    static bool getPattern(uint16_t port, const std::string &path, uint64_t size, std::string *why)
    {
        RawClient c(port);
        c.setTimeout(20000);
        if (!c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")) {
            *why = "send failed";
            return false;
        }
        while (c.buffer().find("\r\n\r\n") == std::string::npos)
            if (!c.fill()) {
                *why = "no head";
                return false;
            }
        const size_t headEnd = c.buffer().find("\r\n\r\n") + 4;
        const std::string head = c.buffer().substr(0, headEnd);
        if (head.rfind("HTTP/1.1 200", 0) != 0 ||
            heyo::test::lower(head).find("content-length: " + std::to_string(size)) == std::string::npos) {
            *why = "head: " + head;
            return false;
        }
        c.buffer().erase(0, headEnd);
        uint64_t got = 0;
        for (;;) {
            std::string &b = c.buffer();
            if (b != pattern(got, b.size())) {
                *why = "body differs near offset " + std::to_string(got);
                return false;
            }
            got += b.size();
            b.clear();
            if (got >= size)
                break;
            if (!c.fill()) {
                *why = "body ended at " + std::to_string(got);
                return false;
            }
        }
        if (got != size) {
            *why = "body has " + std::to_string(got) + " bytes";
            return false;
        }
        return true;
    }

    static bool writePatternFile(const QString &path, uint64_t size)
    {
        std::ofstream f(path.toStdString(), std::ios::binary);
        for (uint64_t off = 0; off < size; off += 1 << 20)
            f << pattern(off, static_cast<size_t>(std::min<uint64_t>(1 << 20, size - off)));
        return f.good();
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
        const QString docs = m_dir.path() + "/htdocs";
        QVERIFY(QDir().mkpath(docs));
        {
            std::ofstream f((docs + "/small.txt").toStdString());
            f << "hello over h2\n";
        }
        QVERIFY(writePatternFile(docs + "/big.bin", BigSize));
        QVERIFY(writePatternFile(docs + "/huge.bin", HugeSize));

        m_h2cPort = freePort();
        QVERIFY(startServer(m_h2c, "nghttpd",
                            {"--no-tls", "--echo-upload", "-a", "127.0.0.1", "-d", docs, QString::number(m_h2cPort)},
                            m_h2cPort));
        m_h2c4Port = freePort(); // one that allows only 4 concurrent streams
        QVERIFY(startServer(m_h2c4, "nghttpd",
                            {"--no-tls", "-m", "4", "-a", "127.0.0.1", "-d", docs, QString::number(m_h2c4Port)},
                            m_h2c4Port));
        m_h2tlsPort = freePort();
        QVERIFY(startServer(
            m_h2tls, "nghttpd",
            {"--echo-upload", "-a", "127.0.0.1", "-d", docs, QString::number(m_h2tlsPort), m_certs.key, m_certs.cert},
            m_h2tlsPort));
        m_scripted.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_scripted.start("/usr/bin/python3", {QString(HEYO_SOURCE_DIR) + "/tests/unit/net/h2_origin.py"});
        QVERIFY(m_scripted.waitForStarted(5000));
        QVERIFY(m_scripted.waitForReadyRead(10000));
        m_scriptedPort = static_cast<uint16_t>(m_scripted.readLine().trimmed().toUInt());
        QVERIFY(m_scriptedPort != 0);

        // A TLS origin that speaks only HTTP/1.1: the engine's own listener.
        m_origin = std::make_unique<Engine>(1);
        ListenerConfig oc;
        oc.tls = m_serverTls.get();
        oc.acceptFilter = [this](const PeerInfo &) {
            ++m_http1Connections;
            return true;
        };
        auto r = m_origin->listen(oc, [this](const ExchangePtr &ex) {
            ++m_http1Requests;
            if (ex->request().httpMajor == 1)
                ++m_http1Majors;
            ex->respond(200, Headers{}, "http/1.1 origin " + ex->request().target + "\n");
        });
        QVERIFY(r.ok);
        m_http1TlsPort = r.port;
    }

    void cleanupTestCase()
    {
        m_origin.reset();
        for (QProcess *p : {&m_h2c, &m_h2c4, &m_h2tls, &m_scripted}) {
            p->kill();
            p->waitForFinished(5000);
        }
    }

    void init()
    {
        m_hookCalls = 0;
        m_proxy = std::make_unique<Engine>(1); // one loop: one pool, so sharing a connection is visible
        auto r = m_proxy->listen(
            ListenerConfig{}, [this](const ExchangePtr &ex) { proxyHandler(ex); }, &m_proxyId);
        QVERIFY(r.ok);
        m_proxyPort = r.port;
    }

    void cleanup() { m_proxy.reset(); }

    void getHeadAndPostOverH2c()
    {
        setTarget(m_h2cPort, P::Http2);
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("hello over h2\n"));
        QCOMPARE(r.header("content-length"), std::string("14"));
        QVERIFY(!r.has("transfer-encoding"));

        QVERIFY(c.send("HEAD /small.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
        r = c.readResponse(true);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-length"), std::string("14")); // describes the resource; no body followed

        QVERIFY(c.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"));
        r = c.readResponse();
        QCOMPARE(r.status, 404);

        // A chunked request body (no length known) and one with a length, echoed by nghttpd.
        QVERIFY(c.send("POST /small.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
        r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("hello world"));
        QVERIFY(c.send("POST /small.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
        r = c.readResponse();
        QCOMPARE(r.body, std::string("abc"));

        // Keep-alive on the client side and one multiplexed connection on the upstream side.
        QCOMPARE(counters().upstreamRequests, 5u);
        QCOMPARE(counters().upstreamConnections, 1u);
    }

    void pseudoHeadersAndTe()
    {
        setTarget(m_scriptedPort, P::Http2);
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /look?q=1 HTTP/1.1\r\nHost: app.example\r\nTE: trailers\r\nConnection: keep-alive\r\n"
                       "Keep-Alive: timeout=5\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.find("method=GET path=/look?q=1 authority=app.example te=trailers body=0") != std::string::npos,
                 r.body.c_str());

        QVERIFY(c.send("GET /204 HTTP/1.1\r\nHost: x\r\n\r\n"));
        r = c.readResponse();
        QCOMPARE(r.status, 204);
        QVERIFY(r.body.empty());

        // Trailers cannot reach an HTTP/1.1 client; the body does, and the exchange ends cleanly.
        QVERIFY(c.send("GET /trailers HTTP/1.1\r\nHost: x\r\n\r\n"));
        r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("trailered body\n"));
        // A head beyond 64 KiB is refused, as an HTTP/1.1 upstream's would be; the connection goes on.
        QVERIFY(c.send("GET /bighead HTTP/1.1\r\nHost: x\r\n\r\n"));
        r = c.readResponse();
        QCOMPARE(r.status, 502);
        QVERIFY2(r.body.find("larger than 64 KiB") != std::string::npos, r.body.c_str());

        QVERIFY(c.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n"));
        r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(counters().upstreamConnections, 1u);
    }

    void trailersReachTheDownstream()
    {
        Resolver resolver;
        Worker worker(0, &resolver);
        ListenerState listener;
        RecordingDownstream down;
        ProxySession session(worker, listener, down);
        worker.start();
        UpstreamTarget t;
        t.host = "127.0.0.1";
        t.port = m_scriptedPort;
        t.protocol = P::Http2;
        RequestHead head;
        head.method = "GET";
        head.target = "/trailers";
        head.teTrailers = true;
        head.headers.add("Host", "x");
        worker.loop().post([&] { session.proxy(head, Clock::now(), t, head, ProxyHooks{}); });
        auto done = down.ended.get_future();
        QVERIFY(done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        std::promise<void> finished; // the session is the loop's: let go of it there
        worker.loop().post([&] {
            session.reset();
            finished.set_value();
        });
        finished.get_future().wait();
        worker.quitAndJoin();
        QCOMPARE(down.status, 200);
        QCOMPARE(down.body, std::string("trailered body\n"));
        QVERIFY(down.trailersBeforeEnd);
        QVERIFY(down.trailers.find("grpc-status"));
        QCOMPARE(*down.trailers.find("grpc-status"), std::string("0"));
        QCOMPARE(listener.upstreamConnections.load(), 1u);
    }

    void tenMegabytesBothWays()
    {
        setTarget(m_h2cPort, P::Http2);
        std::string why;
        QVERIFY2(getPattern(m_proxyPort, "/big.bin", BigSize, &why), why.c_str());

        RawClient c(m_proxyPort);
        c.setTimeout(20000);
        const std::string body = pattern(7, BigSize);
        QVERIFY(
            c.send("POST /small.txt HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(BigSize) + "\r\n\r\n"));
        // Sent while the echo comes back: the client reads only after all is sent, so this only passes when the
        // request body goes out as flow control allows and the echo waits in bounded windows.
        QVERIFY(c.send(body));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body.size(), body.size());
        QVERIFY(r.body == body);
        QCOMPARE(counters().upstreamConnections, 1u);
    }

    void bigStreamsKeepMemoryBounded()
    {
        setTarget(m_h2cPort, P::Http2, nullptr, 20000);
        {
            std::ofstream("/proc/self/clear_refs") << "5";
        } // VmHWM from here, not from the earlier tests
        const long before = heyo::test::procStatusKb("VmRSS");
        std::string why;
        QVERIFY2(getPattern(m_proxyPort, "/huge.bin", HugeSize, &why), why.c_str());
        const long peak = heyo::test::procStatusKb("VmHWM");
        qInfo("VmRSS before %ld KiB, VmHWM after %ld KiB", before, peak);
        // The response passes in stream-window steps (256 KiB) consumed as the client takes them.
        QVERIFY2(peak - before < heyo::test::memoryLimit(48LL << 20) / 1024, "memory grew with the stream");
    }

    void uploadWaitsForTheWindow()
    {
        // The origin never gives its window back: after 64 KiB the request body must stay with the client (its
        // sends block), not pile up in the proxy.
        setTarget(m_scriptedPort, P::Http2, nullptr, 20000);
        {
            std::ofstream("/proc/self/clear_refs") << "5";
        }
        const long before = heyo::test::procStatusKb("VmRSS");
        RawClient c(m_proxyPort);
        constexpr uint64_t Size = 64ull << 20;
        QVERIFY(c.send("POST /stall HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(Size) + "\r\n\r\n"));
        timeval tv{1, 500000};
        setsockopt(c.fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        const std::string block(1 << 20, 'u');
        uint64_t sent = 0;
        while (sent < Size) {
            const ssize_t n = ::send(c.fd(), block.data(), block.size(), MSG_NOSIGNAL);
            if (n <= 0)
                break; // blocked for 1.5 s: back-pressure reached the client
            sent += static_cast<uint64_t>(n);
        }
        const long peak = heyo::test::procStatusKb("VmHWM");
        qInfo("sent %llu of %llu bytes; VmRSS before %ld KiB, VmHWM %ld KiB", static_cast<unsigned long long>(sent),
              static_cast<unsigned long long>(Size), before, peak);
        QVERIFY2(sent < Size / 2, "the proxy kept reading a body its upstream would not take");
        QVERIFY2(peak - before < heyo::test::memoryLimit(16LL << 20) / 1024, "memory grew with the body");
    }

    void clientThatStopsReadingIsNamed()
    {
        // The client takes the head and then nothing: its stream's window stays closed, the origin sends nothing
        // more, and after the response timeout the error names the client, not a stalled origin.
        setTarget(m_h2cPort, P::Http2, nullptr, 1000);
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
        QTRY_VERIFY_WITH_TIMEOUT(
            counters().lastError.find("the client read nothing of the response") != std::string::npos, 15000);
        QVERIFY2(counters().lastError.find("stalled") == std::string::npos, counters().lastError.c_str());
        QVERIFY2(counters().lastError.find("for 1 s") != std::string::npos, counters().lastError.c_str());
    }

    void hundredConcurrentRequestsShareOneConnection()
    {
        // Read one after the other, the last stream waits while the others drain (1,000 MB, over ASan longer than
        // the 10 s default response timeout): the production timeout, and clients that wait as long.
        setTarget(m_h2cPort, P::Http2, nullptr, 60000);
        std::vector<std::unique_ptr<RawClient>> clients;
        for (int i = 0; i < 100; ++i) {
            clients.push_back(std::make_unique<RawClient>(m_proxyPort));
            QVERIFY(clients.back()->ok());
            clients.back()->setTimeout(60000);
        }
        for (auto &c : clients)
            QVERIFY(c->send("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
        // All 100 are in flight at once (10 MB each cannot finish before the last is sent).
        for (auto &c : clients) {
            auto r = c->readResponse();
            QCOMPARE(r.status, 200);
            QCOMPARE(r.body.size(), BigSize);
            QVERIFY(r.body.compare(0, 4096, pattern(0, 4096)) == 0);
        }
        QCOMPARE(counters().upstreamRequests, 100u);
        QCOMPARE(counters().upstreamConnections, 1u);
    }

    void beyondMaxConcurrentStreamsAnotherConnection()
    {
        setTarget(m_h2c4Port, P::Http2);
        {
            // The first connection, and its server's SETTINGS (at most 4 streams), before the burst.
            RawClient c(m_proxyPort);
            QVERIFY(c.send("GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
            QCOMPARE(c.readResponse().status, 200);
        }
        std::vector<std::unique_ptr<RawClient>> clients;
        for (int i = 0; i < 10; ++i) {
            clients.push_back(std::make_unique<RawClient>(m_proxyPort));
            QVERIFY(clients.back()->send("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
        for (auto &c : clients) {
            auto r = c->readResponse();
            QCOMPARE(r.status, 200);
            QCOMPARE(r.body.size(), BigSize);
        }
        // 10 streams in flight at once, 4 a connection: 4 + 4 + 2.
        QCOMPARE(counters().upstreamConnections, 3u);
        QCOMPARE(counters().upstreamRequests, 11u);
    }

    void tlsAlpnH2()
    {
        for (P protocol : {P::Http2, P::Negotiate}) {
            init();
            setTarget(m_h2tlsPort, protocol, m_clientTls.get());
            // nghttpd over TLS speaks only h2: an answer means ALPN agreed on it.
            for (int i = 0; i < 3; ++i) {
                RawClient c(m_proxyPort);
                QVERIFY(c.send("GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
                auto r = c.readResponse();
                QCOMPARE(r.status, 200);
                QCOMPARE(r.body, std::string("hello over h2\n"));
            }
            std::string why;
            QVERIFY2(getPattern(m_proxyPort, "/big.bin", BigSize, &why), why.c_str());
            QCOMPARE(counters().upstreamConnections, 1u);
            QCOMPARE(counters().upstreamRequests, 4u);
        }
    }

    void http2OnlyRefusesAnHttp1Server()
    {
        setTarget(m_http1TlsPort, P::Http2, m_clientTls.get());
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 502);
        QVERIFY2(r.body.find("does not speak HTTP/2") != std::string::npos, r.body.c_str());
    }

    void negotiateFallsBackToHttp1()
    {
        const int connectionsBefore = m_http1Connections, majorsBefore = m_http1Majors;
        setTarget(m_http1TlsPort, P::Negotiate, m_clientTls.get());
        for (int i = 0; i < 3; ++i) {
            RawClient c(m_proxyPort);
            QVERIFY(c.send("GET /fallback" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
            auto r = c.readResponse();
            QCOMPARE(r.status, 200);
            QCOMPARE(r.body, "http/1.1 origin /fallback" + std::to_string(i) + "\n");
        }
        // The first exchange went on over the very connection that offered h2; the pool then kept it as HTTP/1.1.
        QCOMPARE(m_http1Connections - connectionsBefore, 1);
        QCOMPARE(m_http1Majors - majorsBefore, 3);
        QCOMPARE(counters().upstreamConnections, 1u);
        QCOMPARE(counters().upstreamRequests, 3u);

        // A burst before the server's ALPN answer is known: every exchange waiting on the h2 attempt goes on over
        // HTTP/1.1 (the first on its socket, the others on connections of their own), and the count stays true.
        init();
        setTarget(m_http1TlsPort, P::Negotiate, m_clientTls.get());
        const int burstBefore = m_http1Connections;
        std::vector<std::unique_ptr<RawClient>> clients;
        for (int i = 0; i < 5; ++i) {
            clients.push_back(std::make_unique<RawClient>(m_proxyPort));
            QVERIFY(clients.back()->send("GET /burst HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
        for (auto &client : clients) {
            auto br = client->readResponse();
            QCOMPARE(br.status, 200);
            QCOMPARE(br.body, std::string("http/1.1 origin /burst\n"));
        }
        qInfo("burst: %d connections", m_http1Connections - burstBefore);
        QCOMPARE(counters().upstreamConnections, static_cast<uint64_t>(m_http1Connections - burstBefore));
        QCOMPARE(counters().upstreamRequests, 5u);

        // A request body handed over before the server's answer to ALPN arrived goes along (fresh pool: unknown).
        init();
        setTarget(m_http1TlsPort, P::Negotiate, m_clientTls.get());
        RawClient c(m_proxyPort);
        QVERIFY(c.send("POST /posted HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("http/1.1 origin /posted\n"));
    }

    void refusedStreamIsRetried()
    {
        setTarget(m_scriptedPort, P::Http2);
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /refuse HTTP/1.1\r\nHost: x\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.find("path=/refuse") != std::string::npos, r.body.c_str());
        QCOMPARE(counters().upstreamRequests, 2u);
        QCOMPARE(counters().upstreamConnections, 2u); // the retry goes on a fresh connection
    }

    void goawayIsRetried()
    {
        setTarget(m_scriptedPort, P::Http2);
        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /goaway HTTP/1.1\r\nHost: x\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.find("path=/goaway") != std::string::npos, r.body.c_str());
        QCOMPARE(counters().upstreamRequests, 2u);
        QCOMPARE(counters().upstreamConnections, 2u);
        // The connection that went away is not used again.
        QVERIFY(c.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n"));
        r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(counters().upstreamConnections, 2u);
    }

    void heldUnauthorizedResetsOnlyItsStream()
    {
        setTarget(m_scriptedPort, P::Http2);
        RawClient first(m_proxyPort);
        QVERIFY(first.send("GET /before HTTP/1.1\r\nHost: x\r\n\r\n"));
        auto r = first.readResponse();
        QCOMPARE(r.status, 200);
        const std::string conn = r.body.substr(0, r.body.find(' '));

        RawClient c(m_proxyPort);
        QVERIFY(c.send("GET /auth HTTP/1.1\r\nHost: x\r\n\r\n"));
        r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(m_hookCalls.load(), 1);
        // The 401's stream was cancelled; the retry rode on the same shared connection.
        QVERIFY2(r.body.rfind(conn + " method=GET path=/auth", 0) == 0, (r.body + " vs " + conn).c_str());
        QCOMPARE(counters().upstreamConnections, 1u);
        QCOMPARE(counters().upstreamRequests, 3u);
    }

    void responseTimeoutIsPerStream()
    {
        setTarget(m_scriptedPort, P::Http2, nullptr, 600);
        RawClient slow(m_proxyPort);
        QVERIFY(slow.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
        RawClient quick(m_proxyPort);
        QVERIFY(quick.send("GET /quick HTTP/1.1\r\nHost: x\r\n\r\n"));
        auto q = quick.readResponse();
        QCOMPARE(q.status, 200);
        auto r = slow.readResponse();
        QCOMPARE(r.status, 504);
        QVERIFY2(r.body.find("did not answer in time") != std::string::npos, r.body.c_str());
        // The connection outlived the stream that timed out.
        QVERIFY(quick.send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n"));
        q = quick.readResponse();
        QCOMPARE(q.status, 200);
        QCOMPARE(counters().upstreamConnections, 1u);
    }
};

QTEST_GUILESS_MAIN(TestEngineH2Upstream)
#include "tst_engine_h2upstream.moc"
