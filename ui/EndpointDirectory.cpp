// Periodic, ETag-conditional endpoint lists per account.
#include "EndpointDirectory.h"

#include "UiLogging.h"

#include "core/api/ApiClient.h"
#include "core/auth/SessionManager.h"

namespace heyo::ui {

EndpointDirectory::EndpointDirectory(auth::SessionManager *sessions, QObject *parent)
    : QObject(parent), m_sessions(sessions)
{
    m_timer.setInterval(15000);
    connect(&m_timer, &QTimer::timeout, this, &EndpointDirectory::refreshAll);
    connect(sessions, &auth::SessionManager::accountsChanged, this, &EndpointDirectory::syncAccounts);
    connect(sessions, &auth::SessionManager::sessionChanged, this, [this](const QString &id) {
        // A new token (sign-in again after expiry): the list may have been stale.
        if (m_sessions && m_sessions->accountIds().contains(id) && !m_accounts.value(id).loaded)
            refresh(id);
    });
}

void EndpointDirectory::setIntervalMs(int ms)
{
    m_timer.setInterval(ms);
}

void EndpointDirectory::start()
{
    m_timer.start();
    syncAccounts();
    refreshAll();
}

void EndpointDirectory::syncAccounts()
{
    if (!m_sessions)
        return;
    const QStringList ids = m_sessions->accountIds();
    for (const QString &id : m_accounts.keys()) {
        if (!ids.contains(id)) {
            m_accounts.remove(id);
            emit accountRemoved(id);
        }
    }
    for (const QString &id : ids) {
        if (!m_accounts.contains(id)) {
            m_accounts.insert(id, State{});
            refresh(id);
        }
    }
}

void EndpointDirectory::refreshAll()
{
    if (!m_sessions)
        return;
    for (const QString &id : m_sessions->accountIds())
        refresh(id);
}

void EndpointDirectory::refresh(const QString &accountId)
{
    State &s = m_accounts[accountId];
    if (s.inFlight)
        return;
    s.inFlight = true;
    fetch(accountId, false);
}

void EndpointDirectory::fetch(const QString &accountId, bool retried)
{
    QPointer<EndpointDirectory> self(this);
    m_sessions->tokenFor(accountId, [self, accountId, retried](const auth::SessionManager::TokenReply &t) {
        if (!self || !self->m_sessions || !self->m_accounts.contains(accountId))
            return;
        if (!t.ok()) {
            self->m_accounts[accountId].inFlight = false;
            emit self->tokenUnavailable(accountId, t.message);
            return;
        }
        api::ApiClient *api = self->m_sessions->api(accountId);
        if (!api) {
            self->m_accounts[accountId].inFlight = false;
            return;
        }
        const QByteArray token = t.token;
        const QByteArray etag = self->m_accounts.value(accountId).etag;
        api->endpoints(token, etag, [self, accountId, retried, token](const api::ApiResult<api::EndpointsPage> &r) {
            if (!self || !self->m_sessions || !self->m_accounts.contains(accountId))
                return;
            if (r.error.isUnauthorized() && !retried) {
                self->m_sessions->tokenRejected(accountId, token);
                self->fetch(accountId, true);
                return;
            }
            State &s = self->m_accounts[accountId];
            s.inFlight = false;
            if (!r.ok()) {
                qCInfo(lcUi) << "endpoint list of" << accountId << "failed:" << r.error.message;
                emit self->refreshFailed(accountId, r.error);
                return;
            }
            if (r.value->notModified) {
                ++self->m_notModified;
                emit self->refreshed(accountId);
                return;
            }
            s.etag = r.value->etag;
            s.endpoints = r.value->endpoints;
            s.loaded = true;
            const auto session = self->m_sessions->session(accountId);
            emit self->endpointsChanged(accountId, session ? session->account.email : QString(), s.endpoints);
            emit self->refreshed(accountId);
        });
    });
}

} // namespace heyo::ui
