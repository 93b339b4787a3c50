// Renders each window of the tray app in a realistic state (the demo edge's endpoints, one forwarded with traffic, an
// inline sign-in error, the copy-token confirmation, the tray menu, the built-in browser) and saves PNGs for
// docs/screenshots/.
#include "AppFixture.h"
#include "WebEngineAsRoot.h"

#include "CopyTokenAction.h"
#include "EndpointModel.h"
#include "EndpointsWindow.h"
#include "SettingsDialog.h"
#include "SignInDialog.h"
#include "TrayController.h"

#include "core/forward/Forwarder.h"

#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QTreeView>

using namespace heyo;

class TestScreenshots : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    QString m_dir;

    void save(QWidget *w, const QString &name)
    {
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QTest::qWait(200); // let the style finish painting
        const QPixmap p = w->grab();
        QVERIFY(!p.isNull());
        QVERIFY2(p.width() >= 200 && p.height() >= 100, qPrintable(name));
        QVERIFY(p.save(m_dir + QLatin1Char('/') + name));
    }

public:
    static void initMain()
    {
        test::allowWebEngineAsRoot();
    }

private slots:
    void initTestCase()
    {
        m_dir = qEnvironmentVariable("HEYO_SCREENSHOT_DIR");
        if (m_dir.isEmpty())
            m_dir = m_tmp.path();
        QVERIFY(QDir().mkpath(m_dir));
    }

    void windows()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));

        // Signed out: the empty endpoints window.
        ui::EndpointsWindow *w = f.app->window();
        w->resize(1100, 520);
        f.app->showEndpoints();
        save(w, QStringLiteral("endpoints-signed-out.png"));

        // Sign-in dialog with a wrong password answered inline.
        ui::SignInDialog *d = f.app->showSignIn();
        d->emailEdit()->setText(QString::fromLatin1(f.kAda));
        d->passwordEdit()->setText(QStringLiteral("wrong password"));
        QTest::mouseClick(d->signInButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!d->errorText().isEmpty(), 20000);
        d->adjustSize();
        save(d, QStringLiteral("sign-in.png"));
        d->close();

        // Signed in, two endpoints forwarded, one with traffic.
        const QString ada = f.signInAdaAndList(&error);
        QVERIFY2(!ada.isEmpty(), qPrintable(error));
        QVERIFY(f.app->startForwarding(QStringLiteral("demo-web"), &error));
        QVERIFY(f.app->startForwarding(QStringLiteral("demo-events"), &error));
        const QUrl web = ui::EndpointModel::localUrl(QStringLiteral("demo-web"),
                                                     f.app->forwarder()->portOf(QStringLiteral("demo-web")));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(test::AppFixture::curl(web), 200);
        QTRY_VERIFY(f.app->model()->endpoint(QStringLiteral("demo-web"))->stats.requests >= 3);
        w->selectSlug(QStringLiteral("demo-web"));
        save(w, QStringLiteral("endpoints.png"));
        w->filterEdit()->setText(QStringLiteral("build"));
        save(w, QStringLiteral("endpoints-filtered.png"));
        w->filterEdit()->clear();

        // Copy token confirmation (token masked).
        f.app->copyToken(ada);
        QTRY_VERIFY_WITH_TIMEOUT(f.app->copyTokenAction()->confirmation(), 10000);
        save(f.app->copyTokenAction()->confirmation(), QStringLiteral("copy-token.png"));
        f.app->copyTokenAction()->confirmation()->reject();

        // Settings, demo-web selected with an allowed origin (a local dev server's page) being added.
        ui::SettingsDialog *s = f.app->showSettings();
        s->setEndpointRow(QStringLiteral("demo-web"), true, 0);
        QVERIFY(s->selectEndpoint(QStringLiteral("demo-web")));
        s->originEdit()->setText(QStringLiteral("http://localhost:5173"));
        QTest::mouseClick(s->addOriginButton(), Qt::LeftButton);
        QCOMPARE(s->originsShown(QStringLiteral("demo-web")), QStringList{QStringLiteral("http://localhost:5173")});
        s->originEdit()->setText(QStringLiteral("https://app.example"));
        save(s, QStringLiteral("settings.png"));
        s->close();

        // The tray menu with the ada-laptop submenu and demo-web's actions open.
        QMenu *menu = f.app->tray()->menu();
        menu->popup(QPoint(900, 40));
        QVERIFY(QTest::qWaitForWindowExposed(menu));
        save(menu, QStringLiteral("tray-menu.png"));
        menu->hide();

        // The built-in browser window on demo-web's local port.
        ui::AppSettings settings = f.app->settings();
        settings.builtInBrowser = true;
        QVERIFY2(f.app->applySettings(settings, &error), qPrintable(error));
        f.app->openInBrowser(QStringLiteral("demo-web"));
        QWidget *browser = f.app->browserWindow(QStringLiteral("demo-web"));
        QVERIFY(browser);
        browser->resize(1000, 640);
        QTRY_VERIFY_WITH_TIMEOUT(browser->windowTitle().startsWith(QStringLiteral("Heyo demo")), 30000);
        QTest::qWait(800); // the page's own script fills in who is signed in
        save(browser, QStringLiteral("browser.png"));
    }
};

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
