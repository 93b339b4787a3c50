// `heyo whoami`: the account as the service sees it (GET /api/me) and the session's state.
#include "cli/WhoamiCommand.h"

#include "cli/CliContext.h"
#include "console/Terminal.h"

#include "core/api/ApiClient.h"

#include <QDateTime>

namespace heyo::cli {

void WhoamiCommand::addOptions(QCommandLineParser &) {}

void WhoamiCommand::run(CliContext &ctx, const QCommandLineParser &, const QStringList &args)
{
    if (!args.isEmpty())
        return ctx.fail(ExitUsage, QStringLiteral("whoami takes no arguments"));
    const QString id = ctx.requireAccount();
    if (id.isEmpty())
        return;
    ctx.authorized(id, [&ctx, id](const QByteArray &token, auto failed) {
        ctx.sessions().api(id)->me(token, [&ctx, id, failed](const api::ApiResult<api::AccountInfo> &r) {
            if (!r.ok())
                return failed(r.error);
            const auth::Session s = *ctx.sessions().session(id);
            const qint64 now = QDateTime::currentSecsSinceEpoch();
            Terminal::out(QStringLiteral("%1 (%2)%3\nservice: %4\nsession: %5, expires %6%7\n")
                              .arg(r.value->email, r.value->id,
                                   r.value->name.isEmpty() ? QString() : QStringLiteral(" — ") + r.value->name,
                                   s.service.baseUrl.toString(), auth::Session::stateName(s.state(now)),
                                   QDateTime::fromSecsSinceEpoch(s.expiresAt).toString(Qt::ISODate),
                                   s.keepsApiKey ? QStringLiteral(" (renewed with a kept API key)") : QString()));
            ctx.finish(ExitOk);
        });
    });
}

} // namespace heyo::cli
