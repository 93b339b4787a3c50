// `heyo accounts [--default E]`: the signed-in accounts (non-secret data only), and switching the default.
#include "cli/AccountsCommand.h"

#include "cli/CliContext.h"
#include "console/Terminal.h"

#include <QDateTime>

namespace heyo::cli {

void AccountsCommand::addOptions(QCommandLineParser &p)
{
    p.addOption(
        {QStringLiteral("default"), QStringLiteral("Make account E (email or id) the default."), QStringLiteral("E")});
}

void AccountsCommand::run(CliContext &ctx, const QCommandLineParser &p, const QStringList &args)
{
    if (!args.isEmpty())
        return ctx.fail(ExitUsage, QStringLiteral("accounts takes no arguments"));
    auth::SessionManager &sm = ctx.sessions();
    if (p.isSet(QStringLiteral("default"))) {
        const QString id = sm.findAccount(p.value(QStringLiteral("default")));
        if (id.isEmpty())
            return ctx.fail(
                ExitNotSignedIn,
                QStringLiteral("not signed in as %1: run `heyo login`").arg(p.value(QStringLiteral("default"))));
        sm.setDefaultAccount(id);
        Terminal::out(QStringLiteral("Default account: %1\n").arg(sm.session(id)->account.email));
        return ctx.finish(ExitOk);
    }
    const QStringList ids = sm.accountIds();
    if (ids.isEmpty())
        return ctx.fail(ExitNotSignedIn, QStringLiteral("no account signed in: run `heyo login`"));
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (const QString &id : ids) {
        const auth::Session s = *sm.session(id);
        // Without reading the keychain the state comes from the stored expiry.
        auth::Session probe = s;
        probe.token = "x";
        Terminal::out(QStringLiteral("%1 %2  %3  %4  %5%6\n")
                          .arg(id == sm.defaultAccountId() ? QStringLiteral("*") : QStringLiteral(" "), s.account.email,
                               id, s.service.baseUrl.toString(), auth::Session::stateName(probe.state(now)),
                               s.keepsApiKey ? QStringLiteral(" (API key kept)") : QString()));
    }
    ctx.finish(ExitOk);
}

} // namespace heyo::cli
