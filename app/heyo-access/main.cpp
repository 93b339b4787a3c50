// heyo-access: the tray app's entry point. Parses the command line, hands over to a running instance when there is one,
// and otherwise builds the AppController (heyo_ui) with the OS keychain and the shared settings.
#include "AppController.h"
#include "SingleInstance.h"
#include "Translations.h"
#include "UiLogging.h"

#include "core/auth/KeychainSecretStore.h"
#include "core/auth/SessionManager.h"
#include "net/FdLimit.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QSocketNotifier>
#include <QSystemTrayIcon>
#include <QTimer>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace {
int g_signalFds[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] auto n = ::write(g_signalFds[0], &c, 1);
}

// SIGTERM/SIGINT quit like the menu's Quit: forwarders stop cleanly, settings are saved.
void quitOnSignals(heyo::ui::AppController *controller)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalFds) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalFds[1], QSocketNotifier::Read, controller);
    QObject::connect(notifier, &QSocketNotifier::activated, controller, [controller] {
        char c;
        [[maybe_unused]] auto n = ::read(g_signalFds[1], &c, 1);
        controller->quit();
    });
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
}

// Milliseconds since the kernel started this process (covers dynamic loading before main()).
qint64 msSinceProcessStart()
{
    QFile stat(QStringLiteral("/proc/self/stat"));
    QFile uptime(QStringLiteral("/proc/uptime"));
    if (!stat.open(QIODevice::ReadOnly) || !uptime.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray s = stat.readAll();
    const QList<QByteArray> fields = s.mid(s.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 20)
        return -1;
    const double startTicks = fields.at(19).toDouble(); // field 22 of stat
    const double up = uptime.readAll().split(' ').value(0).toDouble();
    return qint64((up - startTicks / double(::sysconf(_SC_CLK_TCK))) * 1000.0);
}
} // namespace

int main(int argc, char *argv[])
{
    heyo::net::raiseFdLimit(); // the common soft limit of 1,024 is too low for a proxy (DECISIONS.md)
    QElapsedTimer sinceMain;
    sinceMain.start();
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts); // before QApplication: the WebEngine plugins need it
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("heyo-access"));
    QApplication::setApplicationDisplayName(QStringLiteral("Heyo Access"));
    QApplication::setApplicationVersion(QStringLiteral(HEYO_VERSION));
    QApplication::setOrganizationName(QStringLiteral("heyo"));
    QApplication::setDesktopFileName(QStringLiteral("heyo-access"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/heyo-access.svg")));

    heyo::ui::Translations::install();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Heyo Access: reach your private Heyo endpoints from curl, git and your "
                                        "browser. Lives in the system tray."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption open(QStringLiteral("open"),
                                  QApplication::translate("main", "Open endpoint SLUG in the browser (forwarding it "
                                                                  "first), in the running instance if there is one."),
                                  QStringLiteral("SLUG"));
    const QCommandLineOption service(QStringLiteral("service"),
                                     QApplication::translate("main", "The service to sign in to (saved as the default)."),
                                     QStringLiteral("URL"));
    const QCommandLineOption caFile(QStringLiteral("ca-file"),
                                    QApplication::translate("main", "Trust this CA certificate (PEM) for the service."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption forward(
        QStringLiteral("forward"),
        QApplication::translate("main", "Forward endpoint SLUG on a local port (PORT, or its usual one) once it is "
                                        "listed, in the running instance if there is one. Repeatable."),
        QStringLiteral("SLUG[:PORT]"));
    const QCommandLineOption noTray(QStringLiteral("no-tray"),
                                    QApplication::translate("main", "Do not use the system tray: show the window."));
    parser.addOptions({open, forward, service, caFile, noTray});
    parser.process(app);

    QStringList request;
    if (parser.isSet(open))
        request << QStringLiteral("--open") << parser.value(open);
    for (const QString &spec : parser.values(forward))
        request << QStringLiteral("--forward") << spec;
    std::unique_ptr<QSettings> settings = heyo::auth::SessionManager::openDefaultSettings();
    heyo::ui::SingleInstance instance(heyo::ui::SingleInstance::nameFor(settings->fileName()));
    QString instanceError;
    if (instance.handOver(request, 3000, &instanceError))
        return 0; // the running instance has it
    if (!instanceError.isEmpty())
        qCWarning(heyo::lcUi) << "single-instance socket:" << instanceError;

    heyo::auth::KeychainSecretStore secrets;
    heyo::ui::AppController::Options options;
    options.settings = settings.get();
    options.secrets = &secrets;
    if (parser.isSet(service))
        options.service = QUrl::fromUserInput(parser.value(service));
    if (parser.isSet(caFile))
        options.caFile = QFileInfo(parser.value(caFile)).absoluteFilePath();
    options.useTray = !parser.isSet(noTray) && QSystemTrayIcon::isSystemTrayAvailable();
    options.program = QApplication::applicationFilePath();

    heyo::ui::AppController controller(options);
    QApplication::setQuitOnLastWindowClosed(false);
    if (!options.useTray) // the window is the app: closing it quits
        QObject::connect(&app, &QApplication::lastWindowClosed, &controller, &heyo::ui::AppController::quit);
    QObject::connect(&instance, &heyo::ui::SingleInstance::requested, &controller,
                     &heyo::ui::AppController::handleRequest);
    quitOnSignals(&controller);
    controller.start();
    if (!request.isEmpty())
        controller.handleRequest(request);

    if (qEnvironmentVariableIsSet("HEYO_ACCESS_STARTUP_REPORT")) {
        // For bench/startup: printed once the event loop has run, i.e. the tray answers clicks.
        QTimer::singleShot(0, &controller, [&sinceMain, useTray = options.useTray] {
            fprintf(stderr, "heyo-access: usable after %lld ms from main(), %lld ms from process start (%s)\n",
                    static_cast<long long>(sinceMain.elapsed()), static_cast<long long>(msSinceProcessStart()),
                    useTray ? "tray" : "window");
            fflush(stderr);
        });
    }
    return app.exec();
}
