// Owns the signed-in accounts: signs in (password, API key, browser token), hands out each account's token with one
// shared refresh per account however many callers ask, refreshes ahead of expiry when an API key is kept, marks a
// session expired otherwise, and signs out (secrets removed, signedOut emitted so forwarders stop).
// Secrets go to the SecretStore only; non-secret account data to QSettings (or nowhere when settings is null).
#pragma once

#include "core/api/ApiTypes.h"
#include "core/api/ServiceSettings.h"
#include "core/auth/Session.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QSettings;
class QTimer;

namespace heyo::api {
class ApiClient;
}

namespace heyo::auth {

class SecretStore;

class SessionManager : public QObject {
    Q_OBJECT
public:
    enum class Error {
        None,
        NotSignedIn, // no such account, or no token stored for it
        Expired,     // the token expired (or was rejected) and cannot be refreshed: sign in again
        Keychain,    // the secret store failed (no backend, locked, denied): see the message
        Service,     // the service refused (bad credentials, revoked key, ...)
        Network,     // the service could not be reached (or TLS not trusted)
    };
    struct Outcome {
        Error error = Error::None;
        QString message;
        bool ok() const { return error == Error::None; }
    };
    struct TokenReply : Outcome {
        QByteArray token;
    };
    struct SignInReply : Outcome {
        api::AccountInfo account;
    };
    using TokenCallback = std::function<void(const TokenReply &)>;
    using SignInCallback = std::function<void(const SignInReply &)>;
    using DoneCallback = std::function<void(const Outcome &)>;

    // `settings` may be null: accounts then live in memory only (`heyo --no-store`).
    SessionManager(SecretStore *secrets, QNetworkAccessManager *nam, QSettings *settings, QObject *parent = nullptr);
    ~SessionManager() override;

    // The shared non-secret store of the tray app and the CLI (INI under the user's config dir, or
    // $HEYO_CONFIG_DIR/heyo-access.ini when that is set).
    static std::unique_ptr<QSettings> openDefaultSettings();

    QStringList accountIds() const;
    // Non-secret view; token is filled once it was loaded.
    std::optional<Session> session(const QString &accountId) const;
    // Accepts an account id or an email (case-insensitive); empty when none matches.
    QString findAccount(const QString &idOrEmail) const;
    QString defaultAccountId() const;
    bool setDefaultAccount(const QString &accountId);
    // The API client for an account's service (owned by the manager); null for an unknown account.
    api::ApiClient *api(const QString &accountId);
    // Client for a service before any account exists (sign-in).
    api::ApiClient *apiForService(const api::ServiceSettings &service);

    void signInWithPassword(const api::ServiceSettings &service, const QString &email, const QString &password,
                            SignInCallback done);
    // keepKey: the key is stored in the keychain and exchanged again near expiry or on 401.
    void signInWithApiKey(const api::ServiceSettings &service, const QByteArray &apiKey, bool keepKey,
                          SignInCallback done);
    // A token obtained elsewhere (browser sign-in): checked with GET /api/me, then stored.
    void signInWithToken(const api::ServiceSettings &service, const QByteArray &token, SignInCallback done);

    // The account's current token, refreshed first if it is near expiry and a key is kept. Concurrent callers share
    // one load and one exchange. The callback always runs later (never inside this call).
    void tokenFor(const QString &accountId, TokenCallback done);
    // The service answered 401 to `token`: drop it; the next tokenFor exchanges the kept key or reports expiry.
    void tokenRejected(const QString &accountId, const QByteArray &token);
    void signOut(const QString &accountId, DoneCallback done);

    // Exchanges performed since construction (all accounts): lets tests and diagnostics see the coalescing.
    int exchangeCount() const { return m_exchangeCount; }

signals:
    void accountsChanged();
    void sessionChanged(const QString &accountId);
    void sessionExpired(const QString &accountId, const QString &message);
    void signedOut(const QString &accountId);

private:
    struct Entry;
    Entry *entry(const QString &accountId) const;
    void loadAccounts();
    bool saveAccount(const Entry &e, QString *error);
    void acquire(const QString &accountId);
    void decide(const QString &accountId);
    void exchange(const QString &accountId);
    void finish(const QString &accountId, const TokenReply &reply);
    void expire(const QString &accountId, const QString &message);
    void schedule(Entry &e);
    void completeSignIn(const api::ServiceSettings &service, const api::AuthResult &auth, const QByteArray &apiKey,
                        bool keepKey, SignInCallback done);
    void install(const api::ServiceSettings &service, const api::AuthResult &auth, const QByteArray &apiKey,
                 bool keepKey, SignInCallback done);
    template <typename F> void later(F &&f);

    QPointer<SecretStore> m_secrets;
    QPointer<QNetworkAccessManager> m_nam;
    QSettings *m_settings = nullptr;
    QHash<QString, Entry *> m_entries;
    QString m_defaultAccount;
    int m_exchangeCount = 0;
    quint64 m_nextGeneration = 1;
};

QString sessionErrorName(SessionManager::Error error);

} // namespace heyo::auth
