// Every signed-in account's endpoint list, asked of each account's service with that account's token
// (AuthorizedCall). The command line lists them once (`list`: all accounts joined, one answer); the tray app keeps
// them current (`followSessions` + `start`: a timer, the last ETag so a 304 costs nothing, accounts followed).
#pragma once

#include "core/api/ApiTypes.h"
#include "core/api/EndpointInfo.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <functional>

namespace heyo::auth {
class SessionManager;
}

namespace heyo::api {

struct EndpointsPage;

// One endpoint with the account that owns it.
struct OwnedEndpoint {
    AccountInfo account;
    EndpointInfo endpoint;
};

class EndpointDirectory : public QObject {
    Q_OBJECT
public:
    // Several accounts' endpoints joined, as `heyo list`, `heyo forward` and `heyo open` work from them.
    struct Listing {
        QList<OwnedEndpoint> endpoints; // accounts in the order asked for, endpoints in the service's
        QStringList errors;             // one line per account that could not be listed (never a secret)
        bool notSignedIn = false;       // some account needs `heyo login` again

        // The endpoint with `slug` (case-insensitive), or nullptr.
        const OwnedEndpoint *find(const QString &slug) const;
        QStringList slugs() const;
    };
    using ListingDone = std::function<void(const Listing &)>;

    explicit EndpointDirectory(auth::SessionManager *sessions, QObject *parent = nullptr);

    // Lists the endpoints of `accountIds` (all of them in parallel); `done` runs once, on this thread.
    void list(const QStringList &accountIds, ListingDone done);

    // From now on, follows the sessions: an account signed in is listed, one signed out is dropped
    // (accountRemoved), and one not listed yet is tried again when its session changes.
    void followSessions();
    void setIntervalMs(int ms);
    int intervalMs() const { return m_timer.interval(); }
    // Starts the timer and refreshes every account now.
    void start();
    void refreshAll();
    void refresh(const QString &accountId);

    EndpointList endpoints(const QString &accountId) const { return m_accounts.value(accountId).endpoints; }
    bool isLoaded(const QString &accountId) const { return m_accounts.value(accountId).loaded; }
    // Requests answered 304 so far (tests: the ETag is used).
    int notModifiedCount() const { return m_notModified; }

signals:
    void endpointsChanged(const QString &accountId, const QString &email, const EndpointList &endpoints);
    void accountRemoved(const QString &accountId);
    // The service could not be asked (unreachable, TLS, error status); `error` is safe to show.
    void refreshFailed(const QString &accountId, const ApiError &error);
    // The account's session cannot produce a token (expired, keychain): the sessions already report why.
    void tokenUnavailable(const QString &accountId, const QString &message);
    void refreshed(const QString &accountId);

private:
    // How one account's request ended, for the lists waiting on it.
    struct Answer {
        EndpointList endpoints; // the current list when `problem` is empty
        QString problem;        // one line, safe to show
        bool signInAgain = false;
    };
    using Waiter = std::function<void(const Answer &)>;
    struct State {
        QByteArray etag;
        EndpointList endpoints;
        bool loaded = false;
        bool inFlight = false;
        QList<Waiter> waiters;
    };
    void request(const QString &accountId, Waiter waiter);
    void fetch(const QString &accountId);
    void accept(const QString &accountId, const EndpointsPage &page);
    QList<Waiter> settle(const QString &accountId);
    void syncAccounts();

    QPointer<auth::SessionManager> m_sessions;
    QHash<QString, State> m_accounts;
    QTimer m_timer;
    int m_notModified = 0;
};

} // namespace heyo::api
