// Checks the serve options, starts EdgeServer, prints where it listens, and runs the event loop until SIGINT or
// SIGTERM (SignalWatcher), then stops the server, letting requests in flight finish for up to 5 s.
#include "edge/admin/ServeCommand.h"

#include "console/SignalWatcher.h"
#include "edge/EdgeServer.h"

#include <QCoreApplication>

#include <csignal>
#include <cstdio>
#include <mutex>

namespace heyo::edge {

QString ServeCommand::usage() const
{
    return QStringLiteral("  serve    --data DIR [--listen 127.0.0.1:8443] [--domain heyo.localhost]\n");
}

QString ServeCommand::description() const
{
    return "Serves the API, the sign-in page and the edge over TLS.";
}

void ServeCommand::addOptions(QCommandLineParser &parser)
{
    parser.addOption(
        {"listen", "Address and port to listen on (port 0: any free port).", "ADDR:PORT", "127.0.0.1:8443"});
    parser.addOption({"domain", "Endpoints are <slug>.<domain>.", "DOMAIN", "heyo.localhost"});
    parser.addOption({"api-host", "The host name of the API.", "HOST", "localhost"});
    parser.addOption({"token-lifetime", "Lifetime of issued tokens in seconds.", "SECONDS", "3600"});
    parser.addOption(
        {"api-key-cache", "How long the edge may trust that an API key is still live (s).", "SECONDS", "5"});
    parser.addOption({"threads", "Engine threads.", "N", "2"});
    parser.addOption({"quiet", "No per-request log lines."});
}

int ServeCommand::readOptions(const QCommandLineParser &parser, EdgeServerOptions *options)
{
    QString listen = parser.value("listen");
    qsizetype colon = listen.lastIndexOf(':');
    bool portOk = false;
    int port = colon > 0 ? listen.mid(colon + 1).toInt(&portOk) : 0;
    if (!portOk || port < 0 || port > 65535)
        return fail("--listen must be ADDRESS:PORT, e.g. 127.0.0.1:8443", Usage);
    QString address = listen.left(colon);
    if (address.startsWith('[') && address.endsWith(']'))
        address = address.mid(1, address.size() - 2);
    bool lifetimeOk = false, cacheOk = false, threadsOk = false;
    int64_t lifetime = parser.value("token-lifetime").toLongLong(&lifetimeOk);
    int64_t keyCache = parser.value("api-key-cache").toLongLong(&cacheOk);
    int threads = parser.value("threads").toInt(&threadsOk);
    if (!lifetimeOk || lifetime < 1 || !cacheOk || keyCache < 0 || keyCache > 30 || !threadsOk || threads < 1 ||
        threads > 64)
        return fail("--token-lifetime ≥ 1, 0 ≤ --api-key-cache ≤ 30, 1 ≤ --threads ≤ 64", Usage);

    options->config.dataDir = value(parser, "data");
    options->config.domain = parser.value("domain").toLower().toStdString();
    options->config.apiHost = parser.value("api-host").toLower().toStdString();
    options->config.tokenLifetimeSeconds = lifetime;
    options->config.apiKeyCacheSeconds = keyCache;
    options->listenAddress = address.toStdString();
    options->listenPort = static_cast<uint16_t>(port);
    options->threads = threads;
    if (!parser.isSet("quiet")) {
        options->log = [](const std::string &line) {
            static std::mutex mutex;
            std::lock_guard lock(mutex);
            std::fprintf(stderr, "heyo-edge: %s\n", line.c_str());
        };
    }
    return Ok;
}

int ServeCommand::run(const QCommandLineParser &parser)
{
    EdgeServerOptions options;
    if (int code = readOptions(parser, &options); code != Ok)
        return code;

    // SIGINT/SIGTERM quit the event loop from now on, also while starting up. The watcher lives until the server
    // has stopped, so a second signal during the stop is taken (and ignored) rather than killing the process.
    SignalWatcher watcher({SIGINT, SIGTERM});
    QObject::connect(&watcher, &SignalWatcher::received, QCoreApplication::instance(), &QCoreApplication::quit,
                     Qt::QueuedConnection);
    if (int code = prepare(parser, options.config.dataDir); code != Ok)
        return code;

    std::string error;
    auto server = EdgeServer::start(options, &error);
    if (!server)
        return fail(QString::fromStdString(error));
    const EdgeConfig &config = server->config();
    std::printf("heyo-edge: listening on %s\n", config.apiUrl().c_str());
    std::printf("heyo-edge: endpoints at https://<slug>.%s%s, sign-in page %s\n", config.domain.c_str(),
                config.portSuffix().c_str(), config.loginUrl().c_str());
    std::printf("heyo-edge: CA certificate %s (point clients at it with --ca-file)\n",
                server->tlsFiles().caCert.c_str());
    introduce(*server);
    std::fflush(stdout);

    const int rc = QCoreApplication::exec();
    std::fprintf(stderr, "heyo-edge: stopping\n");
    server->stop(std::chrono::seconds(5));
    finish();
    return rc;
}

} // namespace heyo::edge
