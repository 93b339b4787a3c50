// Host and origin checks of the forwarder (DESIGN §3 guards): DNS-rebinding names, other ports, cross-site requests.
#include "core/forward/LocalOrigin.h"

#include <QtTest>

using heyo::forward::LocalOrigin;

class LocalOriginTest : public QObject {
    Q_OBJECT
    LocalOrigin m_origin{7001, {"demo-web"}, {"http://trusted.example:3000"}};

    heyo::net::Headers headers(std::initializer_list<std::pair<const char *, const char *>> list)
    {
        heyo::net::Headers h;
        for (auto &[n, v] : list)
            h.add(n, v);
        return h;
    }
    QString refusal(std::initializer_list<std::pair<const char *, const char *>> list, const char *host = "127.0.0.1:7001")
    {
        auto match = m_origin.matchHost(host);
        return match ? QString::fromStdString(m_origin.crossOriginRefusal(headers(list), *match)) : "no host";
    }

private slots:
    void acceptsExactlyTheLocalNames_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<QString>("slug");
        QTest::newRow("ipv4") << "127.0.0.1:7001" << true << "";
        QTest::newRow("localhost") << "localhost:7001" << true << "";
        QTest::newRow("LOCALHOST") << "LocalHost:7001" << true << "";
        QTest::newRow("ipv6") << "[::1]:7001" << true << "";
        QTest::newRow("slug") << "demo-web.localhost:7001" << true << "demo-web";
        QTest::newRow("slug-case") << "Demo-Web.LOCALHOST:7001" << true << "demo-web";
        QTest::newRow("other slug") << "other.localhost:7001" << false << "";
        QTest::newRow("rebinding nip.io") << "127.0.0.1.nip.io:7001" << false << "";
        QTest::newRow("other port") << "localhost:7002" << false << "";
        QTest::newRow("no port") << "localhost" << false << "";
        QTest::newRow("userinfo trick") << "127.0.0.1:7001@evil.com" << false << "";
        QTest::newRow("evil with port") << "evil.com:7001" << false << "";
        QTest::newRow("trailing dot") << "localhost.:7001" << false << "";
        QTest::newRow("zero-padded port") << "localhost:07001" << false << "";
        QTest::newRow("empty") << "" << false << "";
        QTest::newRow("nested slug") << "a.demo-web.localhost:7001" << false << "";
        QTest::newRow("other loopback") << "127.0.0.2:7001" << false << "";
    }
    void acceptsExactlyTheLocalNames()
    {
        QFETCH(QString, host);
        QFETCH(bool, accepted);
        QFETCH(QString, slug);
        auto match = m_origin.matchHost(host.toStdString());
        QCOMPARE(match.has_value(), accepted);
        if (match)
            QCOMPARE(QString::fromStdString(match->slug), slug);
    }

    void portEightyMayBeLeftOut()
    {
        LocalOrigin eighty(80, {});
        QVERIFY(eighty.matchHost("localhost"));
        QVERIFY(eighty.matchHost("localhost:80"));
    }

    void sameOriginAndNonBrowserRequestsPass()
    {
        QCOMPARE(refusal({}), QString());
        QCOMPARE(refusal({{"Origin", "http://127.0.0.1:7001"}}), QString());
        QCOMPARE(refusal({{"Origin", "http://demo-web.localhost:7001"}, {"Sec-Fetch-Site", "same-origin"}},
                         "demo-web.localhost:7001"),
                 QString());
        QCOMPARE(refusal({{"Sec-Fetch-Site", "none"}}), QString());
    }

    void crossOriginIsRefused()
    {
        QVERIFY(!refusal({{"Origin", "https://evil.example"}}).isEmpty());
        QVERIFY(!refusal({{"Origin", "null"}}).isEmpty());
        QVERIFY(!refusal({{"Origin", "http://localhost:7001"}}).isEmpty()); // another local name is another origin
        QVERIFY(!refusal({{"Origin", "http://127.0.0.1:7002"}}).isEmpty());
        QVERIFY(!refusal({{"Sec-Fetch-Site", "cross-site"}}).isEmpty());
        QVERIFY(!refusal({{"Sec-Fetch-Site", "same-site"}}).isEmpty());
        QVERIFY(!refusal({{"Origin", "http://127.0.0.1:7001"}, {"Origin", "http://127.0.0.1:7001"}}).isEmpty());
        // A slug origin on the router may not call another slug.
        QVERIFY(!refusal({{"Origin", "http://other.localhost:7001"}}, "demo-web.localhost:7001").isEmpty());
    }

    void userAllowedOriginPasses()
    {
        QCOMPARE(refusal({{"Origin", "http://trusted.example:3000"}, {"Sec-Fetch-Site", "cross-site"}}), QString());
    }
};

QTEST_GUILESS_MAIN(LocalOriginTest)
#include "tst_local_origin.moc"
