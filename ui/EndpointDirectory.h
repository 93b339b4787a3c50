// Keeps every signed-in account's endpoint list current: asks the service on a timer with the last ETag (a 304 costs
// nothing and changes nothing), retries once with a fresh token after a 401, and reports what changed or failed.
#pragma once

#include "core/api/ApiTypes.h"
#include "core/api/EndpointInfo.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace heyo::auth {
class SessionManager;
}

namespace heyo::ui {

class EndpointDirectory : public QObject {
    Q_OBJECT
public:
    explicit EndpointDirectory(auth::SessionManager *sessions, QObject *parent = nullptr);

    void setIntervalMs(int ms);
    int intervalMs() const { return m_timer.interval(); }
    // Starts the timer and refreshes every account now.
    void start();
    void refreshAll();
    void refresh(const QString &accountId);

    api::EndpointList endpoints(const QString &accountId) const { return m_accounts.value(accountId).endpoints; }
    bool isLoaded(const QString &accountId) const { return m_accounts.value(accountId).loaded; }
    // Requests answered 304 so far (tests: the ETag is used).
    int notModifiedCount() const { return m_notModified; }

signals:
    void endpointsChanged(const QString &accountId, const QString &email, const api::EndpointList &endpoints);
    void accountRemoved(const QString &accountId);
    // The service could not be asked (unreachable, TLS, error status); `error` is safe to show.
    void refreshFailed(const QString &accountId, const api::ApiError &error);
    // The account's session cannot produce a token (expired, keychain): the sessions already report why.
    void tokenUnavailable(const QString &accountId, const QString &message);
    void refreshed(const QString &accountId);

private:
    struct State {
        QByteArray etag;
        api::EndpointList endpoints;
        bool loaded = false;
        bool inFlight = false;
    };
    void fetch(const QString &accountId, bool retried);
    void syncAccounts();

    QPointer<auth::SessionManager> m_sessions;
    QHash<QString, State> m_accounts;
    QTimer m_timer;
    int m_notModified = 0;
};

} // namespace heyo::ui
