// The real heyo-access, started as a user starts it (tray host present, fresh HOME): once usable and idle it has
// mapped neither QtWebEngine nor a GL driver, which together were most of its 96 MiB idle RSS. Its RSS is reported.
#include <QtTest>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

class TestStartup : public QObject {
    Q_OBJECT

private slots:
    void idleTrayAppMapsNoWebEngineAndNoGlDriver()
    {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("HOME", home.path());
        env.insert("XDG_CONFIG_HOME", home.filePath(".config"));
        env.insert("XDG_DATA_HOME", home.filePath(".local/share"));
        env.insert("HEYO_ACCESS_STARTUP_REPORT", "1");
        env.remove("HEYO_CONFIG_DIR");
        QProcess app;
        app.setProcessEnvironment(env);
        app.setProcessChannelMode(QProcess::MergedChannels);
        app.start(QStringLiteral(HEYO_BINARY_DIR "/app/heyo-access/heyo-access"), {});
        QVERIFY(app.waitForStarted(10000));
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += app.readAll()).contains("usable after"), 20000);
        QTest::qWait(1500); // idle: whatever start-up deferred has run

        QFile maps(QStringLiteral("/proc/%1/maps").arg(app.processId()));
        QVERIFY(maps.open(QIODevice::ReadOnly));
        const QByteArray mapped = maps.readAll();
        QVERIFY2(!mapped.contains("libQt6WebEngineCore"), "QtWebEngine is loaded at start-up");
        // A GL context at start-up (Qt::AA_ShareOpenGLContexts) loads Mesa's driver: llvmpipe alone is 50 MiB.
        QVERIFY2(!mapped.contains("/dri/"), "a GL driver is loaded at start-up");
        QVERIFY2(!mapped.contains("libLLVM"), "LLVM (a GL driver's compiler) is loaded at start-up");

        QFile status(QStringLiteral("/proc/%1/status").arg(app.processId()));
        QVERIFY(status.open(QIODevice::ReadOnly));
        for (const QByteArray &line : status.readAll().split('\n'))
            if (line.startsWith("VmRSS"))
                qInfo().noquote() << "idle heyo-access" << line.simplified(); // measured in bench/startup
        app.terminate();
        QVERIFY(app.waitForFinished(10000));
    }
};

QTEST_GUILESS_MAIN(TestStartup)
#include "tst_startup.moc"
