// The bridge between the engine's threads and the sessions: a thread-safe cache of each account's current token,
// and a way to ask the SessionManager (on its own thread) for a fresh one. All refreshes go through
// SessionManager::tokenFor, which shares one exchange among every caller.
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace heyo::auth {
class SessionManager;
}

namespace heyo::forward {

class AccountTokens : public QObject {
    Q_OBJECT
public:
    explicit AccountTokens(auth::SessionManager *sessions, QObject *parent = nullptr);

    // Any thread. Empty when no token is loaded yet (or the account is signed out).
    std::string cached(const QString &accountId) const;

    // Any thread. `rejected`: the token the service refused (empty for a first load). `done(token, error)` runs on
    // this object's thread; an empty token means the account needs signing in again and `error` says so.
    using Done = std::function<void(const std::string &token, const QString &error)>;
    void fetch(const QString &accountId, const std::string &rejected, Done done);

    // How many refreshes were asked of the sessions after a rejection (diagnostics and tests).
    int refreshRequests() const;

private:
    void store(const QString &accountId, const std::string &token);

    QPointer<auth::SessionManager> m_sessions;
    mutable std::mutex m_mutex;
    std::map<QString, std::string> m_tokens;
    int m_refreshRequests = 0;
};

} // namespace heyo::forward
