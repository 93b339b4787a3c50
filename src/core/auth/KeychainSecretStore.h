// Secrets in the OS keychain through qtkeychain (Secret Service on Linux), service "heyo-access", insecure plain-text
// fallback always off. Maps qtkeychain's errors onto clear states: no backend, locked, access denied, not found.
#pragma once

#include "core/auth/SecretStore.h"

namespace QKeychain {
class Job;
}

namespace heyo::auth {

class KeychainSecretStore : public SecretStore {
    Q_OBJECT
public:
    explicit KeychainSecretStore(QObject *parent = nullptr, const QString &service = QStringLiteral("heyo-access"));

    void read(const QString &key, Callback done) override;
    void write(const QString &key, const QByteArray &secret, Callback done) override;
    void remove(const QString &key, Callback done) override;
    bool isPersistent() const override { return true; }

    QString service() const { return m_service; }

    // Exposed for tests: how a finished qtkeychain job maps onto our states.
    static SecretResult classify(int keychainError, const QString &errorString, bool isWrite);

private:
    void run(QKeychain::Job *job, Callback done, bool isWrite);
    QString m_service;
};

} // namespace heyo::auth
