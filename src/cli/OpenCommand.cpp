// `heyo open`: the URL from the stable port table; the browser through xdg-open, or the URL printed.
#include "cli/OpenCommand.h"

#include "cli/CliContext.h"
#include "console/Terminal.h"

#include "core/forward/PortAssignments.h"
#include "core/forward/PortOwner.h"

#include <QProcess>
#include <QStandardPaths>

namespace heyo::cli {

void OpenCommand::addOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("print"), QStringLiteral("Only print the URL; do not start a browser.")});
    p.setApplicationDescription(QStringLiteral(
        "Open http://<slug>.localhost:<port>/ in the system browser (xdg-open), where <port> is the endpoint's\n"
        "port from `heyo forward`. The <slug>.localhost name (not 127.0.0.1) gives the endpoint its own browser\n"
        "origin, so its cookies stay its own. Without a display (no DISPLAY or WAYLAND_DISPLAY) or xdg-open, the\n"
        "URL is printed instead.\n\n"
        "The endpoint must be forwarded already: run `heyo forward SLUG` in another terminal (or use the tray\n"
        "app). `heyo open` does not start a forwarder in the background on purpose: a hidden process would keep\n"
        "spending your token after the terminal is gone, with no visible way to stop it; a forwarder you\n"
        "started yourself stops with Ctrl-C."));
}

void OpenCommand::run(CliContext &ctx, const QCommandLineParser &p, const QStringList &args)
{
    if (args.size() != 1)
        return ctx.fail(ExitUsage, QStringLiteral("open takes one endpoint slug"));
    const QString slug = args.first().toLower();
    const forward::PortAssignments ports(ctx.settings());
    const quint16 port = ports.portFor(slug);
    const QString hint =
        QStringLiteral("run `heyo forward %1` first (in another terminal), then `heyo open %1`").arg(slug);
    if (!port)
        return explainNoPort(ctx, slug, hint);
    if (forward::PortAssignments::isFree(port))
        return ctx.fail(ExitFailure,
                        QStringLiteral("nothing forwards %1 on port %2: %3").arg(slug).arg(port).arg(hint));
    const QString owner = forward::PortOwner::describe(port);
    if (!owner.isEmpty() && !owner.startsWith(QLatin1String("heyo")))
        return ctx.fail(
            ExitFailure,
            QStringLiteral("port %1 (kept for %2) is held by %3, not by a heyo forwarder").arg(port).arg(slug, owner));
    const QString url = QStringLiteral("http://%1.localhost:%2/").arg(slug).arg(port);
    const bool display = qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
    const QString opener = QStandardPaths::findExecutable(QStringLiteral("xdg-open"));
    if (p.isSet(QStringLiteral("print")) || !display || opener.isEmpty()) {
        Terminal::out(url + QLatin1Char('\n'));
        return ctx.finish(ExitOk);
    }
    if (!QProcess::startDetached(opener, {url}))
        return ctx.fail(ExitFailure, QStringLiteral("could not start xdg-open; the URL is %1").arg(url));
    Terminal::out(QStringLiteral("Opened %1\n").arg(url));
    ctx.finish(ExitOk);
}

void OpenCommand::explainNoPort(CliContext &ctx, const QString &slug, const QString &hint)
{
    // A typo and an endpoint never forwarded need different advice; only the endpoint lists can tell them apart.
    const QStringList ids = ctx.requireAccounts();
    if (ids.isEmpty())
        return;
    m_directory = std::make_unique<api::EndpointDirectory>(&ctx.sessions());
    m_directory->list(ids, [&ctx, slug, hint](const api::EndpointDirectory::Listing &r) {
        if (r.find(slug))
            return ctx.fail(ExitFailure, QStringLiteral("%1 has no local port yet: %2").arg(slug, hint));
        for (const QString &e : r.errors)
            Terminal::err(QStringLiteral("heyo: %1\n").arg(e));
        if (!r.errors.isEmpty()) // some list is missing: the endpoint may be in it
            return ctx.fail(
                r.notSignedIn ? ExitNotSignedIn : ExitFailure,
                QStringLiteral("%1 has no local port yet, and not every endpoint list could be read").arg(slug));
        const QStringList known = r.slugs();
        const QString list = known.isEmpty() ? QStringLiteral("(none)") : known.join(QStringLiteral(", "));
        ctx.fail(ExitFailure,
                 QStringLiteral("no endpoint %1 in the signed-in accounts; known endpoints: %2").arg(slug, list));
    });
}

} // namespace heyo::cli
