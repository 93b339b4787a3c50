// Upgrade handling: a valid upgrade request is proxied; on 101 the two connections become a raw two-way tunnel
// (bytes echo both ways, large transfers keep flowing under back-pressure); a non-101 answer stays plain HTTP.
#include "NetTestSupport.h"

#include "net/Http.h"

#include <QtTest>

using namespace heyo::net;
using heyo::test::RawClient;
using heyo::test::RawServer;
using heyo::test::readHead;
using heyo::test::sendAll;

class TestEngineTunnel : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<Engine> m_proxy;
    uint16_t m_port = 0;
    uint16_t m_target = 0;
    std::mutex m_logMutex;
    std::vector<AccessRecord> m_log;

    void startProxy()
    {
        m_proxy = std::make_unique<Engine>(2);
        ListenerConfig cfg;
        cfg.accessLog = [this](const AccessRecord &r) {
            std::lock_guard lock(m_logMutex);
            m_log.push_back(r);
        };
        auto res = m_proxy->listen(cfg, [this](const ExchangePtr &ex) {
            UpstreamTarget t;
            t.host = "127.0.0.1";
            t.port = m_target;
            ex->proxy(t, ex->request());
        });
        QVERIFY(res.ok);
        m_port = res.port;
    }

    // Origin: answers an upgrade with 101 and echoes; anything else gets 426.
    static void echoOrigin(int fd)
    {
        std::string rest;
        std::string head = readHead(fd, &rest);
        if (head.empty())
            return;
        const std::string h = heyo::test::lower(head);
        if (h.find("upgrade: websocket") == std::string::npos || h.find("connection: upgrade") == std::string::npos) {
            sendAll(fd, "HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nContent-Length: 5\r\n\r\nnope\n");
            char b[256];
            while (::recv(fd, b, sizeof b, 0) > 0) {
            }
            return;
        }
        sendAll(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        if (!rest.empty())
            sendAll(fd, rest);
        std::vector<char> buf(65536);
        for (;;) {
            ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
            if (n <= 0)
                break;
            if (!sendAll(fd, std::string_view(buf.data(), static_cast<size_t>(n))))
                break;
        }
        ::shutdown(fd, SHUT_RDWR);
    }

private slots:
    void init() { m_log.clear(); }
    void cleanup() { m_proxy.reset(); }

    void tunnelEchoesBothWays()
    {
        RawServer origin(echoOrigin);
        m_target = origin.port();
        startProxy();
        RawClient c(m_port);
        // Early bytes sent right behind the request head must survive into the tunnel.
        QVERIFY(c.send("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\nearly"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 101);
        QCOMPARE(heyo::test::lower(r.header("Connection")), std::string("upgrade"));
        QCOMPARE(r.header("Upgrade"), std::string("websocket"));
        while (c.buffer().size() < 5)
            QVERIFY(c.fill());
        QCOMPARE(c.buffer(), std::string("early"));
        c.buffer().clear();
        QVERIFY(c.send("ping"));
        while (c.buffer().size() < 4)
            QVERIFY(c.fill());
        QCOMPARE(c.buffer(), std::string("ping"));
        c.buffer().clear();

        // 8 MiB each way, written and read concurrently, through the bounded tunnel buffers.
        const size_t Size = 8 * 1024 * 1024;
        std::thread writer([&c, Size] {
            std::string block(1 << 16, 'z');
            for (size_t sent = 0; sent < Size; sent += block.size())
                c.send(block);
        });
        size_t got = 0;
        while (got < Size) {
            QVERIFY(c.fill());
            got += c.buffer().size();
            c.buffer().clear();
        }
        writer.join();
        QCOMPARE(got, Size);

        // Closing our side ends the tunnel; the proxy closes towards us and logs the exchange as 101.
        c.shutdownWrite();
        QVERIFY(c.closedByPeer());
        QTRY_VERIFY(!m_log.empty());
        std::lock_guard lock(m_logMutex);
        QCOMPARE(m_log[0].status, 101);
        QCOMPARE(m_log[0].path, std::string("/ws"));
    }

    void refusedUpgradeStaysHttp()
    {
        RawServer origin(echoOrigin);
        m_target = origin.port();
        startProxy();
        RawClient c(m_port);
        QVERIFY(c.send("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: foo\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 426);
        QCOMPARE(r.body, std::string("nope\n"));
        QVERIFY(c.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n"));
        QCOMPARE(c.readResponse().status, 426); // a new plain request, parsed as HTTP again
    }

    void unsolicited101Is502()
    {
        RawServer origin([](int fd) {
            if (readHead(fd).empty())
                return;
            sendAll(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nraw");
            char b[256];
            while (::recv(fd, b, sizeof b, 0) > 0) {
            }
        });
        m_target = origin.port();
        startProxy();
        RawClient c(m_port);
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        auto r = c.readResponse();
        QCOMPARE(r.status, 502);
        QVERIFY(r.body.find("raw") == std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestEngineTunnel)
#include "tst_engine_tunnel.moc"
