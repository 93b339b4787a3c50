// The forwarder's error state ends with its cause, against a real heyo-edge and real curl: while the service is down
// an endpoint's stats say "cannot reach …"; the first request answered after it came back clears that, also when it
// came in on the endpoint's other address (::1); a request the forwarder refused itself (421) proves nothing and
// clears nothing; when the Qt side hears of an error, the stats already hold it; a wrong-account 403 stays an error.
#include "ForwardTestSupport.h"

#include "core/auth/MemorySecretStore.h"
#include "core/forward/AccountTokens.h"
#include "core/forward/Forwarder.h"

#include <QNetworkAccessManager>

using namespace heyo;
using forward::Forwarder;
using heyo::test::curl;

namespace {
const QString kAda = QStringLiteral("ada@demo.heyo");
}

class TestForwarderErrors : public QObject {
    Q_OBJECT

private:
    test::EdgeProcess m_edge;
    QNetworkAccessManager m_nam;
    std::unique_ptr<auth::MemorySecretStore> m_store;
    std::unique_ptr<auth::SessionManager> m_sessions;
    std::unique_ptr<forward::AccountTokens> m_tokens;
    std::unique_ptr<Forwarder> m_fwd;
    QString m_ada;

    QString local(const QString &slug, const QString &host = QStringLiteral("127.0.0.1")) const
    {
        return QStringLiteral("http://%1:%2/").arg(host).arg(m_fwd->portOf(slug));
    }
    forward::ForwardSpec spec(const QString &slug) const
    {
        forward::ForwardSpec s;
        s.slug = slug;
        s.accountId = m_ada;
        s.accountName = kAda;
        s.endpointUrl = QUrl(m_edge.endpointUrl(slug));
        return s;
    }
    QString lastError(const QString &slug) const
    {
        for (const forward::ForwardStats &s : m_fwd->stats())
            if (s.slug == slug)
                return s.lastError;
        return QStringLiteral("(not forwarded)");
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_edge.start(QStringLiteral("demo")), qPrintable(m_edge.error()));
        auto issued = m_edge.admin({"api-key", "issue", "--account", kAda, "--label", "errors-test"});
        QCOMPARE(issued.exitCode, 0);
        m_store = std::make_unique<auth::MemorySecretStore>();
        m_sessions = std::make_unique<auth::SessionManager>(m_store.get(), &m_nam, nullptr);
        auto in = test::signInWithKey(*m_sessions, test::serviceOf(m_edge), issued.out.trimmed());
        QVERIFY(in.has_value());
        QVERIFY2(in->ok(), qPrintable(in->message));
        m_ada = in->account.id;
        m_tokens = std::make_unique<forward::AccountTokens>(m_sessions.get());
        Forwarder::Options o;
        o.extraCaFile = m_edge.caFile();
        m_fwd = std::make_unique<Forwarder>(m_tokens.get(), o);
        QString error;
        for (const char *slug : {"demo-web", "bob-notes"})
            QVERIFY2(m_fwd->forward(spec(slug), &error), qPrintable(error));
    }

    void serviceDownThenBack()
    {
        QCOMPARE(curl({local("demo-web")}).status, 200);
        QCOMPARE(lastError("demo-web"), QString());

        // When the report reaches this thread, the stats already carry the error (the tray reads them at once).
        QString seenWithReport;
        auto c = connect(m_fwd.get(), &Forwarder::upstreamError, this,
                         [&](const QString &slug) { seenWithReport = lastError(slug); });
        const int edgePort = m_edge.port();
        m_edge.stop();
        QCOMPARE(curl({local("demo-web")}).status, 502);
        QTRY_VERIFY_WITH_TIMEOUT(!seenWithReport.isEmpty(), 5000);
        disconnect(c);
        QVERIFY2(seenWithReport.contains(QStringLiteral("cannot reach endpoint 'demo-web'")),
                 qPrintable(seenWithReport));
        QCOMPARE(lastError("demo-web"), seenWithReport);

        // A Host the forwarder refuses is answered without the service: it says nothing about whether it is back.
        QCOMPARE(curl({"-H", "Host: elsewhere.example", local("demo-web")}).status, 421);
        QCOMPARE(lastError("demo-web"), seenWithReport);

        // The service is back on its port; the first answered request ends the error, here one that came in on ::1
        // (the error was seen on 127.0.0.1): both addresses are one endpoint.
        QVERIFY2(m_edge.start(QStringLiteral("demo"),
                              {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(edgePort)}),
                 qPrintable(m_edge.error()));
        QCOMPARE(m_edge.port(), edgePort);
        QCOMPARE(lastError("demo-web"), seenWithReport); // nothing has been asked yet
        const auto v6 = curl({"-g", local("demo-web", QStringLiteral("[::1]"))});
        QVERIFY2(v6.status == 200, qPrintable(QString::number(v6.exitCode) + " " + v6.stderrText));
        QCOMPARE(lastError("demo-web"), QString());
    }

    void wrongAccountStaysAnError()
    {
        // bob-notes forwarded with Ada's token: every answer is the edge's 403, so nothing ever clears the error.
        QSignalSpy wrong(m_fwd.get(), &Forwarder::wrongAccount);
        QCOMPARE(curl({local("bob-notes")}).status, 403);
        QTRY_VERIFY(!wrong.isEmpty());
        QCOMPARE(lastError("bob-notes"), QStringLiteral("endpoint belongs to another account"));
        QCOMPARE(curl({local("bob-notes")}).status, 403);
        QCOMPARE(lastError("bob-notes"), QStringLiteral("endpoint belongs to another account"));
        QCOMPARE(lastError("demo-web"), QString()); // each endpoint has its own
        // Stopped, the endpoint has no state left at all; forwarded again, it starts clean.
        m_fwd->stop(QStringLiteral("bob-notes"));
        QCOMPARE(lastError("bob-notes"), QStringLiteral("(not forwarded)"));
        QString error;
        QVERIFY2(m_fwd->forward(spec(QStringLiteral("bob-notes")), &error), qPrintable(error));
        QCOMPARE(lastError("bob-notes"), QString());
    }

    void stopAccountDropsEveryError()
    {
        QCOMPARE(curl({local("bob-notes")}).status, 403);
        QTRY_VERIFY(!lastError("bob-notes").isEmpty());
        m_fwd->stopAccount(m_ada); // what sign-out does
        for (const forward::ForwardStats &s : m_fwd->stats())
            QVERIFY2(s.lastError.isEmpty(), qPrintable(s.slug + ": " + s.lastError));
        QVERIFY(m_fwd->forwardedSlugs().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestForwarderErrors)
#include "tst_forwarder_errors.moc"
