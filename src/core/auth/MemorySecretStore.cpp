// In-memory secret store; answers asynchronously like the keychain so callers cannot rely on synchronous replies.
#include "core/auth/MemorySecretStore.h"

#include <QMetaObject>

namespace heyo::auth {

void MemorySecretStore::deliver(Callback done, SecretResult result)
{
    QMetaObject::invokeMethod(
        this, [done = std::move(done), result = std::move(result)] { done(result); }, Qt::QueuedConnection);
}

void MemorySecretStore::read(const QString &key, Callback done)
{
    const auto it = m_secrets.constFind(key);
    if (it == m_secrets.constEnd())
        deliver(std::move(done), {SecretStatus::NotFound, QStringLiteral("no entry for %1").arg(key), {}});
    else
        deliver(std::move(done), {SecretStatus::Ok, {}, *it});
}

void MemorySecretStore::write(const QString &key, const QByteArray &secret, Callback done)
{
    m_secrets.insert(key, secret);
    deliver(std::move(done), {});
}

void MemorySecretStore::remove(const QString &key, Callback done)
{
    m_secrets.remove(key);
    deliver(std::move(done), {});
}

} // namespace heyo::auth
