// The endpoints of every signed-in account (or of one), fetched from each account's service with that account's
// token: what `heyo list`, `heyo forward` and `heyo open` work from. A 401 drops the token and retries once.
#pragma once

#include "core/api/ApiTypes.h"
#include "core/api/EndpointInfo.h"

#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

namespace heyo::auth
{
class SessionManager;
}

namespace heyo::cli
{

struct OwnedEndpoint {
    api::AccountInfo account;
    api::EndpointInfo endpoint;
};

class EndpointCatalog
{
public:
    struct Result {
        QList<OwnedEndpoint> endpoints; // accounts in the SessionManager's order, endpoints in the service's
        QStringList errors;             // one line per account that could not be listed (never a secret)
        bool notSignedIn = false;       // some account needs `heyo login` again
    };
    using Done = std::function<void(const Result &)>;

    explicit EndpointCatalog(auth::SessionManager *sessions) : m_sessions(sessions) {}

    // Lists the endpoints of `accountIds` (all of them in parallel); `done` runs once, on this thread.
    void fetch(const QStringList &accountIds, Done done);

    // The endpoint with `slug` (case-insensitive), or nullptr.
    static const OwnedEndpoint *find(const Result &result, const QString &slug);
    static QStringList slugs(const Result &result);

private:
    struct Pending;
    void fetchOne(const std::shared_ptr<Pending> &pending, int index, bool retried);

    QPointer<auth::SessionManager> m_sessions;
};

} // namespace heyo::cli
