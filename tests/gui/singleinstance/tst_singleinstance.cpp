// One heyo-access per user: in-process, a second SingleInstance hands its request to the first; with the real binary
// (fresh HOME), a second launch with --open exits 0 at once while the first keeps running, and SIGTERM makes the first
// quit cleanly (exit 0).
#include "SingleInstance.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <csignal>

using namespace heyo;

class TestSingleInstance : public QObject {
    Q_OBJECT
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
        QTRY_VERIFY(client.canReadLine());
        QCOMPARE(client.readLine(), QByteArray("ok\n"));
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
        noBus.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=") + home.filePath("no-bus"));
        noBus.insert(QStringLiteral("XDG_CURRENT_DESKTOP"), QStringLiteral("KDE"));
        noBus.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("heyo.ui.info=true"));
        QProcess locked;
        locked.setProcessEnvironment(noBus);
        locked.setProcessChannelMode(QProcess::MergedChannels);
        locked.start(QStringLiteral(HEYO_ACCESS_BINARY), QStringList{});
        QByteArray lockedOut;
        QTRY_VERIFY2_WITH_TIMEOUT((lockedOut += locked.readAll()).contains("\"Keychain unavailable\""), lockedOut.constData(), 20000);
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
        QVERIFY(helpText.contains("--open <SLUG>") && helpText.contains("--service <URL>")
                && helpText.contains("--ca-file <FILE>"));
    }
};

QTEST_MAIN(TestSingleInstance)
#include "tst_singleinstance.moc"
