// The forwarder's CORS answers for allowed origins: which requests are preflights, what a preflight is told (exactly
// what it asked for, credentials, Private Network Access), and what each response grants (Vary always).
#include "core/forward/CorsGrant.h"

#include <QtTest>

using heyo::forward::CorsGrant;
using heyo::net::Headers;

namespace {

Headers headers(std::initializer_list<std::pair<const char *, const char *>> list)
{
    Headers h;
    for (auto &[n, v] : list)
        h.add(n, v);
    return h;
}

QString value(const Headers &h, const char *name)
{
    const std::string *v = h.find(name);
    return v ? QString::fromStdString(*v) : QStringLiteral("<none>");
}

} // namespace

class CorsGrantTest : public QObject {
    Q_OBJECT

private slots:
    void preflightIsOptionsWithOriginAndMethod()
    {
        heyo::net::RequestHead r;
        r.method = "OPTIONS";
        r.headers = headers({{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "PUT"}});
        QVERIFY(CorsGrant::isPreflight(r));
        r.method = "GET";
        QVERIFY(!CorsGrant::isPreflight(r));
        r.method = "OPTIONS";
        r.headers = headers({{"Origin", "https://app.example"}}); // an app's own OPTIONS: forwarded
        QVERIFY(!CorsGrant::isPreflight(r));
        r.headers = headers({{"Access-Control-Request-Method", "PUT"}});
        QVERIFY(!CorsGrant::isPreflight(r));
    }

    void preflightAnswerGivesWhatWasAsked()
    {
        const Headers a =
            CorsGrant::preflightAnswer(headers({{"Origin", "https://app.example"},
                                                {"Access-Control-Request-Method", "DELETE"},
                                                {"Access-Control-Request-Headers", "content-type, x-custom"},
                                                {"Access-Control-Request-Private-Network", "true"}}),
                                       "https://app.example");
        QCOMPARE(value(a, "Access-Control-Allow-Origin"), "https://app.example");
        QCOMPARE(value(a, "Access-Control-Allow-Methods"), "DELETE");
        QCOMPARE(value(a, "Access-Control-Allow-Headers"), "content-type, x-custom");
        QCOMPARE(value(a, "Access-Control-Allow-Credentials"), "true");
        QCOMPARE(value(a, "Access-Control-Allow-Private-Network"), "true");
        QVERIFY(value(a, "Vary").contains("Origin"));
        QVERIFY(value(a, "Access-Control-Max-Age").toInt() > 0);

        // Nothing asked, nothing granted beyond the origin; a malformed ask is not echoed.
        const Headers b = CorsGrant::preflightAnswer(
            headers({{"Access-Control-Request-Method", "GET POST"}, {"Access-Control-Request-Headers", "a,,b"}}),
            "http://localhost:5173");
        QCOMPARE(value(b, "Access-Control-Allow-Origin"), "http://localhost:5173");
        QCOMPARE(value(b, "Access-Control-Allow-Methods"), "<none>");
        QCOMPARE(value(b, "Access-Control-Allow-Headers"), "<none>");
        QCOMPARE(value(b, "Access-Control-Allow-Private-Network"), "<none>");
    }

    void responseGrantsTheOriginAndExposesHeaders()
    {
        heyo::net::ResponseHead r;
        r.headers = headers({{"Content-Type", "application/json"},
                             {"ETag", "\"1\""},
                             {"X-Total", "3"},
                             {"x-total", "4"},
                             {"Set-Cookie", "s=1"}});
        CorsGrant::grant(r, "https://app.example");
        QCOMPARE(value(r.headers, "Access-Control-Allow-Origin"), "https://app.example");
        QCOMPARE(value(r.headers, "Access-Control-Allow-Credentials"), "true");
        QCOMPARE(value(r.headers, "Access-Control-Expose-Headers"), "Content-Type, ETag, X-Total");
        QCOMPARE(value(r.headers, "Vary"), "Origin");
        QCOMPARE(value(r.headers, "Set-Cookie"), "s=1"); // untouched, never exposed
    }

    void varyOriginEvenWithoutAGrant()
    {
        // A response to a same-origin request of an endpoint that has allowed origins may be cached by the browser:
        // without Vary, a page at the allowed origin could be handed that copy, which has no grant.
        heyo::net::ResponseHead r;
        r.headers = headers({{"Vary", "Accept-Encoding"}});
        CorsGrant::grant(r, "");
        QCOMPARE(r.headers.all("Vary").size(), size_t(2));
        QCOMPARE(value(r.headers, "Access-Control-Allow-Origin"), "<none>");
        // Already varying on Origin (or on everything): not repeated.
        for (const char *vary : {"origin", "Accept, Origin", "*"}) {
            heyo::net::ResponseHead s;
            s.headers = headers({{"Vary", vary}});
            CorsGrant::grant(s, "https://app.example");
            QCOMPARE(s.headers.all("Vary").size(), size_t(1));
        }
    }

    void webSocketHandshakeUntouched()
    {
        heyo::net::ResponseHead r;
        r.status = 101;
        r.headers = headers({{"Upgrade", "websocket"}});
        CorsGrant::grant(r, "https://app.example");
        QCOMPARE(r.headers.list().size(), size_t(1));
    }
};

QTEST_GUILESS_MAIN(CorsGrantTest)
#include "tst_cors_grant.moc"
