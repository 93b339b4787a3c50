// Secrets kept in this process's memory only: `heyo --no-store` and tests. Nothing reaches disk.
#pragma once

#include "core/auth/SecretStore.h"

#include <QHash>

namespace heyo::auth {

class MemorySecretStore : public SecretStore {
    Q_OBJECT
public:
    using SecretStore::SecretStore;

    void read(const QString &key, Callback done) override;
    void write(const QString &key, const QByteArray &secret, Callback done) override;
    void remove(const QString &key, Callback done) override;
    bool isPersistent() const override { return false; }

private:
    void deliver(Callback done, SecretResult result);
    QHash<QString, QByteArray> m_secrets;
};

} // namespace heyo::auth
