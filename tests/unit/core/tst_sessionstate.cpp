// Session states and refresh margin, ServiceSettings (URLs, CA trust, *.localhost) and EndpointInfo host matching.
#include "core/api/EndpointInfo.h"
#include "core/api/ServiceSettings.h"
#include "core/auth/KeychainSecretStore.h"
#include "core/auth/Session.h"

#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <qt6keychain/keychain.h>

using namespace heyo;

class TestSessionState : public QObject {
    Q_OBJECT
private slots:
    void states()
    {
        auth::Session s;
        QCOMPARE(s.state(1000), auth::Session::State::SignedOut);
        s.token = "t";
        s.expiresAt = 1000 + 3600;
        s.lifetime = 3600;
        QCOMPARE(s.refreshMargin(), 300); // 5 min cap
        QCOMPARE(s.state(1000), auth::Session::State::Active);
        QCOMPARE(s.state(1000 + 3600 - 300), auth::Session::State::Expiring);
        QCOMPARE(s.state(1000 + 3600), auth::Session::State::Expired);
        s.lifetime = 20;
        QCOMPARE(s.refreshMargin(), 4);
        s.lifetime = 5;
        QCOMPARE(s.refreshMargin(), 2); // floor
    }
    void serviceUrls()
    {
        api::ServiceSettings s;
        s.baseUrl = QUrl(QStringLiteral("https://localhost:9443/"));
        QCOMPARE(s.url(QStringLiteral("/api/me")).toString(), QStringLiteral("https://localhost:9443/api/me"));
        const QUrl login = s.loginUrl();
        QCOMPARE(login.path(), QStringLiteral("/login"));
        QCOMPARE(QUrlQuery(login).queryItemValue(QStringLiteral("next"), QUrl::FullyDecoded),
                 QStringLiteral("https://localhost:9443/"));
        QVERIFY(s.validate().isEmpty());
        s.baseUrl = QUrl(QStringLiteral("http://localhost:9443"));
        QVERIFY(s.validate().contains(QStringLiteral("https")));
    }
    void caFile()
    {
        QTemporaryDir dir;
        api::ServiceSettings s;
        s.caFile = dir.filePath(QStringLiteral("missing.pem"));
        QVERIFY(s.validate().contains(QStringLiteral("cannot read")));
        QFile junk(dir.filePath(QStringLiteral("junk.pem")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a certificate");
        junk.close();
        s.caFile = junk.fileName();
        QVERIFY(s.validate().contains(QStringLiteral("no PEM")));
        s.caFile.clear();
        const int systemCount = s.sslConfiguration().caCertificates().size();
        // A real PEM certificate is added on top of the system CAs (never replacing verification).
        const auto certs = QSslConfiguration::systemCaCertificates();
        QVERIFY(!certs.isEmpty());
        QFile one(dir.filePath(QStringLiteral("ca.pem")));
        QVERIFY(one.open(QIODevice::WriteOnly));
        one.write(certs.first().toPem());
        one.close();
        s.caFile = one.fileName();
        QVERIFY(s.validate().isEmpty());
        QVERIFY(s.sslConfiguration().caCertificates().size() >= systemCount);
        QCOMPARE(s.sslConfiguration().peerVerifyMode(), QSslSocket::VerifyPeer);
    }
    void localhostNames()
    {
        QVERIFY(api::ServiceSettings::isLocalhostName(QStringLiteral("localhost")));
        QVERIFY(api::ServiceSettings::isLocalhostName(QStringLiteral("git.heyo.LOCALHOST")));
        QVERIFY(!api::ServiceSettings::isLocalhostName(QStringLiteral("localhost.evil.com")));
        QVERIFY(!api::ServiceSettings::isLocalhostName(QStringLiteral("notlocalhost")));
    }
    void endpointMatching()
    {
        const api::EndpointInfo e =
            api::EndpointInfo::fromJson({{"slug", "git"},
                                         {"url", "https://git.heyo.localhost:8443"},
                                         {"port", 3000},
                                         {"private", true},
                                         {"status", "running"},
                                         {"device", QJsonObject{{"id", "dev_1"}, {"name", "laptop"}}},
                                         {"sandbox", "sb"}});
        QCOMPARE(e.slug, QStringLiteral("git"));
        QCOMPARE(e.deviceName, QStringLiteral("laptop"));
        QVERIFY(e.isPrivate);
        QVERIFY(e.matchesHost(QStringLiteral("git.heyo.localhost:8443")));
        QVERIFY(e.matchesHost(QStringLiteral("GIT.heyo.localhost:8443")));
        QVERIFY(!e.matchesHost(QStringLiteral("git.heyo.localhost")));
        QVERIFY(!e.matchesHost(QStringLiteral("git.heyo.localhost:9443")));
        QVERIFY(!e.matchesHost(QStringLiteral("other.heyo.localhost:8443")));
        QVERIFY(!e.matchesHost(QStringLiteral("git.heyo.localhost.evil:8443")));
        const api::EndpointInfo d = api::EndpointInfo::fromJson({{"slug", "w"}, {"url", "https://w.example.com"}});
        QVERIFY(d.matchesHost(QStringLiteral("w.example.com")));
        QVERIFY(d.matchesHost(QStringLiteral("w.example.com:443")));
    }
    void keychainErrorsClassified()
    {
        using auth::KeychainSecretStore;
        using auth::SecretStatus;
        QCOMPARE(KeychainSecretStore::classify(QKeychain::NoError, {}, false).status, SecretStatus::Ok);
        QCOMPARE(KeychainSecretStore::classify(QKeychain::EntryNotFound, {}, false).status, SecretStatus::NotFound);
        QCOMPARE(KeychainSecretStore::classify(QKeychain::OtherError,
                                               QStringLiteral("Cannot autolaunch D-Bus without X11 $DISPLAY"), true)
                     .status,
                 SecretStatus::NoBackend);
        QCOMPARE(KeychainSecretStore::classify(
                     QKeychain::OtherError,
                     QStringLiteral("Object does not exist at path “/org/freedesktop/secrets/collection/login”"), true)
                     .status,
                 SecretStatus::Locked);
        QCOMPARE(KeychainSecretStore::classify(QKeychain::AccessDenied, QStringLiteral("denied"), false).status,
                 SecretStatus::AccessDenied);
        QCOMPARE(KeychainSecretStore::classify(QKeychain::NoBackendAvailable, QStringLiteral("x"), false).status,
                 SecretStatus::NoBackend);
    }
};

QTEST_GUILESS_MAIN(TestSessionState)
#include "tst_sessionstate.moc"
