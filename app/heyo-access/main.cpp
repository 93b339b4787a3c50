// heyo-access: the tray app's entry point. Parses the command line, hands over to a running instance when there is one,
// and otherwise builds the AppController (heyo_ui) with the OS keychain and the shared settings.
#include "AppController.h"
#include "SingleInstance.h"
#include "Translations.h"
#include "UiLogging.h"

#include "console/SignalWatcher.h"
#include "core/auth/KeychainSecretStore.h"
#include "core/auth/SessionManager.h"
#include "net/FdLimit.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QTimer>

#include <csignal>
#include <unistd.h>

namespace {
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

// The command line. Built once to parse before any application object exists, and again for the real run once the
// translations are installed (the option texts are translated).
struct CommandLine {
    QCommandLineParser parser;
    QCommandLineOption help = parser.addHelpOption();
    QCommandLineOption version = parser.addVersionOption();
    QCommandLineOption open{QStringLiteral("open"),
                            QCoreApplication::translate("main", "Open endpoint SLUG in the browser (forwarding it "
                                                                "first), in the running instance if there is one."),
                            QStringLiteral("SLUG")};
    QCommandLineOption service{QStringLiteral("service"),
                               QCoreApplication::translate("main", "The service to sign in to (saved as the default)."),
                               QStringLiteral("URL")};
    QCommandLineOption caFile{QStringLiteral("ca-file"),
                              QCoreApplication::translate("main", "Trust this CA certificate (PEM) for the service."),
                              QStringLiteral("FILE")};
    QCommandLineOption forward{
        QStringLiteral("forward"),
        QCoreApplication::translate("main", "Forward endpoint SLUG on a local port (PORT, or its usual one) once it is "
                                            "listed, in the running instance if there is one. Repeatable."),
        QStringLiteral("SLUG[:PORT]")};
    QCommandLineOption noTray{QStringLiteral("no-tray"),
                              QCoreApplication::translate("main", "Do not use the system tray: show the window.")};

    CommandLine()
    {
        parser.setApplicationDescription(
            QCoreApplication::translate("main", "Heyo Access: reach your private Heyo endpoints from curl, git and "
                                                "your browser. Lives in the system tray."));
        parser.addOptions({open, forward, service, caFile, noTray});
    }
};

void setIdentity()
{
    QCoreApplication::setApplicationName(QStringLiteral("heyo-access"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HEYO_VERSION));
    QCoreApplication::setOrganizationName(QStringLiteral("heyo"));
}

// --help and --version are answered before QApplication exists: without a display (and no QT_QPA_PLATFORM)
// QApplication aborts, and printing them needs no display. Returns when neither was asked. A command line that does
// not parse goes on to QApplication, which takes its own options (-platform …) out first.
void answerWithoutDisplay(int argc, char *argv[])
{
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    {
        CommandLine probe;
        if (!probe.parser.parse(args) || !(probe.parser.isSet(probe.help) || probe.parser.isSet(probe.version) ||
                                           probe.parser.isSet(QStringLiteral("help-all"))))
            return;
    }
    QCoreApplication core(argc, argv);
    setIdentity();
    heyo::ui::Translations::install();
    CommandLine line;
    line.parser.process(core); // prints the help or the version, and exits
    ::exit(0);                 // not reached
}
} // namespace

int main(int argc, char *argv[])
{
    heyo::net::raiseFdLimit(); // the common soft limit of 1,024 is too low for a proxy (DECISIONS.md)
    QElapsedTimer sinceMain;
    sinceMain.start();
    answerWithoutDisplay(argc, argv);
    // No Qt::AA_ShareOpenGLContexts: it loads the GL driver at start; WebEnginePlugin shares a context when needed.
    QApplication app(argc, argv);
    setIdentity();
    QApplication::setApplicationDisplayName(QStringLiteral("Heyo Access"));
    QApplication::setDesktopFileName(QStringLiteral("heyo-access"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/heyo-access.svg")));

    heyo::ui::Translations::install();

    CommandLine commandLine;
    QCommandLineParser &parser = commandLine.parser;
    const QCommandLineOption &open = commandLine.open;
    const QCommandLineOption &service = commandLine.service;
    const QCommandLineOption &caFile = commandLine.caFile;
    const QCommandLineOption &forward = commandLine.forward;
    const QCommandLineOption &noTray = commandLine.noTray;
    parser.process(app);

    QStringList request;
    if (parser.isSet(open))
        request << QStringLiteral("--open") << parser.value(open);
    for (const QString &spec : parser.values(forward))
        request << QStringLiteral("--forward") << spec;
    std::unique_ptr<QSettings> settings = heyo::auth::SessionManager::openDefaultSettings();
    heyo::ui::SingleInstance instance(heyo::ui::SingleInstance::nameFor(settings->fileName()));
    QString instanceError;
    QString refused;
    if (instance.handOver(request, 3000, &instanceError, &refused)) {
        // The running instance carried it out, or says why not (a --forward that failed): exit with that.
        if (refused.isEmpty())
            return 0;
        fprintf(stderr, "heyo-access: %s\n", qPrintable(refused));
        return 1;
    }
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
                     [&controller, &instance](const QStringList &request, quint64 id) {
                         const auto answer = [&instance, id](const QString &error) { instance.answer(id, error); };
                         controller.handleRequest(request, answer);
                     });
    // SIGTERM/SIGINT quit like the menu's Quit: forwarders stop cleanly, settings are saved. The watcher lives as long
    // as the controller (its child), so a signal during shutdown is not fatal.
    auto *watcher = new heyo::SignalWatcher({SIGINT, SIGTERM}, &controller);
    QObject::connect(watcher, &heyo::SignalWatcher::received, &controller, &heyo::ui::AppController::quit);
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
