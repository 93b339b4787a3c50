// `heyo git-credential get|store|erase`: git's credential-helper protocol (key=value lines on stdin, blank line ends).
// For a host that is an endpoint of a signed-in account, `get` answers username=heyo and password=<that account's
// token> (the edge takes Basic with password = token); for any other host it prints nothing, so git asks elsewhere.
#include "cli/GitCredentialCommand.h"

#include "cli/CliContext.h"
#include "console/Terminal.h"

#include "core/api/ApiClient.h"

#include <QFile>
#include <QHash>

#include <memory>

namespace heyo::cli {

namespace {

QHash<QString, QString> readAttributes()
{
    QHash<QString, QString> attrs;
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return attrs;
    while (true) {
        QByteArray line = in.readLine();
        if (line.isEmpty())
            break;
        line = line.trimmed();
        if (line.isEmpty())
            break;
        const int eq = line.indexOf('=');
        if (eq > 0)
            attrs.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
    return attrs;
}

// Walks the accounts one by one until one of them owns the host.
struct Search {
    CliContext *ctx;
    QString host;
    QStringList remaining;
    QStringList problems;

    static void next(const std::shared_ptr<Search> &s)
    {
        if (s->remaining.isEmpty()) {
            for (const QString &p : s->problems)
                Terminal::err(QStringLiteral("heyo: %1\n").arg(p));
            s->ctx->finish(ExitOk); // not ours: say nothing, git tries other helpers or asks
            return;
        }
        const QString id = s->remaining.takeFirst();
        auth::SessionManager &sm = s->ctx->sessions();
        sm.tokenFor(id, [s, id](const auth::SessionManager::TokenReply &t) {
            if (!t.ok()) {
                s->problems.append(t.message);
                return next(s);
            }
            s->ctx->sessions().api(id)->endpoints(
                t.token, {}, [s, token = t.token](const api::ApiResult<api::EndpointsPage> &r) {
                    if (!r.ok()) {
                        s->problems.append(r.error.message);
                        return next(s);
                    }
                    for (const api::EndpointInfo &e : r.value->endpoints) {
                        if (e.matchesHost(s->host)) {
                            Terminal::out(
                                QStringLiteral("username=heyo\npassword=%1\n\n").arg(QString::fromUtf8(token)));
                            s->ctx->finish(ExitOk);
                            return;
                        }
                    }
                    next(s);
                });
        });
    }
};

} // namespace

void GitCredentialCommand::addOptions(QCommandLineParser &) {}

void GitCredentialCommand::run(CliContext &ctx, const QCommandLineParser &, const QStringList &args)
{
    const QString op = args.value(0);
    if (args.size() != 1 ||
        (op != QLatin1String("get") && op != QLatin1String("store") && op != QLatin1String("erase")))
        return ctx.fail(ExitUsage, QStringLiteral("usage: heyo git-credential get|store|erase"));
    if (Terminal::stdinIsTerminal()) {
        // Run by hand rather than by git: say how git is meant to run it, then read as git would.
        Terminal::err(QStringLiteral(
            "heyo git-credential is a git credential helper: git runs it and writes protocol=https and host=... on\n"
            "its standard input. To use it, configure git for the endpoint, and trust the service's CA:\n"
            "  git config --global credential.https://SLUG.heyo.localhost:8443.helper '!heyo git-credential'\n"
            "  git config --global http.https://SLUG.heyo.localhost:8443.sslCAInfo DATA/tls/ca.pem\n"
            "Reading attributes from the terminal now (an empty line ends them).\n"));
    }
    const QHash<QString, QString> attrs = readAttributes();
    // The token lives in the keychain already; git has nothing to store here, and a rejected token is renewed by the
    // session (kept key) or needs `heyo login`, not an erase.
    if (op != QLatin1String("get"))
        return ctx.finish(ExitOk);
    const QString host = attrs.value(QStringLiteral("host"));
    if (attrs.value(QStringLiteral("protocol")) != QLatin1String("https") || host.isEmpty())
        return ctx.finish(ExitOk);
    auto search = std::make_shared<Search>();
    search->ctx = &ctx;
    search->host = host;
    const QString only = ctx.options().account;
    if (!only.isEmpty()) {
        const QString id = ctx.sessions().findAccount(only);
        if (!id.isEmpty())
            search->remaining = {id};
    } else {
        search->remaining = ctx.sessions().accountIds();
        // The default account first: most likely the owner.
        const QString def = ctx.sessions().defaultAccountId();
        if (search->remaining.removeOne(def))
            search->remaining.prepend(def);
    }
    Search::next(search);
}

} // namespace heyo::cli
