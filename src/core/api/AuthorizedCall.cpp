// Token → call → on 401 drop the token and retry once, for any control-plane request.
#include "core/api/AuthorizedCall.h"

#include "core/api/ApiTypes.h"

namespace heyo::api {

void AuthorizedCall::run(auth::SessionManager *sessions, const QString &accountId, Request request, NoToken noToken,
                         Failed failed)
{
    auto call = std::make_shared<const Call>(
        Call{sessions, accountId, std::move(request), std::move(noToken), std::move(failed)});
    attempt(call, false);
}

void AuthorizedCall::attempt(const std::shared_ptr<const Call> &call, bool retried)
{
    if (!call->sessions)
        return;
    call->sessions->tokenFor(call->accountId, [call, retried](const auth::SessionManager::TokenReply &t) {
        if (!t.ok()) {
            call->noToken(t);
            return;
        }
        const QByteArray token = t.token;
        call->request(token, [call, retried, token](const ApiError &e) {
            // Only the first 401 is retried: a fresh token that is refused too means the session is really over.
            if (e.isUnauthorized() && !retried && call->sessions) {
                call->sessions->tokenRejected(call->accountId, token);
                attempt(call, true);
                return;
            }
            call->failed(e);
        });
    });
}

} // namespace heyo::api
