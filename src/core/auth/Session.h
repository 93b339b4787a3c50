// One signed-in account: where (service), who (account), and the state of its token. The token and API key are held
// here only in memory; SessionManager keeps them in the SecretStore.
#pragma once

#include "core/api/ApiTypes.h"
#include "core/api/ServiceSettings.h"

#include <QByteArray>

namespace heyo::auth {

class Session {
public:
    enum class State { SignedOut, Active, Expiring, Expired };

    api::ServiceSettings service;
    api::AccountInfo account;
    bool keepsApiKey = false; // an API key is kept and exchanged again near expiry or on 401
    QByteArray token;         // empty until loaded from the store
    qint64 expiresAt = 0;     // unix seconds (from the JWT's exp)
    qint64 lifetime = 0;      // exp - iat of the current token, for the refresh margin

    // Refresh this many seconds before exp: a fifth of the token's lifetime, between 2 s and 5 min.
    qint64 refreshMargin() const;
    State state(qint64 nowSecs) const;
    static QString stateName(State s);
};

} // namespace heyo::auth
