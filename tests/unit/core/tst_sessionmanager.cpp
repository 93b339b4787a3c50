// SessionManager against a real heyo-edge (secrets in memory): sign-in paths, the single shared refresh under 200
// concurrent callers, refresh ahead of expiry with a kept key, expiry without one, revoked key → expired, sign-out,
// and two accounts whose tokens never cross.
#include "EdgeProcess.h"

#include "core/api/ApiClient.h"
#include "core/auth/JwtClaims.h"
#include "core/auth/MemorySecretStore.h"
#include "core/auth/SessionManager.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>

using namespace heyo;
using heyo::auth::SessionManager;

namespace {

// Counts requests per path: an observer on the real network stack, not a stand-in for it.
class CountingNam : public QNetworkAccessManager {
public:
    QHash<QString, int> counts;

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &req, QIODevice *data) override
    {
        counts[req.url().path()]++;
        return QNetworkAccessManager::createRequest(op, req, data);
    }
};

const QString kExchange = QStringLiteral("/api/api-keys/exchange");

} // namespace

class TestSessionManager : public QObject {
    Q_OBJECT
private:
    api::ServiceSettings serviceOf(const test::EdgeProcess &edge)
    {
        api::ServiceSettings s;
        s.baseUrl = edge.baseUrl();
        s.caFile = edge.caFile();
        return s;
    }
    // Synchronous helpers for the test only: QTRY on a captured result.
    SessionManager::SignInReply signInKey(SessionManager &sm, const api::ServiceSettings &s, const QByteArray &key,
                                          bool keep)
    {
        std::optional<SessionManager::SignInReply> out;
        sm.signInWithApiKey(s, key, keep, [&](const SessionManager::SignInReply &r) { out = r; });
        [&] { QTRY_VERIFY_WITH_TIMEOUT(out.has_value(), 20000); }();
        return out.value_or(SessionManager::SignInReply{{SessionManager::Error::Network, "timeout"}, {}});
    }
    SessionManager::SignInReply signInPassword(SessionManager &sm, const api::ServiceSettings &s, const QString &email,
                                               const QString &password)
    {
        std::optional<SessionManager::SignInReply> out;
        sm.signInWithPassword(s, email, password, [&](const SessionManager::SignInReply &r) { out = r; });
        [&] { QTRY_VERIFY_WITH_TIMEOUT(out.has_value(), 20000); }();
        return out.value_or(SessionManager::SignInReply{{SessionManager::Error::Network, "timeout"}, {}});
    }
    SessionManager::TokenReply token(SessionManager &sm, const QString &id)
    {
        std::optional<SessionManager::TokenReply> out;
        sm.tokenFor(id, [&](const SessionManager::TokenReply &r) { out = r; });
        [&] { QTRY_VERIFY_WITH_TIMEOUT(out.has_value(), 20000); }();
        return out.value_or(SessionManager::TokenReply{{SessionManager::Error::Network, "timeout"}, {}});
    }

private slots:
    void passwordSignInAndWrongPassword()
    {
        test::EdgeProcess edge;
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY2(edge.addAccount(QStringLiteral("ann@example.com"), "correct horse", QStringLiteral("Ann"), &error),
                 qPrintable(error));
        CountingNam nam;
        auth::MemorySecretStore store;
        SessionManager sm(&store, &nam, nullptr);
        const auto bad = signInPassword(sm, serviceOf(edge), QStringLiteral("ann@example.com"), QStringLiteral("nope"));
        QCOMPARE(bad.error, SessionManager::Error::Service);
        QVERIFY2(bad.message.contains(QStringLiteral("401")), qPrintable(bad.message));
        QVERIFY(sm.accountIds().isEmpty());

        const auto ok =
            signInPassword(sm, serviceOf(edge), QStringLiteral("ann@example.com"), QStringLiteral("correct horse"));
        QVERIFY2(ok.ok(), qPrintable(ok.message));
        QCOMPARE(ok.account.email, QStringLiteral("ann@example.com"));
        QCOMPARE(sm.accountIds(), QStringList{ok.account.id});
        QCOMPARE(sm.defaultAccountId(), ok.account.id);
        const auto t = token(sm, ok.account.id);
        QVERIFY2(t.ok(), qPrintable(t.message));
        const auto claims = auth::JwtClaims::decode(t.token);
        QVERIFY(claims);
        QCOMPARE(claims->accountId, ok.account.id);
        QCOMPARE(nam.counts.value(kExchange), 0);

        // The service accepts it.
        std::optional<api::ApiResult<api::AccountInfo>> me;
        sm.api(ok.account.id)->me(t.token, [&](const api::ApiResult<api::AccountInfo> &r) { me = r; });
        QTRY_VERIFY_WITH_TIMEOUT(me.has_value(), 20000);
        QVERIFY2(me->ok(), qPrintable(me->error.message));
        QCOMPARE(me->value->id, ok.account.id);
    }

    void untrustedServiceIsATlsError()
    {
        test::EdgeProcess edge;
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QNetworkAccessManager nam;
        auth::MemorySecretStore store;
        SessionManager sm(&store, &nam, nullptr);
        api::ServiceSettings s = serviceOf(edge);
        s.caFile.clear(); // the edge's private CA is not trusted: must fail, never be waved through
        const auto r = signInPassword(sm, s, QStringLiteral("x@example.com"), QStringLiteral("y"));
        QCOMPARE(r.error, SessionManager::Error::Network);
        QVERIFY2(r.message.contains(QStringLiteral("TLS")), qPrintable(r.message));
    }

    void twoHundredCallersShareOneExchange()
    {
        test::EdgeProcess edge;
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY(edge.addAccount(QStringLiteral("kim@example.com"), "pw-kim-123", {}, &error));
        const QByteArray key = edge.issueApiKey(QStringLiteral("kim@example.com"), QStringLiteral("ci"), &error);
        QVERIFY2(!key.isEmpty(), qPrintable(error));

        CountingNam nam;
        auth::MemorySecretStore store;
        SessionManager sm(&store, &nam, nullptr);
        const auto in = signInKey(sm, serviceOf(edge), key, true);
        QVERIFY2(in.ok(), qPrintable(in.message));
        QCOMPARE(nam.counts.value(kExchange), 1);
        const QString id = in.account.id;
        const QByteArray first = token(sm, id).token;
        QVERIFY(!first.isEmpty());
        QCOMPARE(nam.counts.value(kExchange), 1); // a fresh token is handed out without any request

        // The edge said 401 to the current token: 200 callers at once → exactly one exchange, one new token for all.
        sm.tokenRejected(id, first);
        QList<QByteArray> tokens;
        int failures = 0;
        for (int i = 0; i < 200; ++i) {
            sm.tokenFor(id, [&](const SessionManager::TokenReply &r) {
                if (r.ok())
                    tokens.append(r.token);
                else
                    ++failures;
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(tokens.size() + failures, 200, 30000);
        QCOMPARE(failures, 0);
        QCOMPARE(nam.counts.value(kExchange), 2);
        QCOMPARE(sm.exchangeCount(), 2);
        QVERIFY(tokens.first() != first);
        for (const QByteArray &t : tokens)
            QCOMPARE(t, tokens.first());
        QCOMPARE(auth::JwtClaims::decode(tokens.first())->accountId, id);

        // The new token is what the store holds now.
        std::optional<auth::SecretResult> stored;
        store.read(auth::SecretStore::keyFor(id, QStringLiteral("jwt")),
                   [&](const auth::SecretResult &r) { stored = r; });
        QTRY_VERIFY(stored.has_value());
        QCOMPARE(stored->data, tokens.first());
    }

    void keptKeyRefreshesAheadOfExpiry()
    {
        test::EdgeProcess edge({QStringLiteral("--token-lifetime"), QStringLiteral("6")});
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY(edge.addAccount(QStringLiteral("lee@example.com"), "pw-lee-123", {}, &error));
        const QByteArray key = edge.issueApiKey(QStringLiteral("lee@example.com"), QStringLiteral("bot"), &error);
        QVERIFY2(!key.isEmpty(), qPrintable(error));
        CountingNam nam;
        auth::MemorySecretStore store;
        SessionManager sm(&store, &nam, nullptr);
        const auto in = signInKey(sm, serviceOf(edge), key, true);
        QVERIFY2(in.ok(), qPrintable(in.message));
        const QString id = in.account.id;
        const auth::Session before = *sm.session(id);
        QCOMPARE(before.expiresAt - auth::JwtClaims::decode(before.token)->issuedAt, 6);

        // Nobody asks: the manager renews on its own, before the old token's exp.
        QSignalSpy changed(&sm, &SessionManager::sessionChanged);
        QSignalSpy expired(&sm, &SessionManager::sessionExpired);
        QTRY_VERIFY_WITH_TIMEOUT(sm.session(id)->token != before.token, 10000);
        QVERIFY2(QDateTime::currentSecsSinceEpoch() < before.expiresAt, "the token must be replaced before it expires");
        QVERIFY(sm.session(id)->expiresAt > before.expiresAt);
        QVERIFY(changed.count() >= 1);
        QCOMPARE(expired.count(), 0);
        // And it keeps doing so: three lifetimes later, the token is still valid and was never expired.
        QTest::qWait(12000);
        const auto t = token(sm, id);
        QVERIFY2(t.ok(), qPrintable(t.message));
        QVERIFY(auth::JwtClaims::decode(t.token)->expiresAt > QDateTime::currentSecsSinceEpoch());
        QCOMPARE(expired.count(), 0);
        QVERIFY(nam.counts.value(kExchange) >= 3); // sign-in plus at least two renewals
    }

    void withoutKeySessionExpires()
    {
        test::EdgeProcess edge({QStringLiteral("--token-lifetime"), QStringLiteral("3")});
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY(edge.addAccount(QStringLiteral("max@example.com"), "pw-max-123", {}, &error));
        QNetworkAccessManager nam;
        auth::MemorySecretStore store;
        SessionManager sm(&store, &nam, nullptr);
        const auto in =
            signInPassword(sm, serviceOf(edge), QStringLiteral("max@example.com"), QStringLiteral("pw-max-123"));
        QVERIFY2(in.ok(), qPrintable(in.message));
        QSignalSpy expired(&sm, &SessionManager::sessionExpired);
        QTRY_COMPARE_WITH_TIMEOUT(expired.count(), 1, 10000);
        QCOMPARE(expired.first().at(0).toString(), in.account.id);
        const auto t = token(sm, in.account.id);
        QCOMPARE(t.error, SessionManager::Error::Expired);
        QVERIFY(t.token.isEmpty());
        QVERIFY2(t.message.contains(QStringLiteral("sign in again")), qPrintable(t.message));
    }

    void revokedKeyExpiresWithin30s()
    {
        test::EdgeProcess edge({QStringLiteral("--token-lifetime"), QStringLiteral("4")});
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY(edge.addAccount(QStringLiteral("rev@example.com"), "pw-rev-123", {}, &error));
        const QByteArray key = edge.issueApiKey(QStringLiteral("rev@example.com"), QStringLiteral("x"), &error);
        QVERIFY2(!key.isEmpty(), qPrintable(error));
        QNetworkAccessManager nam;
        auth::MemorySecretStore store;
        SessionManager sm(&store, &nam, nullptr);
        const auto in = signInKey(sm, serviceOf(edge), key, true);
        QVERIFY2(in.ok(), qPrintable(in.message));
        QSignalSpy expired(&sm, &SessionManager::sessionExpired);
        QVERIFY2(edge.revokeApiKey(key.left(12), &error), qPrintable(error));
        QElapsedTimer clock;
        clock.start();
        QTRY_COMPARE_WITH_TIMEOUT(expired.count(), 1, 30000);
        QVERIFY(clock.elapsed() < 30000);
        QVERIFY2(expired.first().at(1).toString().contains(QStringLiteral("refused")),
                 qPrintable(expired.first().at(1).toString()));
        QCOMPARE(token(sm, in.account.id).error, SessionManager::Error::Expired);
    }

    void twoAccountsAndSignOut()
    {
        test::EdgeProcess edge;
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY(edge.addAccount(QStringLiteral("a@example.com"), "pw-a-12345", {}, &error));
        QVERIFY(edge.addAccount(QStringLiteral("b@example.com"), "pw-b-12345", {}, &error));
        QNetworkAccessManager nam;
        auth::MemorySecretStore store;
        SessionManager sm(&store, &nam, nullptr);
        const auto a =
            signInPassword(sm, serviceOf(edge), QStringLiteral("a@example.com"), QStringLiteral("pw-a-12345"));
        const auto b =
            signInPassword(sm, serviceOf(edge), QStringLiteral("b@example.com"), QStringLiteral("pw-b-12345"));
        QVERIFY2(a.ok() && b.ok(), qPrintable(a.message + b.message));
        QVERIFY(a.account.id != b.account.id);
        QCOMPARE(sm.accountIds().size(), 2);
        QCOMPARE(sm.defaultAccountId(), a.account.id);
        QCOMPARE(sm.findAccount(QStringLiteral("B@EXAMPLE.COM")), b.account.id);
        QCOMPARE(auth::JwtClaims::decode(token(sm, a.account.id).token)->accountId, a.account.id);
        QCOMPARE(auth::JwtClaims::decode(token(sm, b.account.id).token)->accountId, b.account.id);
        QVERIFY(sm.setDefaultAccount(b.account.id));

        QSignalSpy out(&sm, &SessionManager::signedOut);
        std::optional<SessionManager::Outcome> done;
        sm.signOut(b.account.id, [&](const SessionManager::Outcome &r) { done = r; });
        QTRY_VERIFY(done.has_value());
        QVERIFY2(done->ok(), qPrintable(done->message));
        QCOMPARE(out.count(), 1);
        QCOMPARE(sm.accountIds(), QStringList{a.account.id});
        QCOMPARE(sm.defaultAccountId(), a.account.id);
        QCOMPARE(token(sm, b.account.id).error, SessionManager::Error::NotSignedIn);
        std::optional<auth::SecretResult> gone;
        store.read(auth::SecretStore::keyFor(b.account.id, QStringLiteral("jwt")),
                   [&](const auth::SecretResult &r) { gone = r; });
        QTRY_VERIFY(gone.has_value());
        QCOMPARE(gone->status, auth::SecretStatus::NotFound);
        QVERIFY(token(sm, a.account.id).ok());
    }
};

QTEST_GUILESS_MAIN(TestSessionManager)
#include "tst_sessionmanager.moc"
