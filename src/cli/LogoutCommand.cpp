// `heyo logout [--account E]`: removes the account's secrets from the keychain and forgets the account.
#include "cli/LogoutCommand.h"

#include "cli/CliContext.h"
#include "cli/Terminal.h"

namespace heyo::cli
{

void LogoutCommand::addOptions(QCommandLineParser &) {}

void LogoutCommand::run(CliContext &ctx, const QCommandLineParser &, const QStringList &args)
{
    if (!args.isEmpty())
        return ctx.fail(ExitUsage, QStringLiteral("logout takes no arguments (use --account E)"));
    const QString id = ctx.requireAccount();
    if (id.isEmpty())
        return;
    const QString email = ctx.sessions().session(id)->account.email;
    ctx.sessions().signOut(id, [&ctx, email](const auth::SessionManager::Outcome &r) {
        if (!r.ok())
            return ctx.failWith(r);
        Terminal::out(QStringLiteral("Signed out %1\n").arg(email));
        ctx.finish(ExitOk);
    });
}

} // namespace heyo::cli
