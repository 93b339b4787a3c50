// One control-plane request made with an account's token: the token from SessionManager, the call, and on a 401 the
// token marked rejected and the call made once more with a fresh one. What both front ends use for every API call.
#pragma once

#include "core/auth/SessionManager.h"

#include <QByteArray>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

namespace heyo::api {

struct ApiError;

class AuthorizedCall {
public:
    using Failed = std::function<void(const ApiError &error)>;
    // Sends the request with `token` and handles its success itself; on failure it hands the error to `failed`.
    // A request that no longer wants an answer (its owner went away) may drop `failed`: nothing more happens then.
    using Request = std::function<void(const QByteArray &token, const Failed &failed)>;
    // The session gave no token (not signed in, expired, keychain): nothing was sent.
    using NoToken = std::function<void(const auth::SessionManager::TokenReply &reply)>;

    // Runs `request` for `accountId`. A 401 the first time drops that token (SessionManager exchanges a kept API key
    // or reports expiry) and runs `request` again; any other error, or a second 401, goes to `failed`.
    static void run(auth::SessionManager *sessions, const QString &accountId, Request request, NoToken noToken,
                    Failed failed);

private:
    struct Call {
        QPointer<auth::SessionManager> sessions;
        QString accountId;
        Request request;
        NoToken noToken;
        Failed failed;
    };
    static void attempt(const std::shared_ptr<const Call> &call, bool retried);
};

} // namespace heyo::api
