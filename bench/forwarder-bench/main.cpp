// The forwarder as bench/run.sh measures it: signs in to a real heyo-edge (secrets kept in memory), then forwards one
// endpoint URL through heyo::forward::Forwarder on a loopback port with N engine threads until SIGTERM/SIGINT.
// The password (or, with --token-stdin, a token) is read from stdin: secrets never go into argv or the environment.
#include "core/api/ServiceSettings.h"
#include "core/auth/MemorySecretStore.h"
#include "core/auth/SessionManager.h"
#include "core/forward/AccountTokens.h"
#include "core/forward/Forwarder.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <pthread.h>
#include <string>
#include <thread>

using namespace heyo;

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "heyo-forwarder-bench: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    // Block the stop signals before any thread exists, so every thread inherits the mask and one waiter gets them.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Forwards ENDPOINT_URL on 127.0.0.1:PORT through the Heyo forwarder, for bench/run.sh.\n"
                       "Reads the account's password (or a token, with --token-stdin) from stdin."));
    parser.addHelpOption();
    parser.addOptions({
        {"service", "heyo-edge API base URL.", "url", "https://localhost:8443"},
        {"ca-file", "Extra CA (PEM) for the service and the endpoint.", "file"},
        {"email", "Account to sign in with (password on stdin).", "email"},
        {"token-stdin", "Read a token (JWT) from stdin instead of a password."},
        {"port", "Local port (0 = any free one; printed).", "port", "0"},
        {"threads", "Engine threads.", "n", "1"},
        {"any-user", "Accept connections from other local users too (skips the per-connection uid lookup)."},
    });
    parser.addPositionalArgument("endpoint-url", "https://<slug>.<domain>[:port] to forward to.");
    parser.process(app);
    if (parser.positionalArguments().size() != 1)
        return fail(QStringLiteral("exactly one endpoint URL expected (see --help)"));
    const QUrl endpoint(parser.positionalArguments().constFirst());
    bool okPort = false, okThreads = false;
    const uint port = parser.value("port").toUInt(&okPort);
    const int threads = parser.value("threads").toInt(&okThreads);
    if (!okPort || port > 65535 || !okThreads || threads < 1)
        return fail(QStringLiteral("bad --port or --threads"));
    const bool tokenMode = parser.isSet("token-stdin");
    if (!tokenMode && !parser.isSet("email"))
        return fail(QStringLiteral("--email (with the password on stdin) or --token-stdin is required"));

    std::string secret;
    std::getline(std::cin, secret);
    if (secret.empty())
        return fail(tokenMode ? QStringLiteral("no token on stdin") : QStringLiteral("no password on stdin"));

    api::ServiceSettings service;
    service.baseUrl = QUrl(parser.value("service"));
    service.caFile = parser.value("ca-file");
    if (const QString why = service.validate(); !why.isEmpty())
        return fail(why);

    QNetworkAccessManager nam;
    auth::MemorySecretStore secrets;
    auth::SessionManager sessions(&secrets, &nam, nullptr);
    forward::AccountTokens tokens(&sessions);
    forward::Forwarder::Options options;
    options.extraCaFile = service.caFile;
    options.threads = threads;
    options.onlyCurrentUser = !parser.isSet("any-user");
    std::unique_ptr<forward::Forwarder> forwarder;
    int exitCode = 0;

    auto signedIn = [&](const auth::SessionManager::SignInReply &reply) {
        if (!reply.ok()) {
            exitCode = fail(QStringLiteral("sign-in failed: %1").arg(reply.message));
            return app.exit(exitCode);
        }
        forwarder = std::make_unique<forward::Forwarder>(&tokens, options);
        forward::ForwardSpec spec;
        spec.slug = endpoint.host().section('.', 0, 0);
        spec.accountId = reply.account.id;
        spec.endpointUrl = endpoint;
        spec.port = static_cast<quint16>(port);
        QString error;
        if (!forwarder->forward(spec, &error)) {
            exitCode = fail(error);
            return app.exit(exitCode);
        }
        // One line the script waits for; the token itself is never printed.
        std::printf("forwarding http://127.0.0.1:%u -> %s (%d threads)\n", forwarder->portOf(spec.slug),
                    qPrintable(endpoint.toString()), threads);
        std::fflush(stdout);
    };
    if (tokenMode)
        sessions.signInWithToken(service, QByteArray::fromStdString(secret), signedIn);
    else
        sessions.signInWithPassword(service, parser.value("email"), QString::fromStdString(secret), signedIn);
    std::fill(secret.begin(), secret.end(), '\0');

    std::thread waiter([&] {
        int sig = 0;
        sigwait(&stopSignals, &sig);
        QMetaObject::invokeMethod(
            &app, [&] { app.exit(exitCode); }, Qt::QueuedConnection);
    });
    waiter.detach();
    const int rc = app.exec();
    if (forwarder) {
        for (const forward::ForwardStats &s : forwarder->stats())
            std::fprintf(stderr, "heyo-forwarder-bench: %s: %llu requests, %llu bytes in, %llu bytes out%s%s\n",
                         qPrintable(s.slug), static_cast<unsigned long long>(s.requests),
                         static_cast<unsigned long long>(s.bytesIn), static_cast<unsigned long long>(s.bytesOut),
                         s.lastError.isEmpty() ? "" : ", last error: ", qPrintable(s.lastError));
        forwarder.reset();
    }
    return rc;
}
