// `heyo logout [--account E | --all]`: removes the account's secrets from the keychain and forgets the account.
#include "cli/LogoutCommand.h"

#include "cli/CliContext.h"
#include "console/Terminal.h"

namespace heyo::cli {

void LogoutCommand::addOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("all"), QStringLiteral("Sign out every signed-in account.")});
}

void LogoutCommand::run(CliContext &ctx, const QCommandLineParser &p, const QStringList &args)
{
    if (!args.isEmpty())
        return ctx.fail(ExitUsage, QStringLiteral("logout takes no arguments (use --account E or --all)"));
    const bool all = p.isSet(QStringLiteral("all"));
    if (all && !ctx.options().account.isEmpty())
        return ctx.fail(ExitUsage, QStringLiteral("give either --account or --all, not both"));
    const QStringList ids = all ? ctx.requireAccounts() : QStringList{ctx.requireAccount()};
    if (ids.isEmpty() || ids.first().isEmpty())
        return;
    signOutEach(ctx, ids);
}

void LogoutCommand::signOutEach(CliContext &ctx, QStringList ids)
{
    // One after the other: each sign-out reads the keychain back before it forgets the account.
    if (ids.isEmpty())
        return ctx.finish(ExitOk);
    const QString id = ids.takeFirst();
    const QString email = ctx.sessions().session(id)->account.email;
    ctx.sessions().signOut(id, [this, &ctx, email, ids](const auth::SessionManager::Outcome &r) {
        if (!r.ok())
            return ctx.failWith(r);
        Terminal::out(QStringLiteral("Signed out %1\n").arg(email));
        signOutEach(ctx, ids);
    });
}

} // namespace heyo::cli
