// Settings against the demo heyo-edge: "start at login" writes and removes the XDG autostart entry; a port used twice
// or held by another program is refused with the reason inline; a chosen port and "forward at start" are saved and a
// new run of the app forwards that endpoint on that port as soon as its account's list arrives; each endpoint's allowed
// browser origins are listed, added (Enter or the button, validated) and removed (the button or Delete), saved on
// Apply and given to the running forward at once; the endpoint table shows whole rows however the dialog is sized.
#include "AppFixture.h"

#include "Autostart.h"
#include "SettingsDialog.h"

#include "core/forward/AllowedOrigins.h"
#include "core/forward/Forwarder.h"
#include "core/forward/PortAssignments.h"

#include <QCheckBox>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScrollBar>
#include <QTableView>
#include <QTcpServer>

using namespace heyo;

namespace {

QStringList items(const QListWidget *list)
{
    QStringList out;
    for (int i = 0; i < list->count(); ++i)
        out << list->item(i)->text();
    return out;
}

// The table shows whole rows: its viewport is a whole number of rows tall, and the rows it shows fit in it.
void verifyWholeRows(QTableView *table, int expectedRows)
{
    const int rowHeight = table->rowHeight(0);
    QVERIFY(rowHeight > 0);
    const int viewport = table->viewport()->height();
    QVERIFY2(viewport % rowHeight == 0,
             qPrintable(QStringLiteral("viewport %1 px, rows %2 px").arg(viewport).arg(rowHeight)));
    QCOMPARE(viewport / rowHeight, expectedRows);
}

} // namespace

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

    void allowedOriginsEditedSavedAndApplied()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        const QString ada = f.signInAdaAndList(&error);
        QVERIFY2(!ada.isEmpty(), qPrintable(error));
        QVERIFY2(f.app->startForwarding(QStringLiteral("demo-web"), &error), qPrintable(error));
        const quint16 port = f.app->forwarder()->portOf(QStringLiteral("demo-web"));
        const QUrl whoami(QStringLiteral("http://127.0.0.1:%1/api/whoami").arg(port));
        const QStringList fromApp{"-H", "Origin: https://app.example", "-H", "Sec-Fetch-Site: cross-site"};
        QByteArray body;
        QCOMPARE(test::AppFixture::curl(whoami, &body, fromApp), 403);
        QVERIFY2(body.contains("Settings → Endpoints → Allowed origins"), body.constData());

        ui::SettingsDialog *d = f.app->showSettings();
        QVERIFY(QTest::qWaitForWindowExposed(d));
        // Nothing selected: nothing to edit.
        QVERIFY(!d->originEdit()->isEnabled());
        QVERIFY(d->originsLabel()->text().contains("select an endpoint"));
        QVERIFY(d->selectEndpoint(QStringLiteral("demo-web")));
        QVERIFY(d->originsLabel()->text().contains("demo-web"));
        QVERIFY(d->originEdit()->isEnabled());
        QCOMPARE(d->originList()->count(), 0);

        // Enter adds (normalised), and does not press OK.
        d->originEdit()->setFocus();
        QTest::keyClicks(d->originEdit(), QStringLiteral("HTTPS://App.Example:443/"));
        QTest::keyClick(d->originEdit(), Qt::Key_Return);
        QVERIFY(d->isVisible());
        QCOMPARE(items(d->originList()), QStringList{"https://app.example"});
        QVERIFY(d->originEdit()->text().isEmpty());
        // Not an origin: refused inline, nothing added.
        QTest::keyClicks(d->originEdit(), QStringLiteral("null"));
        QTest::mouseClick(d->addOriginButton(), Qt::LeftButton);
        QVERIFY2(d->errorText().contains("null"), qPrintable(d->errorText()));
        QCOMPARE(items(d->originList()), QStringList{"https://app.example"});
        d->originEdit()->clear();
        // The button adds too; the table's column shows the list.
        QTest::keyClicks(d->originEdit(), QStringLiteral("http://localhost:5173"));
        QTest::mouseClick(d->addOriginButton(), Qt::LeftButton);
        QCOMPARE(d->errorText(), QString());
        QCOMPARE(items(d->originList()), (QStringList{"http://localhost:5173", "https://app.example"}));
        QCOMPARE(d->originsShown(QStringLiteral("demo-web")),
                 (QStringList{"http://localhost:5173", "https://app.example"}));
        const QAbstractItemModel *table = d->endpointTable()->model();
        bool shown = false;
        for (int r = 0; r < table->rowCount(); ++r)
            if (table->index(r, 0).data().toString() == QLatin1String("demo-web"))
                shown =
                    table->index(r, 3).data().toString() == QLatin1String("http://localhost:5173, https://app.example");
        QVERIFY(shown);
        // Remove one with the button.
        QVERIFY(!d->removeOriginButton()->isEnabled());
        d->originList()->item(0)->setSelected(true);
        QVERIFY(d->removeOriginButton()->isEnabled());
        QTest::mouseClick(d->removeOriginButton(), Qt::LeftButton);
        QCOMPARE(items(d->originList()), QStringList{"https://app.example"});
        // Nothing is saved, and the forward is unchanged, until Apply.
        QCOMPARE(f.app->origins()->of(ada, QStringLiteral("demo-web")), QStringList());
        QCOMPARE(test::AppFixture::curl(whoami, nullptr, fromApp), 403);
        QVERIFY2(d->apply(&error), qPrintable(error));
        QCOMPARE(forward::AllowedOrigins(f.settings.get()).of(ada, QStringLiteral("demo-web")),
                 QStringList{"https://app.example"});
        // Applied to the running forward, on the same port: no restart.
        QCOMPARE(f.app->forwarder()->portOf(QStringLiteral("demo-web")), port);
        QCOMPARE(test::AppFixture::curl(whoami, &body, fromApp + QStringList{"-D", "-"}), 200);
        QVERIFY2(body.contains("Access-Control-Allow-Origin: https://app.example\r\n"), body.constData());
        QVERIFY(body.contains("ada@demo.heyo"));

        // Another endpoint has its own (empty) list; what is typed there and cancelled is not kept.
        QVERIFY(d->selectEndpoint(QStringLiteral("demo-files")));
        QCOMPARE(d->originList()->count(), 0);
        QTest::keyClicks(d->originEdit(), QStringLiteral("https://files.example"));
        QTest::keyClick(d->originEdit(), Qt::Key_Enter);
        QCOMPARE(items(d->originList()), QStringList{"https://files.example"});
        d->reject();
        QCOMPARE(f.app->origins()->of(ada, QStringLiteral("demo-files")), QStringList());
        QTRY_VERIFY(!f.app->settingsDialog()); // closed dialogs are deleted; the next one is new

        // Opened again: the saved list is there; Delete removes it, OK saves and applies.
        d = f.app->showSettings();
        QVERIFY(QTest::qWaitForWindowExposed(d));
        QVERIFY(d->selectEndpoint(QStringLiteral("demo-web")));
        QCOMPARE(items(d->originList()), QStringList{"https://app.example"});
        d->originList()->setFocus();
        d->originList()->item(0)->setSelected(true);
        QTest::keyClick(d->originList(), Qt::Key_Delete);
        QCOMPARE(d->originList()->count(), 0);
        QVERIFY2(d->apply(&error), qPrintable(error));
        QCOMPARE(f.app->origins()->of(ada, QStringLiteral("demo-web")), QStringList());
        QCOMPARE(test::AppFixture::curl(whoami, nullptr, fromApp), 403);
        d->close();

        // A forward started later gets the saved list too.
        QVERIFY(
            f.app->origins()->allow(ada, QStringLiteral("demo-files"), QStringLiteral("https://app.example"), &error));
        QVERIFY2(f.app->startForwarding(QStringLiteral("demo-files"), &error), qPrintable(error));
        const QUrl files(QStringLiteral("http://127.0.0.1:%1/download?size=10")
                             .arg(f.app->forwarder()->portOf(QStringLiteral("demo-files"))));
        QCOMPARE(test::AppFixture::curl(files, nullptr, fromApp), 200);
    }

    void endpointTableShowsWholeRows()
    {
        // Ada's seven endpoints: all visible, no scroll bar, and the table keeps that when the dialog grows.
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        QVERIFY2(!f.signInAdaAndList(&error).isEmpty(), qPrintable(error));
        ui::SettingsDialog *d = f.app->showSettings();
        QVERIFY(QTest::qWaitForWindowExposed(d));
        QTableView *table = d->endpointTable();
        QCOMPARE(table->model()->rowCount(), 7);
        verifyWholeRows(table, 7);
        QVERIFY(!table->verticalScrollBar()->isVisible());
        QVERIFY(table->horizontalHeader()->geometry().bottom() < table->viewport()->geometry().top());
        for (int height : {d->height() + 137, d->height() + 401}) {
            d->resize(d->width(), height);
            QTRY_COMPARE(d->height(), height);
            QTest::qWait(50);
            verifyWholeRows(table, 7);
        }
        d->close();

        // Many endpoints: kMaxTableRows whole rows, then it scrolls.
        ui::EndpointModel model;
        api::EndpointList list;
        for (int i = 0; i < 20; ++i) {
            api::EndpointInfo e;
            e.slug = QStringLiteral("app-%1").arg(i, 2, 10, QLatin1Char('0'));
            e.url = QUrl(QStringLiteral("https://%1.heyo.localhost:8443").arg(e.slug));
            e.deviceId = QStringLiteral("dev_1");
            e.deviceName = QStringLiteral("laptop");
            list << e;
        }
        model.setEndpoints(QStringLiteral("acc_1"), QStringLiteral("ada@demo.heyo"), list);
        ui::SettingsDialog many(f.app->settings(), nullptr, nullptr, &model, {});
        many.show();
        QVERIFY(QTest::qWaitForWindowExposed(&many));
        QCOMPARE(many.endpointTable()->model()->rowCount(), 20);
        verifyWholeRows(many.endpointTable(), ui::SettingsDialog::kMaxTableRows);
        QVERIFY(many.endpointTable()->verticalScrollBar()->isVisible());
        // Scrolled to the end, the last row is whole at the bottom.
        many.endpointTable()->scrollToBottom();
        QTest::qWait(50);
        const QTableView *t = many.endpointTable();
        const int last = t->model()->rowCount() - 1;
        QCOMPARE(t->rowViewportPosition(last) + t->rowHeight(last), t->viewport()->height());
        // No endpoints at all: still whole (empty) rows, kMinTableRows of them.
        ui::EndpointModel none;
        ui::SettingsDialog empty(f.app->settings(), nullptr, nullptr, &none, {});
        empty.show();
        QVERIFY(QTest::qWaitForWindowExposed(&empty));
        const int rowHeight = empty.endpointTable()->verticalHeader()->defaultSectionSize();
        QCOMPARE(empty.endpointTable()->viewport()->height(), ui::SettingsDialog::kMinTableRows * rowHeight);
    }

private:
    QTemporaryDir m_config;
};

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
