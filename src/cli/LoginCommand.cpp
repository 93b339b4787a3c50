// `heyo login`: password (terminal without echo, or --password-stdin) or API key (--api-key-stdin, --keep-key).
#include "cli/LoginCommand.h"

#include "cli/CliContext.h"
#include "console/Terminal.h"

namespace heyo::cli {

void LoginCommand::addOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("email"), QStringLiteral("Account email (asked on the terminal if missing)."),
                 QStringLiteral("E")});
    p.addOption({QStringLiteral("password-stdin"), QStringLiteral("Read the password from standard input.")});
    p.addOption({QStringLiteral("api-key-stdin"), QStringLiteral("Sign in with an API key read from standard input.")});
    p.addOption({QStringLiteral("keep-key"),
                 QStringLiteral("With --api-key-stdin: keep the key in the keychain and renew the token with it.")});
    p.addOption({QStringLiteral("browser"), QStringLiteral("Browser sign-in (done by the tray app, heyo-access).")});
}

void LoginCommand::run(CliContext &ctx, const QCommandLineParser &p, const QStringList &args)
{
    if (!args.isEmpty())
        return ctx.fail(ExitUsage, QStringLiteral("login takes no arguments"));
    if (p.isSet(QStringLiteral("browser"))) {
        // The login page hands its token only to a browser cookie (HttpOnly, service domain) and redirects only to
        // same-site targets, so a loopback callback to this process cannot receive it.
        return ctx.fail(ExitFailure,
                        QStringLiteral("browser sign-in is done by the tray app: open heyo-access and choose "
                                       "\"Sign in with browser\"; here use `heyo login --email E` or --api-key-stdin"));
    }
    const bool withKey = p.isSet(QStringLiteral("api-key-stdin"));
    const bool keepKey = p.isSet(QStringLiteral("keep-key"));
    if (keepKey && !withKey)
        return ctx.fail(ExitUsage, QStringLiteral("--keep-key needs --api-key-stdin"));
    if (withKey && (p.isSet(QStringLiteral("email")) || p.isSet(QStringLiteral("password-stdin"))))
        return ctx.fail(ExitUsage, QStringLiteral("--api-key-stdin cannot be combined with --email/--password-stdin"));

    const api::ServiceSettings service = ctx.serviceForSignIn();
    if (const QString problem = service.validate(); !problem.isEmpty())
        return ctx.fail(ExitUsage, problem);

    const bool noStore = ctx.options().noStore;
    auto done = [&ctx, service, noStore](const auth::SessionManager::SignInReply &r) {
        if (!r.ok())
            return ctx.failWith(r);
        Terminal::out(QStringLiteral("Signed in as %1 (%2) at %3%4\n")
                          .arg(r.account.email, r.account.id, service.baseUrl.toString(),
                               noStore ? QStringLiteral("; --no-store: nothing was kept") : QString()));
        ctx.finish(ExitOk);
    };

    if (withKey) {
        const QByteArray key = Terminal::readStdinSecret().trimmed();
        if (key.isEmpty())
            return ctx.fail(ExitUsage, QStringLiteral("no API key on standard input"));
        return ctx.sessions().signInWithApiKey(service, key, keepKey, done);
    }

    QString email = p.value(QStringLiteral("email"));
    if (email.isEmpty()) {
        const auto typed = Terminal::readLine(QStringLiteral("Email: "));
        if (!typed || typed->isEmpty())
            return ctx.fail(ExitUsage, QStringLiteral("no email: pass --email E"));
        email = *typed;
    }
    QByteArray password;
    if (p.isSet(QStringLiteral("password-stdin"))) {
        password = Terminal::readStdinSecret();
    } else {
        const auto typed = Terminal::readSecret(QStringLiteral("Password for %1: ").arg(email));
        if (!typed)
            return ctx.fail(ExitUsage, QStringLiteral("no terminal to ask for the password: use --password-stdin"));
        password = *typed;
    }
    if (password.isEmpty())
        return ctx.fail(ExitUsage, QStringLiteral("empty password"));
    ctx.sessions().signInWithPassword(service, email, QString::fromUtf8(password), done);
}

} // namespace heyo::cli
