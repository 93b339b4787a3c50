// Adds an endpoint for an account: checks the target's shape, finds or makes the device, stores it.
#include "edge/admin/EndpointAddCommand.h"

#include "edge/Store.h"

#include <QUrl>

#include <ctime>
#include <iostream>

namespace heyo::edge {

QString EndpointAddCommand::usage() const
{
    return QStringLiteral(
        "  endpoint add     --data DIR --account E --slug S --target http://127.0.0.1:PORT --device NAME\n"
        "                   [--sandbox NAME] [--public] [--h2]\n");
}

QString EndpointAddCommand::description() const
{
    return "Adds an endpoint <slug>.<domain> in front of an app.";
}

QStringList EndpointAddCommand::requiredOptions() const
{
    return {"data", "account", "slug", "target", "device"};
}

void EndpointAddCommand::addOptions(QCommandLineParser &parser)
{
    parser.addOption({"account", "The owner's email.", "E"});
    parser.addOption({"slug", "The endpoint's name: a DNS label.", "S"});
    parser.addOption({"target", "Where the app listens: http://127.0.0.1:PORT.", "URL"});
    parser.addOption({"device", "The device the app runs on.", "NAME"});
    parser.addOption({"sandbox", "The sandbox the app runs in.", "NAME"});
    parser.addOption({"public", "Anyone may reach it (default: private to the account)."});
    parser.addOption({"h2", "The app speaks HTTP/2 in plain text (h2c, e.g. gRPC); the edge talks HTTP/2 to it."});
}

int EndpointAddCommand::check(const QCommandLineParser &parser)
{
    const QUrl target(parser.value("target"), QUrl::StrictMode);
    if (!target.isValid() || target.scheme() != "http" || target.host().isEmpty() || target.port() <= 0 ||
        (!target.path().isEmpty() && target.path() != "/"))
        return fail("--target must look like http://127.0.0.1:PORT", Usage);
    return Ok;
}

int EndpointAddCommand::runWithStore(Store &store, const QCommandLineParser &parser)
{
    const QUrl target(parser.value("target"), QUrl::StrictMode); // its shape was checked before
    auto account = accountOption(store, parser);
    if (!account)
        return Failure;
    Endpoint e;
    e.slug = value(parser, "slug");
    e.accountId = account->id;
    e.device = store.deviceFor(account->id, value(parser, "device"));
    e.sandbox = value(parser, "sandbox");
    e.target = "http://" + target.host().toStdString() + ":" + std::to_string(target.port());
    e.port = target.port();
    e.isPrivate = !parser.isSet("public");
    e.http2 = parser.isSet("h2");
    e.createdAt = std::time(nullptr);
    std::string error;
    if (!store.addEndpoint(e, &error))
        return fail(QString::fromStdString(error));
    std::cout << "added " << (e.isPrivate ? "private" : "public") << " endpoint " << e.slug << " → " << e.target
              << (e.http2 ? " (HTTP/2)" : "") << "\n";
    return Ok;
}

} // namespace heyo::edge
