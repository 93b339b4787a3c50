// qtkeychain-backed secret store. Measured quirks (TESTING.md): with no session bus every call fails with OtherError
// "Cannot autolaunch D-Bus"; a locked/missing login collection makes writes fail ("Object does not exist at path")
// and reads report EntryNotFound; deletes may report success although nothing was stored.
#include "core/auth/KeychainSecretStore.h"

#include "core/Logging.h"

#include <qt6keychain/keychain.h>

namespace heyo::auth {

KeychainSecretStore::KeychainSecretStore(QObject *parent, const QString &service)
    : SecretStore(parent), m_service(service)
{
}

SecretResult KeychainSecretStore::classify(int keychainError, const QString &errorString, bool isWrite)
{
    using namespace QKeychain;
    SecretResult r;
    switch (static_cast<Error>(keychainError)) {
    case NoError:
        return r;
    case EntryNotFound:
        r.status = SecretStatus::NotFound;
        r.message = QStringLiteral("not signed in (no secret in the keychain)");
        return r;
    case AccessDenied:
    case AccessDeniedByUser:
        r.status = SecretStatus::AccessDenied;
        r.message = QStringLiteral("the keychain denied access (%1); unlock it and try again").arg(errorString);
        return r;
    case NoBackendAvailable:
    case NotImplemented:
        r.status = SecretStatus::NoBackend;
        r.message = QStringLiteral("no keychain available (%1)").arg(errorString);
        return r;
    case CouldNotDeleteEntry:
    case OtherError:
        break;
    }
    const QString lower = errorString.toLower();
    if (lower.contains(QLatin1String("d-bus")) || lower.contains(QLatin1String("dbus")) ||
        lower.contains(QLatin1String("could not connect")) || lower.contains(QLatin1String("serviceunknown")) ||
        lower.contains(QLatin1String("secret service")) || lower.contains(QLatin1String("org.freedesktop.secrets"))) {
        r.status = SecretStatus::NoBackend;
        r.message =
            QStringLiteral("no keychain available: no Secret Service on the session D-Bus (%1)").arg(errorString);
    } else if (isWrite && (lower.contains(QLatin1String("object does not exist")) ||
                           lower.contains(QLatin1String("locked")) || lower.contains(QLatin1String("collection")))) {
        r.status = SecretStatus::Locked;
        r.message = QStringLiteral("the keychain is locked or has no default collection (%1); unlock it and try again")
                        .arg(errorString);
    } else {
        r.status = SecretStatus::Failed;
        r.message = QStringLiteral("keychain error: %1").arg(errorString);
    }
    return r;
}

void KeychainSecretStore::run(QKeychain::Job *job, Callback done, bool isWrite)
{
    // Jobs are not children of the store: deleting a job while libsecret still runs it crashes in libsecret's
    // callback. Each job deletes itself when done; the connection's context (this) drops the callback if the store
    // is gone by then.
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plain-text file, whatever the desktop
    connect(job, &QKeychain::Job::finished, this, [done = std::move(done), isWrite](QKeychain::Job *j) {
        SecretResult r = classify(j->error(), j->errorString(), isWrite);
        if (r.ok()) {
            if (auto *reader = qobject_cast<QKeychain::ReadPasswordJob *>(j))
                r.data = reader->binaryData();
        } else if (r.status != SecretStatus::NotFound) {
            // Info, not warning: the caller reports the failure to the user in its own words.
            qCInfo(lcAuth) << "keychain" << j->key() << secretStatusName(r.status) << j->errorString();
        }
        done(r);
    });
    job->start();
}

void KeychainSecretStore::read(const QString &key, Callback done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(key);
    run(job, std::move(done), false);
}

void KeychainSecretStore::write(const QString &key, const QByteArray &secret, Callback done)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(key);
    // Text, so `secret-tool lookup` and other Secret Service clients read the same bytes back.
    job->setTextData(QString::fromUtf8(secret));
    run(job, std::move(done), true);
}

void KeychainSecretStore::remove(const QString &key, Callback done)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(key);
    run(job, std::move(done), false);
}

} // namespace heyo::auth
