// One heyo-access per user: in-process, a second SingleInstance hands its request to the first and gets its answer;
// with the real binary (fresh HOME), a second launch with --open exits 0 at once while the first keeps running, and
// SIGTERM makes the first quit cleanly (exit 0); a second launch with --forward exits with the running instance's
// result (0 forwarding, 1 and the reason on stderr); --help and --version need no display.
#include "EdgeProcess.h"
#include "SingleInstance.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUuid>

#include <csignal>

using namespace heyo;

class TestSingleInstance : public QObject {
    Q_OBJECT
    static QProcessEnvironment homeEnv(const QTemporaryDir &home)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral(".config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral(".local/share")));
        env.insert(QStringLiteral("HEYO_ACCESS_STARTUP_REPORT"), QStringLiteral("1"));
        return env;
    }

private slots:
    void secondHandsOverToFirst()
    {
        const QString name = QStringLiteral("heyo-access-test-") + QUuid::createUuid().toString(QUuid::Id128);
        ui::SingleInstance first(name);
        QString error;
        QVERIFY(!first.handOver({}, 1000, &error)); // nobody there: this one becomes the first
        QVERIFY2(first.isListening(), qPrintable(error));
        QSignalSpy requested(&first, &ui::SingleInstance::requested);

        // A launching process's side of the protocol, without blocking this thread (the real client blocks; the
        // binary test below runs it in a process of its own).
        QLocalSocket client;
        client.connectToServer(name);
        QVERIFY(client.waitForConnected(3000));
        client.write("[\"--open\",\"demo-web\"]\n");
        QTRY_COMPARE_WITH_TIMEOUT(requested.count(), 1, 10000);
        QCOMPARE(requested.first().at(0).toStringList(), (QStringList{"--open", "demo-web"}));
        // No answer before the request is carried out.
        QTest::qWait(200);
        QVERIFY(!client.canReadLine());
        first.answer(requested.first().at(1).value<quint64>(), {});
        QTRY_VERIFY(client.canReadLine());
        QCOMPARE(client.readLine(), QByteArray("ok\n"));

        // A request that failed: the launch hears why, on one line.
        QLocalSocket refused;
        refused.connectToServer(name);
        QVERIFY(refused.waitForConnected(3000));
        refused.write("[\"--forward\",\"nosuch\"]\n");
        QTRY_COMPARE_WITH_TIMEOUT(requested.count(), 2, 10000);
        first.answer(requested.at(1).at(1).value<quint64>(), QStringLiteral("nosuch is not an endpoint\nat all"));
        QTRY_VERIFY(refused.canReadLine());
        QCOMPARE(refused.readLine(), QByteArray("error nosuch is not an endpoint at all\n"));
    }

    void realBinaryAnswersForwardWithItsResult()
    {
        // Ada signed in (real keychain of the test session) with the heyo CLI, then heyo-access running.
        test::EdgeProcess edge({}, true);
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QTemporaryDir home;
        const QProcessEnvironment env = homeEnv(home);
        QProcess login;
        login.setProcessEnvironment(env);
        login.start(QStringLiteral(HEYO_BINARY_DIR "/app/heyo/heyo"),
                    {QStringLiteral("--service"), edge.apiUrl(), QStringLiteral("--ca-file"), edge.caFile(),
                     QStringLiteral("login"), QStringLiteral("--email"), QStringLiteral("ada@demo.heyo"),
                     QStringLiteral("--password-stdin")});
        login.write("ada-demo-password\n");
        login.closeWriteChannel();
        QVERIFY(login.waitForFinished(30000));
        QVERIFY2(login.exitCode() == 0, login.readAllStandardError().constData());

        QProcess first;
        first.setProcessEnvironment(env);
        first.setProcessChannelMode(QProcess::MergedChannels);
        first.start(QStringLiteral(HEYO_ACCESS_BINARY), QStringList{});
        QVERIFY(first.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += first.readAll()).contains("usable after"), 15000);

        const auto launch = [&](const QStringList &args) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(QStringLiteral(HEYO_ACCESS_BINARY), args);
            p.waitForFinished(60000);
            return std::make_pair(p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardError());
        };
        // Forwarded: exit 0, and the port answers as Ada.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        auto [rc, err] = launch({QStringLiteral("--forward"), QStringLiteral("demo-web:%1").arg(port)});
        QVERIFY2(rc == 0, err.constData());
        QProcess curl;
        curl.start(QStringLiteral("curl"),
                   {QStringLiteral("-sS"), QStringLiteral("http://127.0.0.1:%1/api/whoami").arg(port)});
        QVERIFY(curl.waitForFinished(30000));
        QVERIFY2(curl.readAllStandardOutput().contains("\"email\":\"ada@demo.heyo\""), "not forwarded as Ada");

        // Not an endpoint: exit 1, and why.
        std::tie(rc, err) = launch({QStringLiteral("--forward"), QStringLiteral("nosuch")});
        QCOMPARE(rc, 1);
        QVERIFY2(err.contains("heyo-access: nosuch is not an endpoint of a signed-in account"), err.constData());
        // A port another process holds: exit 1, naming it.
        QTcpServer holder;
        QVERIFY(holder.listen(QHostAddress::LocalHost));
        std::tie(rc, err) =
            launch({QStringLiteral("--forward"), QStringLiteral("demo-files:%1").arg(holder.serverPort())});
        QCOMPARE(rc, 1);
        QVERIFY2(err.contains("in use") && err.contains(QByteArray::number(QCoreApplication::applicationPid())),
                 err.constData());
        // And one of each in one launch: still 1, the failure named.
        std::tie(rc, err) = launch({QStringLiteral("--forward"), QStringLiteral("demo-events"),
                                    QStringLiteral("--forward"), QStringLiteral("nosuch2")});
        QCOMPARE(rc, 1);
        QVERIFY2(err.contains("nosuch2") && !err.contains("demo-events"), err.constData());
        QCOMPARE(first.state(), QProcess::Running);

        ::kill(pid_t(first.processId()), SIGTERM);
        QVERIFY(first.waitForFinished(15000));
        QCOMPARE(first.exitCode(), 0);
        QProcess logout;
        logout.setProcessEnvironment(env);
        logout.start(QStringLiteral(HEYO_BINARY_DIR "/app/heyo/heyo"), {QStringLiteral("logout")});
        QVERIFY(logout.waitForFinished(30000));
        QCOMPARE(logout.exitCode(), 0);
    }

    void helpAndVersionNeedNoDisplay()
    {
        // Without DISPLAY and QT_QPA_PLATFORM a QApplication aborts; --help and --version must not get that far.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
            env.remove(QString::fromLatin1(v));
        for (const QString &arg : {QStringLiteral("--help"), QStringLiteral("-h"), QStringLiteral("--version")}) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(QStringLiteral(HEYO_ACCESS_BINARY), {arg});
            QVERIFY(p.waitForFinished(15000));
            QCOMPARE(p.exitStatus(), QProcess::NormalExit);
            const QByteArray out = p.readAllStandardOutput();
            QVERIFY2(p.exitCode() == 0, (arg.toUtf8() + ": " + p.readAllStandardError()).constData());
            if (arg == QLatin1String("--version"))
                QVERIFY2(out.startsWith("heyo-access "), out.constData());
            else
                QVERIFY2(out.startsWith("Usage: ") && out.contains("--forward <SLUG[:PORT]>"), out.constData());
        }
    }

    void staleSocketIsTakenOver()
    {
        const QString name = QStringLiteral("heyo-access-test-") + QUuid::createUuid().toString(QUuid::Id128);
        {
            QLocalServer crashed; // leaves its socket file when not closed cleanly: simulate with a listening server
            QVERIFY(crashed.listen(name));
        }
        ui::SingleInstance fresh(name);
        QVERIFY(!fresh.handOver({}, 500));
        QVERIFY(fresh.isListening());
    }

    void realBinaryHandsOverAndQuitsOnSigterm()
    {
        QTemporaryDir home;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral(".config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral(".local/share")));
        env.insert(QStringLiteral("HEYO_ACCESS_STARTUP_REPORT"), QStringLiteral("1"));
        QProcess first;
        first.setProcessEnvironment(env);
        first.setProcessChannelMode(QProcess::MergedChannels);
        first.start(QStringLiteral(HEYO_ACCESS_BINARY), QStringList{});
        QVERIFY(first.waitForStarted());
        // Ready once it reports being usable.
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += first.readAll()).contains("usable after"), 15000);

        QProcess second;
        second.setProcessEnvironment(env);
        second.setProcessChannelMode(QProcess::MergedChannels);
        second.start(QStringLiteral(HEYO_ACCESS_BINARY), {QStringLiteral("--open"), QStringLiteral("demo-web")});
        QVERIFY(second.waitForFinished(15000));
        QCOMPARE(second.exitStatus(), QProcess::NormalExit);
        QCOMPARE(second.exitCode(), 0);
        QVERIFY2(!second.readAll().contains("usable after"), "the second launch must not start a second app");
        QTest::qWait(300);
        QCOMPARE(first.state(), QProcess::Running);

        ::kill(pid_t(first.processId()), SIGTERM);
        QVERIFY(first.waitForFinished(15000));
        QCOMPARE(first.exitStatus(), QProcess::NormalExit);
        QCOMPARE(first.exitCode(), 0);

        // No usable keychain (no session bus): the app runs, in the attention state, and says so; no plain-text
        // fallback file appears even on a KDE-looking desktop.
        QProcessEnvironment noBus = env;
        noBus.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                     QStringLiteral("unix:path=") + home.filePath("no-bus"));
        noBus.insert(QStringLiteral("XDG_CURRENT_DESKTOP"), QStringLiteral("KDE"));
        noBus.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("heyo.ui.info=true"));
        QProcess locked;
        locked.setProcessEnvironment(noBus);
        locked.setProcessChannelMode(QProcess::MergedChannels);
        locked.start(QStringLiteral(HEYO_ACCESS_BINARY), QStringList{});
        QByteArray lockedOut;
        QTRY_VERIFY2_WITH_TIMEOUT((lockedOut += locked.readAll()).contains("\"Keychain unavailable\""),
                                  lockedOut.constData(), 20000);
        QCOMPARE(locked.state(), QProcess::Running);
        ::kill(pid_t(locked.processId()), SIGTERM);
        QVERIFY(locked.waitForFinished(15000));
        QCOMPARE(locked.exitCode(), 0);
        QVERIFY(!QFile::exists(home.filePath(QStringLiteral(".config/heyo-access.conf"))));

        // --version and --help answer without a running app.
        QProcess version;
        version.start(QStringLiteral(HEYO_ACCESS_BINARY), {QStringLiteral("--version")});
        QVERIFY(version.waitForFinished(15000));
        QVERIFY(version.readAllStandardOutput().startsWith("heyo-access "));
        QProcess help;
        help.start(QStringLiteral(HEYO_ACCESS_BINARY), {QStringLiteral("--help")});
        QVERIFY(help.waitForFinished(15000));
        const QByteArray helpText = help.readAllStandardOutput();
        QVERIFY(helpText.contains("--open <SLUG>") && helpText.contains("--service <URL>") &&
                helpText.contains("--ca-file <FILE>"));
    }
};

QTEST_MAIN(TestSingleInstance)
#include "tst_singleinstance.moc"
