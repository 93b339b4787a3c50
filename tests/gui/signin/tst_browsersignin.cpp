// The real browser sign-in window under Xvfb against a real heyo-edge: WebEngine is loaded only when the window opens,
// the real login form is filled through runJavaScript, the __heyo_token cookie is taken and the window closes; a
// service whose certificate does not chain to the configured CA is refused; nothing lands on disk.
#include "EdgeProcess.h"
#include "WebEngineAsRoot.h"

#include "BrowserSignIn.h"

#include "core/auth/JwtClaims.h"
#include "core/auth/MemorySecretStore.h"
#include "core/auth/SessionManager.h"

#include <QApplication>
#include <QDirIterator>
#include <QFile>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

using namespace heyo;

namespace {
bool webEngineMapped()
{
    QFile maps(QStringLiteral("/proc/self/maps"));
    if (!maps.open(QIODevice::ReadOnly))
        return true; // fail the "not loaded" check rather than pass it blindly
    return maps.readAll().contains("libQt6WebEngineCore");
}

QStringList filesContaining(const QString &root, const QByteArray &needle)
{
    QStringList hits;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle))
            hits << f.fileName();
    }
    return hits;
}

QString fillForm(const QString &email, const QString &password)
{
    return QStringLiteral("document.getElementById('email').value = '%1';"
                          "document.getElementById('password').value = '%2';"
                          "document.getElementById('password-form').submit();")
        .arg(email, password);
}
} // namespace

class TestBrowserSignIn : public QObject {
    Q_OBJECT
public:
    static void initMain() { test::allowWebEngineAsRoot(); }

private slots:
    void signsInThroughTheRealLoginPage()
    {
        QVERIFY2(!webEngineMapped(), "QtWebEngine must not be loaded before the sign-in window opens");
        test::EdgeProcess edge;
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY2(edge.addAccount(QStringLiteral("web@example.com"), "pw-web-4567", QStringLiteral("Web"), &error),
                 qPrintable(error));
        api::ServiceSettings service;
        service.baseUrl = edge.baseUrl();
        service.caFile = edge.caFile();

        ui::BrowserSignIn signIn(service);
        QSignalSpy loaded(&signIn, &ui::BrowserSignIn::pageLoaded);
        QSignalSpy finished(&signIn, &ui::BrowserSignIn::finished);
        signIn.start();
        QVERIFY2(signIn.isRunning(), qPrintable(ui::BrowserSignIn::pluginError()));
        QVERIFY(webEngineMapped());
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 30000);
        QVERIFY2(loaded.first().at(0).toBool(), "the login page did not load");
        QCOMPARE(loaded.first().at(1).toUrl().path(), QStringLiteral("/login"));
        QVERIFY(finished.isEmpty());

        signIn.runJavaScript(fillForm(QStringLiteral("web@example.com"), QStringLiteral("pw-web-4567")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        const QByteArray token = finished.first().at(0).toByteArray();
        QVERIFY2(!token.isEmpty(), qPrintable(finished.first().at(1).toString()));
        QVERIFY(finished.first().at(1).toString().isEmpty());
        QTRY_VERIFY(!signIn.isRunning()); // the window closed itself
        const auto claims = auth::JwtClaims::decode(token);
        QVERIFY(claims);
        QCOMPARE(claims->email, QStringLiteral("web@example.com"));

        // The token is good for a session: checked with the service, then kept.
        QNetworkAccessManager nam;
        auth::MemorySecretStore store;
        auth::SessionManager sessions(&store, &nam, nullptr);
        std::optional<auth::SessionManager::SignInReply> reply;
        sessions.signInWithToken(service, token, [&](const auth::SessionManager::SignInReply &r) { reply = r; });
        QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 20000);
        QVERIFY2(reply->ok(), qPrintable(reply->message));
        QCOMPARE(reply->account.id, claims->accountId);

        // Off-the-record profile: the token is in no file (cookie database, cache) under HOME.
        QTest::qWait(500);
        const QStringList hits = filesContaining(QDir::homePath(), token);
        QVERIFY2(hits.isEmpty(), qPrintable(hits.join(", ")));
        QVERIFY(!edge.log().contains(token));
    }

    void wrongPasswordKeepsTheWindowOpen()
    {
        test::EdgeProcess edge;
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY(edge.addAccount(QStringLiteral("w2@example.com"), "pw-right-1", {}, &error));
        api::ServiceSettings service;
        service.baseUrl = edge.baseUrl();
        service.caFile = edge.caFile();
        ui::BrowserSignIn signIn(service);
        QSignalSpy loaded(&signIn, &ui::BrowserSignIn::pageLoaded);
        QSignalSpy finished(&signIn, &ui::BrowserSignIn::finished);
        signIn.start();
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 30000);
        signIn.runJavaScript(fillForm(QStringLiteral("w2@example.com"), QStringLiteral("wrong")));
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 2, 30000); // the page shows its error
        QTest::qWait(300);
        QCOMPARE(finished.count(), 0);
        QVERIFY(signIn.isRunning());
        signIn.cancel();
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(finished.first().at(0).toByteArray().isEmpty());
        QVERIFY(finished.first().at(1).toString().contains(QStringLiteral("closed")));
    }

    void untrustedCertificateIsRefused()
    {
        test::EdgeProcess edge;
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        // Another CA than the service's: the chain must not verify, and the page must not load.
        const auto systemCas = QSslConfiguration::systemCaCertificates();
        QVERIFY(!systemCas.isEmpty());
        QTemporaryDir dir;
        QFile other(dir.filePath(QStringLiteral("other-ca.pem")));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write(systemCas.first().toPem());
        other.close();
        api::ServiceSettings service;
        service.baseUrl = edge.baseUrl();
        service.caFile = other.fileName();
        ui::BrowserSignIn signIn(service);
        QSignalSpy finished(&signIn, &ui::BrowserSignIn::finished);
        signIn.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QVERIFY(finished.first().at(0).toByteArray().isEmpty());
        QVERIFY2(finished.first().at(1).toString().contains(QStringLiteral("not trusted")),
                 qPrintable(finished.first().at(1).toString()));
    }
};

QTEST_MAIN(TestBrowserSignIn)
#include "tst_browsersignin.moc"
