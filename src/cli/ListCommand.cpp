// `heyo list`: one table per device (text) or a flat array with stable field names (json).
#include "cli/ListCommand.h"

#include "cli/CliContext.h"
#include "console/Terminal.h"

#include "core/forward/PortAssignments.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace heyo::cli {

void ListCommand::addOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("format"), QStringLiteral("Output format: text (default) or json."),
                 QStringLiteral("FORMAT"), QStringLiteral("text")});
    p.setApplicationDescription(QStringLiteral(
        "List the endpoints of every signed-in account (or of --account only), grouped by device.\n"
        "text: one table per device with slug, access (private/public), status, URL and the local port that\n"
        "`heyo forward` uses for it (once assigned).\n"
        "json: {\"endpoints\": [{\"slug\", \"url\", \"private\", \"status\", \"device\": {\"id\", \"name\"}, "
        "\"sandbox\",\n"
        "\"account\": {\"id\", \"email\"}, \"upstream_port\", \"local_port\"}]}. upstream_port is the port the\n"
        "endpoint's app listens on, on its own device; local_port is the 127.0.0.1 port `heyo forward` uses for it\n"
        "here (null when none is assigned yet).\n"
        "An account that cannot be listed is named on stderr and the exit code is 1 (3 when it must sign in again)."));
}

namespace {
QString urlText(const QUrl &url)
{
    QString s = url.toString();
    return s.endsWith(QLatin1Char('/')) ? s.chopped(1) : s;
}
} // namespace

QString ListCommand::toText(const api::EndpointDirectory::Listing &result,
                            const std::function<quint16(const QString &)> &localPort)
{
    // Groups in first-seen order: an account's devices in the order the service lists them.
    QList<QPair<QString, QList<const api::OwnedEndpoint *>>> groups;
    for (const api::OwnedEndpoint &e : result.endpoints) {
        const QString key = e.account.id + QLatin1Char('/') + e.endpoint.deviceId;
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto &g) { return g.first == key; });
        if (it == groups.end()) {
            groups.append({key, {}});
            it = std::prev(groups.end());
        }
        it->second.append(&e);
    }
    QString out;
    for (const auto &group : groups) {
        const api::OwnedEndpoint &first = *group.second.first();
        const QString device =
            first.endpoint.deviceName.isEmpty() ? first.endpoint.deviceId : first.endpoint.deviceName;
        if (!out.isEmpty())
            out += QLatin1Char('\n');
        out += QStringLiteral("%1 (%2) — %3\n").arg(device, first.endpoint.deviceId, first.account.email);
        const QStringList header{QStringLiteral("SLUG"), QStringLiteral("ACCESS"), QStringLiteral("STATUS"),
                                 QStringLiteral("URL"), QStringLiteral("LOCAL")};
        QList<QStringList> rows{header};
        for (const api::OwnedEndpoint *e : group.second) {
            const quint16 port = localPort(e->endpoint.slug);
            rows.append({e->endpoint.slug, e->endpoint.isPrivate ? QStringLiteral("private") : QStringLiteral("public"),
                         e->endpoint.status.isEmpty() ? QStringLiteral("-") : e->endpoint.status,
                         urlText(e->endpoint.url),
                         port ? QStringLiteral("http://127.0.0.1:%1").arg(port) : QStringLiteral("-")});
        }
        QList<qsizetype> widths(header.size(), 0);
        for (const QStringList &row : rows)
            for (qsizetype i = 0; i < row.size(); ++i)
                widths[i] = std::max(widths[i], row[i].size());
        for (const QStringList &row : rows) {
            QString line = QStringLiteral("  ");
            for (qsizetype i = 0; i < row.size(); ++i)
                line += i + 1 < row.size() ? row[i].leftJustified(widths[i] + 2) : row[i];
            out += line + QLatin1Char('\n');
        }
    }
    return out;
}

QByteArray ListCommand::toJson(const api::EndpointDirectory::Listing &result,
                               const std::function<quint16(const QString &)> &localPort)
{
    QJsonArray list;
    for (const api::OwnedEndpoint &e : result.endpoints) {
        const quint16 port = localPort(e.endpoint.slug);
        list.append(QJsonObject{
            {QStringLiteral("slug"), e.endpoint.slug},
            {QStringLiteral("url"), urlText(e.endpoint.url)},
            // Two ports, named apart: the app's on its device, and ours on this machine (DECISIONS.md).
            {QStringLiteral("upstream_port"), e.endpoint.port},
            {QStringLiteral("private"), e.endpoint.isPrivate},
            {QStringLiteral("status"), e.endpoint.status},
            {QStringLiteral("device"),
             QJsonObject{{QStringLiteral("id"), e.endpoint.deviceId}, {QStringLiteral("name"), e.endpoint.deviceName}}},
            {QStringLiteral("sandbox"), e.endpoint.sandbox},
            {QStringLiteral("account"),
             QJsonObject{{QStringLiteral("id"), e.account.id}, {QStringLiteral("email"), e.account.email}}},
            {QStringLiteral("local_port"), port ? QJsonValue(int(port)) : QJsonValue(QJsonValue::Null)},
        });
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("endpoints"), list}}).toJson(QJsonDocument::Indented);
}

void ListCommand::run(CliContext &ctx, const QCommandLineParser &p, const QStringList &args)
{
    if (!args.isEmpty())
        return ctx.fail(ExitUsage, QStringLiteral("list takes no arguments"));
    const QString format = p.value(QStringLiteral("format"));
    if (format != QLatin1String("text") && format != QLatin1String("json"))
        return ctx.fail(ExitUsage, QStringLiteral("--format must be text or json, not '%1'").arg(format));
    const QStringList ids = ctx.requireAccounts();
    if (ids.isEmpty())
        return;
    m_directory = std::make_unique<api::EndpointDirectory>(&ctx.sessions());
    m_directory->list(ids, [&ctx, format](const api::EndpointDirectory::Listing &r) {
        const auto ports = std::make_shared<forward::PortAssignments>(ctx.settings());
        const auto localPort = [ports](const QString &slug) { return ports->portFor(slug); };
        if (format == QLatin1String("json"))
            Terminal::out(QString::fromUtf8(toJson(r, localPort)));
        else if (!r.endpoints.isEmpty())
            Terminal::out(toText(r, localPort));
        else if (r.errors.isEmpty())
            Terminal::out(QStringLiteral("No endpoints.\n"));
        for (const QString &e : r.errors)
            Terminal::err(QStringLiteral("heyo: %1\n").arg(e));
        ctx.finish(r.errors.isEmpty() ? ExitOk : r.notSignedIn ? ExitNotSignedIn : ExitFailure);
    });
}

} // namespace heyo::cli
