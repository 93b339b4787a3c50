// Parallel GET /api/endpoints for each signed-in account, joined into one list.
#include "cli/EndpointCatalog.h"

#include "core/api/ApiClient.h"
#include "core/auth/SessionManager.h"

namespace heyo::cli
{

struct EndpointCatalog::Pending {
    QStringList accountIds;
    QList<QList<OwnedEndpoint>> perAccount;
    QStringList errors;
    bool notSignedIn = false;
    int remaining = 0;
    Done done;
};

void EndpointCatalog::fetch(const QStringList &accountIds, Done done)
{
    auto pending = std::make_shared<Pending>();
    pending->accountIds = accountIds;
    pending->perAccount.resize(accountIds.size());
    pending->remaining = int(accountIds.size());
    pending->done = std::move(done);
    if (accountIds.isEmpty()) {
        pending->done(Result{});
        return;
    }
    for (int i = 0; i < accountIds.size(); ++i)
        fetchOne(pending, i, false);
}

void EndpointCatalog::fetchOne(const std::shared_ptr<Pending> &pending, int index, bool retried)
{
    const QString id = pending->accountIds.at(index);
    const auto settle = [pending]() {
        if (--pending->remaining > 0)
            return;
        Result r;
        for (const auto &list : std::as_const(pending->perAccount))
            r.endpoints += list;
        r.errors = pending->errors;
        r.notSignedIn = pending->notSignedIn;
        pending->done(r);
    };
    const auto session = m_sessions ? m_sessions->session(id) : std::nullopt;
    if (!session) {
        pending->errors << QStringLiteral("account %1 is not signed in").arg(id);
        pending->notSignedIn = true;
        return settle();
    }
    const api::AccountInfo account = session->account;
    m_sessions->tokenFor(id, [this, pending, index, retried, id, account,
                              settle](const auth::SessionManager::TokenReply &t) {
        if (!t.ok()) {
            pending->errors << QStringLiteral("%1: %2").arg(account.email, t.message.simplified());
            pending->notSignedIn = pending->notSignedIn || t.error == auth::SessionManager::Error::NotSignedIn ||
                                   t.error == auth::SessionManager::Error::Expired;
            return settle();
        }
        const QByteArray token = t.token;
        m_sessions->api(id)->endpoints(
            token, {},
            [this, pending, index, retried, id, account, token, settle](const api::ApiResult<api::EndpointsPage> &r) {
                if (r.error.isUnauthorized() && !retried && m_sessions) {
                    m_sessions->tokenRejected(id, token);
                    return fetchOne(pending, index, true);
                }
                if (!r.ok()) {
                    pending->errors << QStringLiteral("%1: %2").arg(account.email, r.error.message.simplified());
                    pending->notSignedIn = pending->notSignedIn || r.error.isUnauthorized();
                    return settle();
                }
                for (const api::EndpointInfo &e : r.value->endpoints)
                    pending->perAccount[index].append({account, e});
                settle();
            });
    });
}

const OwnedEndpoint *EndpointCatalog::find(const Result &result, const QString &slug)
{
    for (const OwnedEndpoint &e : result.endpoints)
        if (e.endpoint.slug.compare(slug, Qt::CaseInsensitive) == 0)
            return &e;
    return nullptr;
}

QStringList EndpointCatalog::slugs(const Result &result)
{
    QStringList out;
    for (const OwnedEndpoint &e : result.endpoints)
        out << e.endpoint.slug;
    return out;
}

} // namespace heyo::cli
