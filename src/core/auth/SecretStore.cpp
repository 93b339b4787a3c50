// Names of the secret store's states, for messages.
#include "core/auth/SecretStore.h"

namespace heyo::auth {

QString secretStatusName(SecretStatus status)
{
    switch (status) {
    case SecretStatus::Ok:
        return QStringLiteral("ok");
    case SecretStatus::NotFound:
        return QStringLiteral("not found");
    case SecretStatus::NoBackend:
        return QStringLiteral("no keychain");
    case SecretStatus::Locked:
        return QStringLiteral("keychain locked");
    case SecretStatus::AccessDenied:
        return QStringLiteral("keychain access denied");
    case SecretStatus::Failed:
        return QStringLiteral("keychain error");
    }
    return {};
}

} // namespace heyo::auth
