// `heyo forward`: resolve slugs against every signed-in account, pick stable ports, run the core Forwarder, and stop
// cleanly on SIGINT/SIGTERM/SIGHUP (listeners closed, in-flight requests finish, new ones get 503).
#include "cli/ForwardCommand.h"

#include "cli/CliContext.h"
#include "console/SignalWatcher.h"
#include "console/Terminal.h"

#include "core/Redact.h"
#include "core/forward/AccountTokens.h"
#include "core/forward/AllowedOrigins.h"
#include "core/forward/Forwarder.h"
#include "core/forward/PortAssignments.h"

#include <QSet>
#include <QTimer>

#include <csignal>
#include <unistd.h>

namespace heyo::cli {

namespace {
constexpr auto kGrace = std::chrono::seconds(5);
constexpr qint64 kNoticeInterval = 5000; // the same notice at most every 5 s

QString urlText(const QUrl &url)
{
    QString s = url.toString();
    return s.endsWith(QLatin1Char('/')) ? s.chopped(1) : s;
}

} // namespace

ForwardCommand::ForwardCommand() = default;
ForwardCommand::~ForwardCommand() = default;

void ForwardCommand::addOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("all"), QStringLiteral("Forward every endpoint of the signed-in accounts.")});
    p.addOption({QStringLiteral("router"),
                 QStringLiteral("Also listen on PORT for http://<slug>.localhost:PORT/ (7000 is the usual one; 0 picks "
                                "a free port)."),
                 QStringLiteral("PORT")});
    p.addOption({QStringLiteral("allow-origin"),
                 QStringLiteral("Let browser pages at ORIGIN (e.g. https://app.example) use the endpoints named; "
                                "kept for next time (repeatable)."),
                 QStringLiteral("ORIGIN")});
    p.addOption({QStringLiteral("disallow-origin"),
                 QStringLiteral("Remove ORIGIN from the endpoints' allowed origins (repeatable)."),
                 QStringLiteral("ORIGIN")});
    p.setApplicationDescription(QStringLiteral(
        "Forward private endpoints to loopback ports: any unmodified tool (curl, git, a browser) reaches\n"
        "http://127.0.0.1:PORT/ and the forwarder attaches the token of the account that owns the endpoint.\n\n"
        "  SLUG        an endpoint of any signed-in account (`heyo list`); its port is the one it had last time,\n"
        "              else the first free one from 7001-7999, and is kept for next time\n"
        "  SLUG:PORT   a port of your choice (also kept for next time)\n"
        "  --all       every endpoint of every signed-in account\n"
        "  --router P  one more port that routes by name: http://<slug>.localhost:P/ gives each endpoint its own\n"
        "              browser origin (its own cookies)\n"
        "  --allow-origin O\n"
        "              let browser pages at origin O (scheme://host[:port], e.g. http://localhost:5173) use the\n"
        "              endpoints named: their fetch, form and WebSocket requests pass, CORS preflights are answered.\n"
        "              Kept per endpoint like its port, shared with Heyo Access (Settings → Endpoints → Allowed\n"
        "              origins) and listed at each start; --disallow-origin O removes it. Only for pages you\n"
        "              trust: they act with your token. `null` and wildcards cannot be allowed.\n\n"
        "A port in use is an error naming the process that holds it (exit 1); it is never silently moved.\n"
        "Prints one `Forwarding http://127.0.0.1:PORT → URL` line per endpoint on stdout, then runs until Ctrl-C\n"
        "(SIGINT), SIGTERM or SIGHUP (the terminal closed): listeners close, requests in flight finish (up to\n"
        "5 s), new ones get 503; exit 0. Problems while running (another account's endpoint, sign-in needed,\n"
        "upstream errors) are one-line notices on stderr."));
}

void ForwardCommand::run(CliContext &ctx, const QCommandLineParser &p, const QStringList &args)
{
    m_all = p.isSet(QStringLiteral("all"));
    if (m_all == !args.isEmpty())
        return ctx.fail(ExitUsage, m_all ? QStringLiteral("give either --all or endpoint slugs, not both")
                                         : QStringLiteral("which endpoints? give SLUG[:PORT]... or --all"));
    if (p.isSet(QStringLiteral("router"))) {
        bool ok = false;
        const uint port = p.value(QStringLiteral("router")).toUInt(&ok);
        if (!ok || port > 65535)
            return ctx.fail(ExitUsage, QStringLiteral("--router needs a port number"));
        m_router = quint16(port);
    }
    for (const auto &[option, list] : {std::pair{QStringLiteral("allow-origin"), &m_allowOrigins},
                                       std::pair{QStringLiteral("disallow-origin"), &m_disallowOrigins}}) {
        for (const QString &value : p.values(option)) {
            QString error;
            const QString origin = forward::AllowedOrigins::normalise(value, &error);
            if (origin.isEmpty())
                return ctx.fail(ExitUsage, QStringLiteral("--%1: %2").arg(option, error));
            list->append(origin);
        }
        if (m_all && !list->isEmpty())
            return ctx.fail(ExitUsage, QStringLiteral("--%1 applies to the endpoints named: give their slugs, not "
                                                      "--all")
                                           .arg(option));
    }
    QSet<QString> seen;
    for (const QString &a : args) {
        Request r;
        r.slug = a.section(QLatin1Char(':'), 0, 0).toLower();
        if (a.contains(QLatin1Char(':'))) {
            bool ok = false;
            const uint port = a.section(QLatin1Char(':'), 1).toUInt(&ok);
            if (!ok || port == 0 || port > 65535)
                return ctx.fail(ExitUsage, QStringLiteral("'%1': the port must be a number from 1 to 65535").arg(a));
            r.port = quint16(port);
        }
        if (r.slug.isEmpty())
            return ctx.fail(ExitUsage, QStringLiteral("'%1': no endpoint slug").arg(a));
        if (seen.contains(r.slug))
            return ctx.fail(ExitUsage, QStringLiteral("'%1' is given twice").arg(r.slug));
        seen.insert(r.slug);
        m_requests.append(r);
    }
    // From now on Ctrl-C stops cleanly, also while the endpoint list is being fetched. SIGHUP too: a closed terminal
    // or SSH session must drain the forwarder like Ctrl-C, not cut requests off.
    m_signals = std::make_unique<SignalWatcher>(QList<int>{SIGINT, SIGTERM, SIGHUP});
    QObject::connect(m_signals.get(), &SignalWatcher::received, m_signals.get(),
                     [this, &ctx](int sig) { onSignal(ctx, sig); });
    const QStringList ids = ctx.requireAccounts();
    if (ids.isEmpty())
        return;
    m_directory = std::make_unique<api::EndpointDirectory>(&ctx.sessions());
    m_directory->list(ids, [this, &ctx](const api::EndpointDirectory::Listing &r) {
        if (!m_stopping)
            start(ctx, r);
    });
}

void ForwardCommand::start(CliContext &ctx, const api::EndpointDirectory::Listing &listing)
{
    for (const QString &e : listing.errors)
        Terminal::err(QStringLiteral("heyo: %1\n").arg(e));
    // Which endpoints, owned by whom.
    QList<QPair<Request, const api::OwnedEndpoint *>> chosen;
    if (m_all) {
        for (const api::OwnedEndpoint &e : listing.endpoints)
            chosen.append({Request{e.endpoint.slug, 0}, &e});
        if (chosen.isEmpty())
            return ctx.fail(listing.notSignedIn ? ExitNotSignedIn : ExitFailure,
                            QStringLiteral("no endpoints to forward"));
    } else {
        for (const Request &r : std::as_const(m_requests)) {
            const api::OwnedEndpoint *e = listing.find(r.slug);
            if (!e) {
                const QStringList known = listing.slugs();
                return ctx.fail(ExitFailure, QStringLiteral("unknown endpoint '%1'; known endpoints: %2")
                                                 .arg(r.slug, known.isEmpty() ? QStringLiteral("(none)")
                                                                              : known.join(QStringLiteral(", "))));
            }
            chosen.append({r, e});
        }
    }
    // One extra CA for the forwarder: --ca-file, else the one the accounts' service was signed in with.
    QString caFile = ctx.options().caFile;
    for (const auto &[r, e] : std::as_const(chosen)) {
        m_emailOf.insert(e->account.id, e->account.email);
        if (caFile.isEmpty())
            if (const auto s = ctx.sessions().session(e->account.id))
                caFile = s->service.caFile;
    }

    m_ports = std::make_unique<forward::PortAssignments>(ctx.settings());
    m_tokens = std::make_unique<forward::AccountTokens>(&ctx.sessions());
    forward::Forwarder::Options options;
    options.extraCaFile = caFile;
    options.threads = 2;
    m_forwarder = std::make_unique<forward::Forwarder>(m_tokens.get(), options);
    wireNotices(ctx);
    forward::AllowedOrigins origins(ctx.settings());

    QStringList lines;
    for (const auto &[r, e] : std::as_const(chosen)) {
        const QString slug = e->endpoint.slug;
        QString error;
        quint16 port = r.port;
        if (port) {
            if (!m_ports->setPort(slug, port, &error))
                return ctx.fail(ExitFailure, QStringLiteral("%1: %2").arg(slug, error));
        } else {
            port = m_ports->assign(slug);
            if (!port)
                return ctx.fail(ExitFailure, QStringLiteral("%1: no free port left in %2-%3")
                                                 .arg(slug)
                                                 .arg(forward::PortAssignments::kFirstPort)
                                                 .arg(forward::PortAssignments::kLastPort));
        }
        forward::ForwardSpec spec;
        spec.slug = slug;
        spec.accountId = e->account.id;
        spec.accountName = e->account.email;
        spec.endpointUrl = e->endpoint.url;
        spec.port = port;
        for (const QString &o : std::as_const(m_allowOrigins))
            if (!origins.allow(e->account.id, slug, o, &error))
                return ctx.fail(ExitFailure, QStringLiteral("%1: %2").arg(slug, error));
        for (const QString &o : std::as_const(m_disallowOrigins))
            if (!origins.disallow(e->account.id, slug, o, &error))
                return ctx.fail(ExitFailure, QStringLiteral("%1: %2").arg(slug, error));
        spec.allowedOrigins = origins.of(e->account.id, slug);
        if (!m_forwarder->forward(spec, &error)) {
            m_forwarder->stopAll(std::chrono::milliseconds(0));
            return ctx.fail(ExitFailure, QStringLiteral("%1: %2").arg(slug, error));
        }
        lines << QStringLiteral("Forwarding http://127.0.0.1:%1 → %2\n")
                     .arg(m_forwarder->portOf(slug))
                     .arg(urlText(e->endpoint.url));
        if (!spec.allowedOrigins.isEmpty())
            lines << QStringLiteral("  allowed origins: %1 (--disallow-origin ORIGIN removes one)\n")
                         .arg(spec.allowedOrigins.join(QStringLiteral(", ")));
    }
    if (m_router) {
        QString error;
        if (!m_forwarder->startRouter(*m_router, &error)) {
            m_forwarder->stopAll(std::chrono::milliseconds(0));
            return ctx.fail(ExitFailure, QStringLiteral("router: %1").arg(error));
        }
        if (*m_router != 0)
            m_ports->setRouterPort(*m_router);
        const quint16 rp = m_forwarder->routerPort();
        for (const auto &[r, e] : std::as_const(chosen))
            lines << QStringLiteral("Forwarding http://%1.localhost:%2 → %3\n")
                         .arg(e->endpoint.slug)
                         .arg(rp)
                         .arg(urlText(e->endpoint.url));
    }
    Terminal::out(lines.join(QString()));
    Terminal::err(QStringLiteral("Press Ctrl-C to stop.\n"));
}

void ForwardCommand::wireNotices(CliContext &ctx)
{
    m_clock.start();
    using forward::Forwarder;
    QObject::connect(m_forwarder.get(), &Forwarder::wrongAccount, m_forwarder.get(),
                     [this](const QString &slug, const QString &message) {
                         notice(QStringLiteral("wrong:") + slug,
                                QStringLiteral("%1: the endpoint belongs to another account (%2)").arg(slug, message));
                     });
    QObject::connect(m_forwarder.get(), &Forwarder::signInNeeded, m_forwarder.get(),
                     [this](const QString &accountId, const QString &message) {
                         const QString who = m_emailOf.value(accountId, accountId);
                         notice(QStringLiteral("signin:") + accountId,
                                QStringLiteral("%1 must sign in again (%2): run `heyo login`").arg(who, message));
                     });
    QObject::connect(m_forwarder.get(), &Forwarder::upstreamError, m_forwarder.get(),
                     [this](const QString &slug, const QString &message) {
                         notice(QStringLiteral("upstream:") + slug + message,
                                QStringLiteral("%1: %2").arg(slug, message));
                     });
    Q_UNUSED(ctx);
}

void ForwardCommand::notice(const QString &key, const QString &line)
{
    const qint64 now = m_clock.elapsed();
    const auto it = m_lastNotice.constFind(key);
    if (it != m_lastNotice.cend() && now - *it < kNoticeInterval)
        return;
    m_lastNotice.insert(key, now);
    // Messages come from the engine and the service; masked anyway so a token can never reach the terminal.
    Terminal::err(QStringLiteral("heyo: %1\n").arg(redact(line).simplified()));
}

void ForwardCommand::onSignal(CliContext &ctx, int signalNumber)
{
    if (m_stopping) {
        // A second Ctrl-C: stop waiting for requests in flight. Not a second SIGHUP: a closing terminal sends one
        // from the kernel and one from the shell.
        if (signalNumber != SIGHUP)
            ::_exit(128 + signalNumber);
        return;
    }
    m_stopping = true;
    if (!m_forwarder)
        return ctx.finish(ExitOk);
    Terminal::err(QStringLiteral("Stopping: requests in flight may finish (up to %1 s; Ctrl-C again to quit now).\n")
                      .arg(std::chrono::duration_cast<std::chrono::seconds>(kGrace).count()));
    m_forwarder->stopAll(kGrace);
    m_clock.restart();
    drain(ctx);
}

void ForwardCommand::drain(CliContext &ctx)
{
    // The listeners are closed; wait until the requests in flight are done, then exit (which tears the engine down).
    // Polled rather than Forwarder::shutdown()'s blocking wait: the Qt loop must keep turning meanwhile, for the
    // token refreshes those requests may need and for a second Ctrl-C.
    if (m_forwarder->requestsInFlight() == 0 || m_clock.elapsed() >= qint64(kGrace.count()) * 1000)
        return ctx.finish(ExitOk);
    QTimer::singleShot(50, m_signals.get(), [this, &ctx] { drain(ctx); });
}

} // namespace heyo::cli
