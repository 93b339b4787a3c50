// Host and origin checks of the forwarder (DESIGN §3 guards): DNS-rebinding names, other ports, cross-site requests.
#include "core/forward/LocalOrigin.h"

#include <QtTest>

using heyo::forward::LocalOrigin;

class LocalOriginTest : public QObject {
    Q_OBJECT
    LocalOrigin m_origin{7001, {"demo-web"}};
    std::set<std::string> m_allowed{"http://trusted.example:3000", "https://app.example"};

    heyo::net::Headers headers(std::initializer_list<std::pair<const char *, const char *>> list)
    {
        heyo::net::Headers h;
        for (auto &[n, v] : list)
            h.add(n, v);
        return h;
    }
    QString refusal(std::initializer_list<std::pair<const char *, const char *>> list,
                    const char *host = "127.0.0.1:7001", bool withAllowed = true)
    {
        auto match = m_origin.matchHost(host);
        static const std::set<std::string> none;
        return match ? QString::fromStdString(m_origin.crossOriginRefusal(headers(list), *match, "demo-web",
                                                                          withAllowed ? m_allowed : none))
                     : "no host";
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
        // Whatever Sec-Fetch-Site says: a page of another origin sends cross-site or same-site, never same-origin.
        for (const char *site : {"cross-site", "same-site", "same-origin", "none"}) {
            QCOMPARE(refusal({{"Origin", "http://trusted.example:3000"}, {"Sec-Fetch-Site", site}}), QString());
            QCOMPARE(refusal({{"Origin", "https://app.example"}, {"Sec-Fetch-Site", site}}), QString());
        }
        QCOMPARE(refusal({{"Origin", "HTTPS://APP.EXAMPLE"}}), QString()); // origins compare case-insensitively
        // On a slug name too (the router serves this endpoint under demo-web.localhost).
        QCOMPARE(refusal({{"Origin", "https://app.example"}}, "demo-web.localhost:7001"), QString());
        QCOMPARE(LocalOrigin::allowedOrigin(headers({{"Origin", "https://App.example"}}), m_allowed),
                 std::string("https://app.example"));
    }

    void allowedMeansExactlyThatOrigin()
    {
        // Not another port, scheme or subdomain, not a suffix or prefix trick, and not without the list.
        for (const char *origin :
             {"http://trusted.example", "https://trusted.example:3000", "http://trusted.example:30000",
              "http://a.trusted.example:3000", "https://app.example:8443", "http://app.example",
              "https://app.example.evil", "https://evilapp.example", "https://app.example/"})
            QVERIFY2(!refusal({{"Origin", origin}}).isEmpty(), origin);
        QVERIFY(!refusal({{"Origin", "https://app.example"}}, "127.0.0.1:7001", false).isEmpty());
        QCOMPARE(LocalOrigin::allowedOrigin(headers({{"Origin", "https://app.example:8443"}}), m_allowed),
                 std::string());
        QCOMPARE(LocalOrigin::allowedOrigin(headers({}), m_allowed), std::string());
        // Two Origin headers, even both allowed, are refused and never granted.
        const auto twice = headers({{"Origin", "https://app.example"}, {"Origin", "https://app.example"}});
        QCOMPARE(LocalOrigin::allowedOrigin(twice, m_allowed), std::string());
        QVERIFY(!refusal({{"Origin", "https://app.example"}, {"Origin", "https://app.example"}}).isEmpty());
    }

    void nullAndSiteWithoutOriginStayRefused()
    {
        // Allowed origins cannot open these: Origin: null can come from any sandboxed page, and a cross-site request
        // without Origin (a link, an <img>) does not say which page made it.
        std::set<std::string> withNull = m_allowed;
        withNull.insert("null");
        auto match = m_origin.matchHost("127.0.0.1:7001");
        QVERIFY(!m_origin.crossOriginRefusal(headers({{"Origin", "null"}}), *match, "demo-web", withNull).empty());
        QVERIFY(refusal({{"Origin", "null"}}).contains("cannot be allowed"));
        for (const char *site : {"cross-site", "same-site"}) {
            const QString why = refusal({{"Sec-Fetch-Site", site}});
            QVERIFY2(why.contains(QStringLiteral("Sec-Fetch-Site: ") + site), qPrintable(why));
            QVERIFY2(why.contains("carry its Origin"), qPrintable(why));
        }
    }

    void refusalSaysHowToAllow()
    {
        const QString why = refusal({{"Origin", "https://Other.example"}, {"Sec-Fetch-Site", "cross-site"}});
        QVERIFY2(why.startsWith("cross-origin request from https://Other.example refused"), qPrintable(why));
        // The exact command, with the origin as it must be written, and the place in the tray app.
        QVERIFY2(why.contains("heyo forward demo-web --allow-origin https://other.example,"), qPrintable(why));
        QVERIFY2(why.contains(QStringLiteral("Settings → Endpoints → Allowed origins")), qPrintable(why));
        QVERIFY(!why.contains('\n'));
        // The router cannot tell which endpoint yet: a placeholder, not a wrong slug.
        auto match = m_origin.matchHost("127.0.0.1:7001");
        const std::string noSlug =
            m_origin.crossOriginRefusal(headers({{"Origin", "http://localhost:5173"}}), *match, "", m_allowed);
        QVERIFY2(noSlug.find("heyo forward ENDPOINT --allow-origin http://localhost:5173,") != std::string::npos,
                 noSlug.c_str());
        // An origin that could never be allowed gets no such advice, but the reason.
        const QString ext = refusal({{"Origin", "chrome-extension://abcdef"}});
        QVERIFY2(ext.contains("only http:// and https:// origins can be allowed"), qPrintable(ext));
        QVERIFY(!ext.contains("--allow-origin"));
    }
};

QTEST_GUILESS_MAIN(LocalOriginTest)
#include "tst_local_origin.moc"
