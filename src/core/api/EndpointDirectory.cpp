// Endpoint lists per account: one request per account at a time (later askers wait on it), ETag-conditional, with
// the token retry of AuthorizedCall; joined into one Listing for the command line.
#include "core/api/EndpointDirectory.h"

#include "core/api/ApiClient.h"
#include "core/api/AuthorizedCall.h"
#include "core/auth/SessionManager.h"

#include <memory>
#include <utility>

namespace heyo::api {

const OwnedEndpoint *EndpointDirectory::Listing::find(const QString &slug) const
{
    for (const OwnedEndpoint &e : endpoints)
        if (e.endpoint.slug.compare(slug, Qt::CaseInsensitive) == 0)
            return &e;
    return nullptr;
}

QStringList EndpointDirectory::Listing::slugs() const
{
    QStringList out;
    for (const OwnedEndpoint &e : endpoints)
        out << e.endpoint.slug;
    return out;
}

EndpointDirectory::EndpointDirectory(auth::SessionManager *sessions, QObject *parent)
    : QObject(parent), m_sessions(sessions)
{
    m_timer.setInterval(15000);
    connect(&m_timer, &QTimer::timeout, this, &EndpointDirectory::refreshAll);
}

void EndpointDirectory::list(const QStringList &accountIds, ListingDone done)
{
    struct Pending {
        QList<QList<OwnedEndpoint>> perAccount;
        QStringList errors;
        bool notSignedIn = false;
        int remaining = 0;
        ListingDone done;
    };
    auto pending = std::make_shared<Pending>();
    pending->perAccount.resize(accountIds.size());
    pending->remaining = int(accountIds.size());
    pending->done = std::move(done);
    if (accountIds.isEmpty()) {
        pending->done(Listing{});
        return;
    }
    const auto settled = [pending] {
        if (--pending->remaining > 0)
            return;
        Listing listing;
        for (const auto &endpoints : std::as_const(pending->perAccount))
            listing.endpoints += endpoints;
        listing.errors = pending->errors;
        listing.notSignedIn = pending->notSignedIn;
        pending->done(listing);
    };
    for (int i = 0; i < accountIds.size(); ++i) {
        const QString &id = accountIds.at(i);
        const auto session = m_sessions ? m_sessions->session(id) : std::nullopt;
        if (!session) {
            pending->errors << QStringLiteral("account %1 is not signed in").arg(id);
            pending->notSignedIn = true;
            settled();
            continue;
        }
        const AccountInfo account = session->account;
        request(id, [pending, i, account, settled](const Answer &a) {
            if (!a.problem.isEmpty()) {
                pending->errors << QStringLiteral("%1: %2").arg(account.email, a.problem.simplified());
                pending->notSignedIn = pending->notSignedIn || a.signInAgain;
            }
            for (const EndpointInfo &e : a.endpoints)
                pending->perAccount[i].append({account, e});
            settled();
        });
    }
}

void EndpointDirectory::followSessions()
{
    connect(m_sessions, &auth::SessionManager::accountsChanged, this, &EndpointDirectory::syncAccounts);
    connect(m_sessions, &auth::SessionManager::sessionChanged, this, [this](const QString &id) {
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
            // Lists still waiting hear that the account is gone rather than nothing.
            const QList<Waiter> waiters = m_accounts.take(id).waiters;
            emit accountRemoved(id);
            for (const Waiter &w : waiters)
                w(Answer{{}, QStringLiteral("signed out"), true});
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
    request(accountId, {});
}

void EndpointDirectory::request(const QString &accountId, Waiter waiter)
{
    State &s = m_accounts[accountId];
    if (waiter)
        s.waiters.append(std::move(waiter));
    if (s.inFlight)
        return; // the answer under way serves this asker too
    s.inFlight = true;
    fetch(accountId);
}

void EndpointDirectory::fetch(const QString &accountId)
{
    QPointer<EndpointDirectory> self(this);
    // An answer for a directory or an account that is gone is dropped, and so is its retry.
    const auto wanted = [self, accountId] { return self && self->m_sessions && self->m_accounts.contains(accountId); };
    AuthorizedCall::run(
        m_sessions, accountId,
        [self, accountId, wanted](const QByteArray &token, const AuthorizedCall::Failed &failed) {
            if (!wanted())
                return;
            ApiClient *api = self->m_sessions->api(accountId);
            if (!api) {
                for (const Waiter &w : self->settle(accountId))
                    w(Answer{{}, QStringLiteral("not signed in"), true});
                return;
            }
            const QByteArray etag = self->m_accounts.value(accountId).etag;
            api->endpoints(token, etag, [self, accountId, wanted, failed](const ApiResult<EndpointsPage> &r) {
                if (!wanted())
                    return;
                if (!r.ok())
                    return failed(r.error);
                self->accept(accountId, *r.value);
            });
        },
        [self, accountId, wanted](const auth::SessionManager::TokenReply &t) {
            if (!wanted())
                return;
            const QList<Waiter> waiters = self->settle(accountId);
            emit self->tokenUnavailable(accountId, t.message);
            const bool signInAgain =
                t.error == auth::SessionManager::Error::NotSignedIn || t.error == auth::SessionManager::Error::Expired;
            for (const Waiter &w : waiters)
                w(Answer{{}, t.message, signInAgain});
        },
        [self, accountId, wanted](const ApiError &e) {
            if (!wanted())
                return;
            const QList<Waiter> waiters = self->settle(accountId);
            emit self->refreshFailed(accountId, e);
            for (const Waiter &w : waiters)
                w(Answer{{}, e.message, e.isUnauthorized()});
        });
}

void EndpointDirectory::accept(const QString &accountId, const EndpointsPage &page)
{
    const QList<Waiter> waiters = settle(accountId);
    State &s = m_accounts[accountId];
    if (page.notModified) {
        ++m_notModified;
    } else {
        s.etag = page.etag;
        s.endpoints = page.endpoints;
        s.loaded = true;
    }
    const EndpointList endpoints = s.endpoints; // a copy: a slot may change m_accounts
    if (!page.notModified) {
        const auto session = m_sessions->session(accountId);
        emit endpointsChanged(accountId, session ? session->account.email : QString(), endpoints);
    }
    emit refreshed(accountId);
    for (const Waiter &w : waiters)
        w(Answer{endpoints, {}, false});
}

QList<EndpointDirectory::Waiter> EndpointDirectory::settle(const QString &accountId)
{
    State &s = m_accounts[accountId];
    s.inFlight = false;
    return std::exchange(s.waiters, {});
}

} // namespace heyo::api
