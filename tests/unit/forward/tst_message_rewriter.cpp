// The forwarder's header rewrites: token placement, Host pinning, Origin/Referer mapping, Location and cookie
// domains mapped back, CORS dropped — and nothing else touched.
#include "core/forward/MessageRewriter.h"

#include <QtTest>

using heyo::forward::MessageRewriter;
using heyo::net::RequestHead;
using heyo::net::ResponseHead;

class MessageRewriterTest : public QObject {
    Q_OBJECT
    MessageRewriter m_rw{"demo-web.heyo.localhost", 8443};
    const std::string m_local = "http://127.0.0.1:7001";

    static QString val(const heyo::net::Headers &h, const char *name)
    {
        const std::string *v = h.find(name);
        return v ? QString::fromStdString(*v) : QString("<absent>");
    }

private slots:
    void tokenGoesToAuthorizationWhenTheClientSentNone()
    {
        RequestHead head;
        head.headers.add("Host", "127.0.0.1:7001");
        head.headers.add("Accept", "*/*");
        head.headers.add("X-Heyo-Authorization", "Bearer client-supplied");
        m_rw.rewriteRequest(head, m_local, "tok");
        QCOMPARE(val(head.headers, "Host"), QString("demo-web.heyo.localhost:8443"));
        QCOMPARE(val(head.headers, "Authorization"), QString("Bearer tok"));
        QCOMPARE(val(head.headers, "X-Heyo-Authorization"), QString("<absent>"));
        QCOMPARE(val(head.headers, "Accept"), QString("*/*"));
        QCOMPARE(head.headers.count("Host"), size_t(1));
    }

    void clientsOwnAuthorizationPassesAndTheTokenUsesTheHeyoHeader()
    {
        RequestHead head;
        head.headers.add("Host", "127.0.0.1:7001");
        head.headers.add("Authorization", "Basic dXNlcjpwYXNz");
        m_rw.rewriteRequest(head, m_local, "tok");
        QCOMPARE(val(head.headers, "Authorization"), QString("Basic dXNlcjpwYXNz"));
        QCOMPARE(val(head.headers, "X-Heyo-Authorization"), QString("Bearer tok"));
    }

    void aRetryReplacesOnlyTheTokenItAttached()
    {
        // The client sent no Authorization: the token rode in Authorization and is replaced there.
        RequestHead plain;
        plain.headers.add("Host", "127.0.0.1:7001");
        m_rw.rewriteRequest(plain, m_local, "old");
        m_rw.replaceToken(plain, "new");
        QCOMPARE(val(plain.headers, "Authorization"), QString("Bearer new"));
        QCOMPARE(plain.headers.count("Authorization"), size_t(1));
        QCOMPARE(val(plain.headers, "X-Heyo-Authorization"), QString("<absent>"));

        // The client's own Authorization stays; the token in X-Heyo-Authorization is replaced.
        RequestHead own;
        own.headers.add("Host", "127.0.0.1:7001");
        own.headers.add("Authorization", "Basic dXNlcjpwYXNz");
        m_rw.rewriteRequest(own, m_local, "old");
        m_rw.replaceToken(own, "new");
        QCOMPARE(val(own.headers, "Authorization"), QString("Basic dXNlcjpwYXNz"));
        QCOMPARE(val(own.headers, "X-Heyo-Authorization"), QString("Bearer new"));
        QCOMPARE(own.headers.count("X-Heyo-Authorization"), size_t(1));
        QCOMPARE(val(own.headers, "Host"), QString("demo-web.heyo.localhost:8443"));
    }

    void localOriginAndRefererAreMapped()
    {
        RequestHead head;
        head.headers.add("Origin", "http://127.0.0.1:7001");
        head.headers.add("Referer", "http://127.0.0.1:7001/page?x=1");
        m_rw.rewriteRequest(head, m_local, "tok");
        QCOMPARE(val(head.headers, "Origin"), QString("https://demo-web.heyo.localhost:8443"));
        QCOMPARE(val(head.headers, "Referer"), QString("https://demo-web.heyo.localhost:8443/page?x=1"));
    }

    void sameOriginLocationsMapBack()
    {
        ResponseHead r;
        r.headers.add("Location", "https://demo-web.heyo.localhost:8443/next?a=b");
        r.headers.add("Content-Location", "https://DEMO-WEB.heyo.localhost:8443");
        m_rw.rewriteResponse(r, m_local);
        QCOMPARE(val(r.headers, "Location"), QString("http://127.0.0.1:7001/next?a=b"));
        QCOMPARE(val(r.headers, "Content-Location"), QString("http://127.0.0.1:7001"));
    }

    void otherLocationsAreLeftAlone_data()
    {
        QTest::addColumn<QString>("location");
        QTest::newRow("relative") << "/relative/path";
        QTest::newRow("other host") << "https://elsewhere.example/x";
        QTest::newRow("suffix trick") << "https://demo-web.heyo.localhost.evil.com/x";
        QTest::newRow("longer port") << "https://demo-web.heyo.localhost:84430/x";
        QTest::newRow("http scheme") << "http://demo-web.heyo.localhost:8443/x";
        QTest::newRow("userinfo") << "https://demo-web.heyo.localhost:8443@evil.com/x";
    }
    void otherLocationsAreLeftAlone()
    {
        QFETCH(QString, location);
        ResponseHead r;
        r.headers.add("Location", location.toStdString());
        m_rw.rewriteResponse(r, m_local);
        QCOMPARE(val(r.headers, "Location"), location);
    }

    void defaultPortFormsMap()
    {
        MessageRewriter rw("app.heyo.computer", 443);
        QCOMPARE(rw.endpointAuthority(), std::string("app.heyo.computer"));
        ResponseHead r;
        r.headers.add("Location", "https://app.heyo.computer:443/a");
        r.headers.add("Content-Location", "https://app.heyo.computer/b");
        rw.rewriteResponse(r, m_local);
        QCOMPARE(val(r.headers, "Location"), QString("http://127.0.0.1:7001/a"));
        QCOMPARE(val(r.headers, "Content-Location"), QString("http://127.0.0.1:7001/b"));
    }

    void cookieDomainsOfTheEndpointBecomeHostOnly()
    {
        ResponseHead r;
        r.headers.add("Set-Cookie", "a=1; Domain=demo-web.heyo.localhost; Path=/; HttpOnly");
        r.headers.add("Set-Cookie", "b=2; domain=.heyo.localhost; Secure");
        r.headers.add("Set-Cookie", "c=3; Domain=elsewhere.example");
        r.headers.add("Set-Cookie", "d=4; Path=/");
        m_rw.rewriteResponse(r, m_local);
        auto cookies = r.headers.all("Set-Cookie");
        QCOMPARE(cookies.size(), size_t(4));
        QCOMPARE(QString::fromStdString(std::string(cookies[0])), QString("a=1; Path=/; HttpOnly"));
        QCOMPARE(QString::fromStdString(std::string(cookies[1])), QString("b=2; Secure"));
        QCOMPARE(QString::fromStdString(std::string(cookies[2])), QString("c=3; Domain=elsewhere.example"));
        QCOMPARE(QString::fromStdString(std::string(cookies[3])), QString("d=4; Path=/"));
    }

    void corsAndTransportHeadersAreDropped()
    {
        ResponseHead r;
        r.headers.add("Access-Control-Allow-Origin", "*");
        r.headers.add("access-control-allow-credentials", "true");
        r.headers.add("Strict-Transport-Security", "max-age=1");
        r.headers.add("Alt-Svc", "h3=\":443\"");
        r.headers.add("Content-Type", "text/plain");
        m_rw.rewriteResponse(r, m_local);
        QCOMPARE(r.headers.list().size(), size_t(1));
        QCOMPARE(val(r.headers, "Content-Type"), QString("text/plain"));
    }
};

QTEST_GUILESS_MAIN(MessageRewriterTest)
#include "tst_message_rewriter.moc"
