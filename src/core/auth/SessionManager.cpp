// Session bookkeeping, the per-account single-flight token refresh, and sign-in/out sequencing with the secret store.
#include "core/auth/SessionManager.h"

#include "core/Logging.h"
#include "core/api/ApiClient.h"
#include "core/auth/JwtClaims.h"
#include "core/auth/SecretStore.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QTimer>

#include <algorithm>

namespace heyo::auth {

namespace {
const QString kJwt = QStringLiteral("jwt");
const QString kApiKey = QStringLiteral("api-key");
const QString kAccountsGroup = QStringLiteral("accounts");
const QString kDefaultKey = QStringLiteral("defaultAccount");

qint64 nowSecs()
{
    return QDateTime::currentSecsSinceEpoch();
}

SessionManager::Error errorFromApi(const api::ApiError &e)
{
    if (e.kind == api::ApiError::Http)
        return SessionManager::Error::Service;
    return e.kind == api::ApiError::Protocol ? SessionManager::Error::Service : SessionManager::Error::Network;
}

QString serviceKey(const api::ServiceSettings &s)
{
    return s.baseUrl.toString() + QLatin1Char('\n') + s.caFile;
}
} // namespace

struct SessionManager::Entry {
    Session session;
    QByteArray apiKey;
    bool loaded = false;       // secrets read from the store (or just written)
    bool busy = false;         // a load or exchange is in flight; new callers queue behind it
    bool forceRefresh = false; // the current token was rejected by the service
    quint64 generation = 0;    // changes on sign-in/out so stale async answers are ignored
    QList<TokenCallback> waiters;
    std::unique_ptr<QTimer> timer;
};

QString sessionErrorName(SessionManager::Error error)
{
    switch (error) {
    case SessionManager::Error::None:
        return QStringLiteral("ok");
    case SessionManager::Error::NotSignedIn:
        return QStringLiteral("not signed in");
    case SessionManager::Error::Expired:
        return QStringLiteral("session expired");
    case SessionManager::Error::Keychain:
        return QStringLiteral("keychain");
    case SessionManager::Error::Service:
        return QStringLiteral("refused by the service");
    case SessionManager::Error::Network:
        return QStringLiteral("network");
    }
    return {};
}

SessionManager::SessionManager(SecretStore *secrets, QNetworkAccessManager *nam, QSettings *settings, QObject *parent)
    : QObject(parent), m_secrets(secrets), m_nam(nam), m_settings(settings)
{
    loadAccounts();
}

SessionManager::~SessionManager()
{
    qDeleteAll(m_entries);
}

std::unique_ptr<QSettings> SessionManager::openDefaultSettings()
{
    // HEYO_CONFIG_DIR: a separate profile (the demo uses one, so it never changes the user's own default service).
    const QString dir = qEnvironmentVariable("HEYO_CONFIG_DIR");
    if (!dir.isEmpty())
        return std::make_unique<QSettings>(dir + QStringLiteral("/heyo-access.ini"), QSettings::IniFormat);
    return std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("heyo"),
                                       QStringLiteral("heyo-access"));
}

template <typename F> void SessionManager::later(F &&f)
{
    QMetaObject::invokeMethod(this, std::forward<F>(f), Qt::QueuedConnection);
}

SessionManager::Entry *SessionManager::entry(const QString &accountId) const
{
    return m_entries.value(accountId, nullptr);
}

void SessionManager::loadAccounts()
{
    if (!m_settings)
        return;
    m_defaultAccount = m_settings->value(kDefaultKey).toString();
    m_settings->beginGroup(kAccountsGroup);
    const QStringList ids = m_settings->childGroups();
    for (const QString &id : ids) {
        m_settings->beginGroup(id);
        auto *e = new Entry;
        e->generation = m_nextGeneration++;
        e->session.account = {id, m_settings->value(QStringLiteral("email")).toString(),
                              m_settings->value(QStringLiteral("name")).toString()};
        e->session.service.baseUrl = QUrl(m_settings->value(QStringLiteral("service")).toString());
        e->session.service.caFile = m_settings->value(QStringLiteral("caFile")).toString();
        e->session.keepsApiKey = m_settings->value(QStringLiteral("keepApiKey"), false).toBool();
        e->session.expiresAt = m_settings->value(QStringLiteral("expiresAt"), 0).toLongLong();
        m_settings->endGroup();
        m_entries.insert(id, e);
    }
    m_settings->endGroup();
    if (!m_entries.contains(m_defaultAccount))
        m_defaultAccount = ids.isEmpty() ? QString() : ids.first();
}

bool SessionManager::saveAccount(const Entry &e, QString *error)
{
    if (!m_settings)
        return true;
    const Session &s = e.session;
    m_settings->beginGroup(kAccountsGroup);
    m_settings->beginGroup(s.account.id);
    m_settings->setValue(QStringLiteral("email"), s.account.email);
    m_settings->setValue(QStringLiteral("name"), s.account.name);
    m_settings->setValue(QStringLiteral("service"), s.service.baseUrl.toString());
    m_settings->setValue(QStringLiteral("caFile"), s.service.caFile);
    m_settings->setValue(QStringLiteral("keepApiKey"), s.keepsApiKey);
    m_settings->setValue(QStringLiteral("expiresAt"), s.expiresAt);
    m_settings->endGroup();
    m_settings->endGroup();
    m_settings->setValue(kDefaultKey, m_defaultAccount);
    m_settings->sync();
    if (m_settings->status() != QSettings::NoError) {
        if (error)
            *error = QStringLiteral("cannot save the account list to %1").arg(m_settings->fileName());
        return false;
    }
    return true;
}

QStringList SessionManager::accountIds() const
{
    QStringList ids = m_entries.keys();
    ids.sort();
    return ids;
}

std::optional<Session> SessionManager::session(const QString &accountId) const
{
    if (const Entry *e = entry(accountId))
        return e->session;
    return std::nullopt;
}

QString SessionManager::findAccount(const QString &idOrEmail) const
{
    if (m_entries.contains(idOrEmail))
        return idOrEmail;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if (it.value()->session.account.email.compare(idOrEmail, Qt::CaseInsensitive) == 0)
            return it.key();
    }
    return {};
}

QString SessionManager::defaultAccountId() const
{
    return m_defaultAccount;
}

bool SessionManager::setDefaultAccount(const QString &accountId)
{
    if (!m_entries.contains(accountId))
        return false;
    m_defaultAccount = accountId;
    if (m_settings) {
        m_settings->setValue(kDefaultKey, accountId);
        m_settings->sync();
    }
    emit accountsChanged();
    return true;
}

api::ApiClient *SessionManager::apiForService(const api::ServiceSettings &service)
{
    const QString name = QStringLiteral("api:") + serviceKey(service);
    if (auto *existing = findChild<api::ApiClient *>(name, Qt::FindDirectChildrenOnly))
        return existing;
    auto *client = new api::ApiClient(m_nam, service, this);
    client->setObjectName(name);
    return client;
}

api::ApiClient *SessionManager::api(const QString &accountId)
{
    const Entry *e = entry(accountId);
    return e ? apiForService(e->session.service) : nullptr;
}

// ---- sign-in ----

void SessionManager::signInWithPassword(const api::ServiceSettings &service, const QString &email,
                                        const QString &password, SignInCallback done)
{
    apiForService(service)->login(email, password, [this, service, done](const api::ApiResult<api::AuthResult> &r) {
        if (!r.ok()) {
            SignInReply reply;
            reply.error = errorFromApi(r.error);
            reply.message = QStringLiteral("sign-in failed: %1").arg(r.error.message);
            done(reply);
            return;
        }
        completeSignIn(service, *r.value, {}, false, done);
    });
}

void SessionManager::signInWithApiKey(const api::ServiceSettings &service, const QByteArray &apiKey, bool keepKey,
                                      SignInCallback done)
{
    ++m_exchangeCount;
    apiForService(service)->exchange(
        apiKey, [this, service, apiKey, keepKey, done](const api::ApiResult<api::AuthResult> &r) {
            if (!r.ok()) {
                SignInReply reply;
                reply.error = errorFromApi(r.error);
                reply.message = QStringLiteral("sign-in with the API key failed: %1").arg(r.error.message);
                done(reply);
                return;
            }
            completeSignIn(service, *r.value, apiKey, keepKey, done);
        });
}

void SessionManager::signInWithToken(const api::ServiceSettings &service, const QByteArray &token, SignInCallback done)
{
    const auto claims = JwtClaims::decode(token);
    if (!claims) {
        later([done] {
            done({{Error::Service, QStringLiteral("the service handed over something that is not a token")}, {}});
        });
        return;
    }
    apiForService(service)->me(token, [this, service, token, claims, done](const api::ApiResult<api::AccountInfo> &r) {
        if (!r.ok()) {
            SignInReply reply;
            reply.error = errorFromApi(r.error);
            reply.message = QStringLiteral("the browser sign-in token was not accepted: %1").arg(r.error.message);
            done(reply);
            return;
        }
        api::AuthResult auth{token, claims->expiresAt, *r.value};
        completeSignIn(service, auth, {}, false, done);
    });
}

void SessionManager::completeSignIn(const api::ServiceSettings &service, const api::AuthResult &auth,
                                    const QByteArray &apiKey, bool keepKey, SignInCallback done)
{
    if (!m_secrets) {
        later([done] { done({{Error::Keychain, QStringLiteral("no secret store")}, {}}); });
        return;
    }
    const QString id = auth.account.id;
    // Secrets first: only when the keychain holds them is the account written to the (non-secret) settings.
    m_secrets->write(
        SecretStore::keyFor(id, kJwt), auth.token,
        [this, service, auth, apiKey, keepKey, done, id](const SecretResult &w) {
            if (!w.ok()) {
                done({{Error::Keychain, QStringLiteral("cannot store the session: %1").arg(w.message)}, {}});
                return;
            }
            if (keepKey) {
                m_secrets->write(
                    SecretStore::keyFor(id, kApiKey), apiKey,
                    [this, service, auth, apiKey, done, id](const SecretResult &k) {
                        if (!k.ok()) {
                            m_secrets->remove(SecretStore::keyFor(id, kJwt), [](const SecretResult &) {});
                            done(
                                {{Error::Keychain, QStringLiteral("cannot store the API key: %1").arg(k.message)}, {}});
                            return;
                        }
                        install(service, auth, apiKey, true, done);
                    });
            } else {
                // A key kept by an earlier sign-in must not outlive this one.
                m_secrets->remove(SecretStore::keyFor(id, kApiKey), [this, service, auth, done](const SecretResult &) {
                    install(service, auth, {}, false, done);
                });
            }
        });
}

void SessionManager::install(const api::ServiceSettings &service, const api::AuthResult &auth, const QByteArray &apiKey,
                             bool keepKey, SignInCallback done)
{
    const QString id = auth.account.id;
    Entry *e = entry(id);
    if (!e) {
        e = new Entry;
        m_entries.insert(id, e);
    }
    e->generation = m_nextGeneration++;
    e->session.service = service;
    e->session.account = auth.account;
    e->session.keepsApiKey = keepKey;
    e->session.token = auth.token;
    const auto claims = JwtClaims::decode(auth.token);
    e->session.expiresAt = claims ? claims->expiresAt : auth.expiresAt;
    e->session.lifetime = claims ? claims->lifetimeSeconds() : 0;
    e->apiKey = apiKey;
    e->loaded = true;
    e->forceRefresh = false;
    if (m_defaultAccount.isEmpty())
        m_defaultAccount = id;
    QString saveError;
    const bool saved = saveAccount(*e, &saveError);
    schedule(*e);
    qCInfo(lcAuth) << "signed in" << id << (keepKey ? "(API key kept)" : "");
    emit accountsChanged();
    emit sessionChanged(id);
    if (e->busy)
        finish(id, {{Error::None, {}}, e->session.token});
    SignInReply reply;
    reply.account = auth.account;
    if (!saved) {
        reply.error = Error::Keychain;
        reply.message = saveError;
    }
    done(reply);
}

// ---- tokens ----

void SessionManager::tokenFor(const QString &accountId, TokenCallback done)
{
    Entry *e = entry(accountId);
    if (!e) {
        later([done, accountId] {
            done({{Error::NotSignedIn, QStringLiteral("not signed in (no account %1)").arg(accountId)}, {}});
        });
        return;
    }
    e->waiters.append(std::move(done));
    if (e->busy)
        return; // the load/exchange in flight answers everyone
    e->busy = true;
    later([this, accountId] { acquire(accountId); });
}

void SessionManager::acquire(const QString &accountId)
{
    Entry *e = entry(accountId);
    if (!e)
        return;
    if (e->loaded) {
        decide(accountId);
        return;
    }
    if (!m_secrets) {
        finish(accountId, {{Error::Keychain, QStringLiteral("no secret store")}, {}});
        return;
    }
    const quint64 gen = e->generation;
    m_secrets->read(SecretStore::keyFor(accountId, kJwt), [this, accountId, gen](const SecretResult &r) {
        Entry *e = entry(accountId);
        if (!e || e->generation != gen)
            return;
        if (!r.ok() && r.status != SecretStatus::NotFound) {
            finish(accountId, {{Error::Keychain, r.message}, {}});
            return;
        }
        e->session.token = r.ok() ? r.data : QByteArray();
        if (const auto claims = JwtClaims::decode(e->session.token)) {
            e->session.expiresAt = claims->expiresAt;
            e->session.lifetime = claims->lifetimeSeconds();
        }
        if (!e->session.keepsApiKey) {
            e->loaded = true;
            decide(accountId);
            return;
        }
        m_secrets->read(SecretStore::keyFor(accountId, kApiKey), [this, accountId, gen](const SecretResult &k) {
            Entry *e = entry(accountId);
            if (!e || e->generation != gen)
                return;
            if (!k.ok() && k.status != SecretStatus::NotFound) {
                finish(accountId, {{Error::Keychain, k.message}, {}});
                return;
            }
            e->apiKey = k.ok() ? k.data : QByteArray();
            e->loaded = true;
            decide(accountId);
        });
    });
}

void SessionManager::decide(const QString &accountId)
{
    Entry *e = entry(accountId);
    const Session::State state = e->session.state(nowSecs());
    if (!e->forceRefresh && state == Session::State::Active) {
        if (!e->timer || !e->timer->isActive())
            schedule(*e); // e.g. loaded from the keychain, or a refresh timer that fired a moment early
        finish(accountId, {{Error::None, {}}, e->session.token});
    } else if (!e->apiKey.isEmpty()) {
        exchange(accountId);
    } else if (!e->forceRefresh && state == Session::State::Expiring) {
        finish(accountId, {{Error::None, {}}, e->session.token});
    } else if (e->session.token.isEmpty() && !e->forceRefresh && e->session.expiresAt == 0) {
        finish(accountId, {{Error::NotSignedIn,
                            QStringLiteral("not signed in as %1: run `heyo login`").arg(e->session.account.email)},
                           {}});
    } else {
        expire(accountId, QStringLiteral("the session of %1 has expired: sign in again (`heyo login`)")
                              .arg(e->session.account.email));
    }
}

void SessionManager::exchange(const QString &accountId)
{
    Entry *e = entry(accountId);
    const quint64 gen = e->generation;
    ++m_exchangeCount;
    qCInfo(lcAuth) << "refreshing the token of" << accountId << "with the kept API key";
    api(accountId)->exchange(e->apiKey, [this, accountId, gen](const api::ApiResult<api::AuthResult> &r) {
        Entry *e = entry(accountId);
        if (!e || e->generation != gen)
            return;
        if (r.ok() && r.value->account.id != accountId) {
            expire(accountId, QStringLiteral("the kept API key belongs to another account: sign in again"));
            return;
        }
        if (r.ok()) {
            e->session.token = r.value->token;
            const auto claims = JwtClaims::decode(r.value->token);
            e->session.expiresAt = claims ? claims->expiresAt : r.value->expiresAt;
            e->session.lifetime = claims ? claims->lifetimeSeconds() : 0;
            e->forceRefresh = false;
            saveAccount(*e, nullptr);
            schedule(*e);
            emit sessionChanged(accountId);
            // Answer once the keychain has the new token, so a short-lived process (the CLI) never exits with the
            // old one still stored.
            m_secrets->write(
                SecretStore::keyFor(accountId, kJwt), r.value->token, [this, accountId, gen](const SecretResult &w) {
                    Entry *e = entry(accountId);
                    if (!e || e->generation != gen)
                        return;
                    if (!w.ok())
                        qCWarning(lcAuth) << "refreshed token of" << accountId << "kept in memory only:" << w.message;
                    finish(accountId, {{Error::None, {}}, e->session.token});
                });
            return;
        }
        if (r.error.kind == api::ApiError::Http && (r.error.httpStatus == 401 || r.error.httpStatus == 403)) {
            expire(accountId, QStringLiteral("the kept API key of %1 was refused (revoked?): %2; sign in again")
                                  .arg(e->session.account.email, r.error.message));
            return;
        }
        // Service unreachable: a token that has not expired yet is still worth handing out.
        if (!e->forceRefresh && e->session.state(nowSecs()) == Session::State::Expiring) {
            finish(accountId, {{Error::None, {}}, e->session.token});
            return;
        }
        finish(accountId,
               {{errorFromApi(r.error), QStringLiteral("cannot refresh the session: %1").arg(r.error.message)}, {}});
    });
}

void SessionManager::expire(const QString &accountId, const QString &message)
{
    Entry *e = entry(accountId);
    qCInfo(lcAuth) << "session expired:" << accountId;
    const bool hadToken = !e->session.token.isEmpty();
    e->session.token.clear();
    e->session.expiresAt = qMin<qint64>(e->session.expiresAt, nowSecs());
    if (e->session.expiresAt <= 0)
        e->session.expiresAt = 1; // "there was a session", distinct from never signed in
    e->forceRefresh = false;
    e->timer.reset();
    saveAccount(*e, nullptr);
    if (hadToken && m_secrets) // a token known to be dead has no business in the keychain
        m_secrets->remove(SecretStore::keyFor(accountId, kJwt), [](const SecretResult &) {});
    finish(accountId, {{Error::Expired, message}, {}});
    emit sessionChanged(accountId);
    emit sessionExpired(accountId, message);
}

void SessionManager::finish(const QString &accountId, const TokenReply &reply)
{
    Entry *e = entry(accountId);
    if (!e)
        return;
    const QList<TokenCallback> waiters = std::exchange(e->waiters, {});
    e->busy = false;
    for (const TokenCallback &cb : waiters)
        cb(reply);
}

void SessionManager::tokenRejected(const QString &accountId, const QByteArray &token)
{
    Entry *e = entry(accountId);
    if (!e || (e->loaded && !token.isEmpty() && e->session.token != token))
        return; // a newer token is already in place
    e->forceRefresh = true;
}

void SessionManager::schedule(Entry &e)
{
    e.timer.reset();
    if (e.session.expiresAt <= 0 || e.session.token.isEmpty())
        return;
    const QString id = e.session.account.id;
    const qint64 at = e.session.keepsApiKey ? e.session.expiresAt - e.session.refreshMargin() : e.session.expiresAt;
    // Milliseconds, and a little after the boundary: a timer that fires early would find the token still "active".
    const qint64 delayMs =
        std::clamp<qint64>(at * 1000 - QDateTime::currentMSecsSinceEpoch() + 100, 0, qint64(24) * 3600 * 1000);
    e.timer = std::make_unique<QTimer>();
    e.timer->setSingleShot(true);
    connect(e.timer.get(), &QTimer::timeout, this, [this, id] {
        Entry *e = entry(id);
        if (!e)
            return;
        if (e->session.keepsApiKey) {
            // Reschedules itself: decide() finishes through exchange() or, if still early, schedules again.
            tokenFor(id, [](const TokenReply &) {});
        } else if (e->session.state(nowSecs()) == Session::State::Expired) {
            emit sessionChanged(id);
            emit sessionExpired(
                id, QStringLiteral("the session of %1 has expired: sign in again").arg(e->session.account.email));
        } else {
            schedule(*e);
        }
    });
    e.timer->start(static_cast<int>(delayMs));
}

// ---- sign-out ----

void SessionManager::signOut(const QString &accountId, DoneCallback done)
{
    if (!entry(accountId)) {
        later([done, accountId] { done({Error::NotSignedIn, QStringLiteral("not signed in as %1").arg(accountId)}); });
        return;
    }
    if (!m_secrets) {
        later([done] { done({Error::Keychain, QStringLiteral("no secret store")}); });
        return;
    }
    const auto failed = [done](const SecretResult &r) {
        done({Error::Keychain, QStringLiteral("cannot remove the secrets: %1").arg(r.message)});
    };
    m_secrets->remove(SecretStore::keyFor(accountId, kJwt), [this, accountId, done, failed](const SecretResult &r1) {
        if (!r1.ok() && r1.status != SecretStatus::NotFound)
            return failed(r1);
        m_secrets->remove(SecretStore::keyFor(accountId, kApiKey), [this, accountId, done,
                                                                    failed](const SecretResult &r2) {
            if (!r2.ok() && r2.status != SecretStatus::NotFound)
                return failed(r2);
            // A delete that "succeeds" proves nothing (qtkeychain on a locked keyring): read back.
            m_secrets->read(SecretStore::keyFor(accountId, kJwt), [this, accountId, done](const SecretResult &check) {
                if (check.ok()) {
                    done({Error::Keychain, QStringLiteral("the keychain still holds the token after deleting it")});
                    return;
                }
                Entry *e = m_entries.take(accountId);
                if (e) {
                    const QList<TokenCallback> waiters = std::exchange(e->waiters, {});
                    delete e;
                    for (const TokenCallback &cb : waiters)
                        cb({{Error::NotSignedIn, QStringLiteral("signed out")}, {}});
                }
                if (m_defaultAccount == accountId)
                    m_defaultAccount = m_entries.isEmpty() ? QString() : accountIds().first();
                if (m_settings) {
                    m_settings->beginGroup(kAccountsGroup);
                    m_settings->remove(accountId);
                    m_settings->endGroup();
                    if (m_defaultAccount.isEmpty())
                        m_settings->remove(kDefaultKey);
                    else
                        m_settings->setValue(kDefaultKey, m_defaultAccount);
                    m_settings->sync();
                }
                qCInfo(lcAuth) << "signed out" << accountId;
                emit signedOut(accountId);
                emit accountsChanged();
                done({});
            });
        });
    });
}

} // namespace heyo::auth
