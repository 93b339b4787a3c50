// Where secrets (JWTs, API keys) live: the interface the session code uses, implemented by the OS keychain and by an
// in-memory store (--no-store, tests). Keys are "<account-id>/<purpose>", purpose "jwt" or "api-key".
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>

namespace heyo::auth {

enum class SecretStatus {
    Ok,
    NotFound,     // no such entry: "not signed in", not an error
    NoBackend,    // no keychain service reachable (no D-Bus session, no Secret Service)
    Locked,       // a keychain exists but its collection is locked or missing
    AccessDenied, // the keychain refused (wrong unlock password, user said no)
    Failed,       // anything else; see the message
};

struct SecretResult {
    SecretStatus status = SecretStatus::Ok;
    QString message; // human-readable, never contains the secret
    QByteArray data; // the secret, for reads

    bool ok() const { return status == SecretStatus::Ok; }
};

QString secretStatusName(SecretStatus status);

class SecretStore : public QObject {
    Q_OBJECT
public:
    using Callback = std::function<void(const SecretResult &)>;

    using QObject::QObject;
    ~SecretStore() override = default;

    static QString keyFor(const QString &accountId, const QString &purpose)
    {
        return accountId + QLatin1Char('/') + purpose;
    }

    // Asynchronous; the callback runs once, later, on this object's thread (never inside the call).
    virtual void read(const QString &key, Callback done) = 0;
    virtual void write(const QString &key, const QByteArray &secret, Callback done) = 0;
    virtual void remove(const QString &key, Callback done) = 0;
    // True when secrets outlive the process (a keychain), false for memory.
    virtual bool isPersistent() const = 0;
};

} // namespace heyo::auth
