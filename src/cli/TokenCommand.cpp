// `heyo token`: prints the current JWT on stdout (that is its purpose: `curl -H "Authorization: Bearer $(heyo
// token)"`), refreshed first when a key is kept and it nears expiry. Never logged.
#include "cli/TokenCommand.h"

#include "cli/CliContext.h"
#include "console/Terminal.h"

namespace heyo::cli {

void TokenCommand::addOptions(QCommandLineParser &) {}

void TokenCommand::run(CliContext &ctx, const QCommandLineParser &, const QStringList &args)
{
    if (!args.isEmpty())
        return ctx.fail(ExitUsage, QStringLiteral("token takes no arguments"));
    const QString id = ctx.requireAccount();
    if (id.isEmpty())
        return;
    ctx.sessions().tokenFor(id, [&ctx](const auth::SessionManager::TokenReply &t) {
        if (!t.ok())
            return ctx.failWith(t);
        Terminal::out(QString::fromUtf8(t.token) + QLatin1Char('\n'));
        ctx.finish(ExitOk);
    });
}

} // namespace heyo::cli
