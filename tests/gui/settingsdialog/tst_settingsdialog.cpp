// Settings against the demo heyo-edge: "start at login" writes and removes the XDG autostart entry; a port used twice
// or held by another program is refused with the reason inline; a chosen port and "forward at start" are saved and a
// new run of the app forwards that endpoint on that port as soon as its account's list arrives.
#include "AppFixture.h"

#include "Autostart.h"
#include "SettingsDialog.h"

#include "core/forward/Forwarder.h"
#include "core/forward/PortAssignments.h"

#include <QCheckBox>
#include <QFile>
#include <QTcpServer>

using namespace heyo;

class TestSettingsDialog : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_config.isValid());
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_config.path())); // the autostart entry lands here
    }

    void autostartEntryWrittenAndRemoved()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        ui::SettingsDialog *d = f.app->showSettings();
        QVERIFY(QTest::qWaitForWindowExposed(d));
        const QString entry = m_config.filePath(QStringLiteral("autostart/heyo-access.desktop"));
        QCOMPARE(ui::Autostart::entryPath(), entry);
        QVERIFY(!QFile::exists(entry));
        QVERIFY(!d->startAtLoginBox()->isChecked());

        d->startAtLoginBox()->setChecked(true);
        QVERIFY2(d->apply(&error), qPrintable(error));
        QVERIFY(QFile::exists(entry));
        QFile file(entry);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.startsWith("[Desktop Entry]\n"));
        QVERIFY(text.contains("\nType=Application\n"));
        QVERIFY(text.contains("\nExec=" + QFile::encodeName(QCoreApplication::applicationFilePath()) + "\n"));
        QVERIFY(f.app->settings().startAtLogin);
        QVERIFY(ui::AppSettings::load(*f.settings).startAtLogin);

        d->startAtLoginBox()->setChecked(false);
        QVERIFY2(d->apply(&error), qPrintable(error));
        QVERIFY(!QFile::exists(entry));
        QVERIFY(!ui::AppSettings::load(*f.settings).startAtLogin);
    }

    void portsCheckedAndForwardAtStartApplied()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        QVERIFY2(!f.signInAdaAndList(&error).isEmpty(), qPrintable(error));
        ui::SettingsDialog *d = f.app->showSettings();
        QVERIFY(QTest::qWaitForWindowExposed(d));

        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        QTcpServer probe, probe2; // two ports free now, for demo-web and demo-files
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0) && probe2.listen(QHostAddress::LocalHost, 0));
        const quint16 chosen = probe.serverPort();
        const quint16 other = probe2.serverPort();
        probe.close();
        probe2.close();

        // The same port for two endpoints: refused, nothing recorded.
        QVERIFY(d->setEndpointRow(QStringLiteral("demo-web"), true, chosen));
        QVERIFY(d->setEndpointRow(QStringLiteral("demo-files"), false, chosen));
        QVERIFY(!d->apply(&error));
        QVERIFY2(d->errorText().contains(QStringLiteral("used twice")), qPrintable(d->errorText()));
        QCOMPARE(f.app->ports()->portFor(QStringLiteral("demo-web")), quint16(0));

        // A port another program holds: refused, with the port named.
        QVERIFY(d->setEndpointRow(QStringLiteral("demo-files"), false, squatter.serverPort()));
        QVERIFY(!d->apply(&error));
        QVERIFY2(d->errorText().contains(QStringLiteral("in use")), qPrintable(d->errorText()));
        QVERIFY(d->errorText().contains(QString::number(squatter.serverPort())));

        // Then a port of its own for demo-files too: accepted and saved.
        QVERIFY(d->setEndpointRow(QStringLiteral("demo-files"), false, other));
        QVERIFY2(d->apply(&error), qPrintable(error));
        QCOMPARE(d->errorText(), QString());
        QCOMPARE(f.app->ports()->portFor(QStringLiteral("demo-files")), other);
        QCOMPARE(f.app->ports()->portFor(QStringLiteral("demo-web")), chosen);
        QCOMPARE(ui::AppSettings::load(*f.settings).forwardAtStart, QStringList{QStringLiteral("demo-web")});
        d->close();

        // Next run (same settings and keychain): demo-web is forwarded on its port once Ada's list arrives.
        f.app.reset();
        ui::AppController::Options o;
        o.settings = f.settings.get();
        o.secrets = f.secrets.get();
        o.refreshMs = 500;
        o.statsMs = 100;
        ui::AppController again(o);
        again.start();
        QTRY_VERIFY_WITH_TIMEOUT(again.forwarder()->isForwarding(QStringLiteral("demo-web")), 20000);
        QCOMPARE(again.forwarder()->portOf(QStringLiteral("demo-web")), chosen);
        QCOMPARE(test::AppFixture::curl(QUrl(QStringLiteral("http://demo-web.localhost:%1/").arg(chosen))), 200);
        QVERIFY(!again.forwarder()->isForwarding(QStringLiteral("demo-files")));
    }

private:
    QTemporaryDir m_config;
};

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
