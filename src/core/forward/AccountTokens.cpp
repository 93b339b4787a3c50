// Token cache shared with the engine threads.
#include "core/forward/AccountTokens.h"

#include "core/auth/SessionManager.h"

namespace heyo::forward {

AccountTokens::AccountTokens(auth::SessionManager *sessions, QObject *parent) : QObject(parent), m_sessions(sessions)
{
    // A sign-out or a new sign-in replaces what we hold; the next request loads the current token.
    connect(sessions, &auth::SessionManager::sessionChanged, this, [this](const QString &id) { store(id, {}); });
    connect(sessions, &auth::SessionManager::signedOut, this, [this](const QString &id) { store(id, {}); });
}

std::string AccountTokens::cached(const QString &accountId) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_tokens.find(accountId);
    return it == m_tokens.end() ? std::string() : it->second;
}

int AccountTokens::refreshRequests() const
{
    std::lock_guard lock(m_mutex);
    return m_refreshRequests;
}

void AccountTokens::store(const QString &accountId, const std::string &token)
{
    std::lock_guard lock(m_mutex);
    if (token.empty())
        m_tokens.erase(accountId);
    else
        m_tokens[accountId] = token;
}

void AccountTokens::fetch(const QString &accountId, const std::string &rejected, Done done)
{
    QMetaObject::invokeMethod(
        this,
        [this, accountId, rejected, done = std::move(done)] {
            if (!m_sessions)
                return done({}, tr("the app is shutting down"));
            if (!rejected.empty()) {
                {
                    std::lock_guard lock(m_mutex);
                    ++m_refreshRequests;
                    auto it = m_tokens.find(accountId);
                    if (it != m_tokens.end() && it->second == rejected)
                        m_tokens.erase(it);
                }
                m_sessions->tokenRejected(accountId, QByteArray::fromStdString(rejected));
            }
            m_sessions->tokenFor(accountId, [this, accountId, done](const auth::SessionManager::TokenReply &reply) {
                if (!reply.ok())
                    return done({}, reply.message);
                std::string token = reply.token.toStdString();
                store(accountId, token);
                done(token, {});
            });
        },
        Qt::QueuedConnection);
}

} // namespace heyo::forward
