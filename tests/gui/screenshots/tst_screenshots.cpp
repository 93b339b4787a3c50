// Renders each window of the tray app in a realistic state (the demo edge's endpoints, one forwarded with traffic, an
// endpoint whose request failed and one whose port was taken, an inline sign-in error, the copy-token confirmation,
// the tray menu with a device open, the built-in browser) and saves PNGs for docs/screenshots/.
#include "AppFixture.h"
#include "WebEngineAsRoot.h"

#include "CopyTokenAction.h"
#include "EndpointModel.h"
#include "EndpointsWindow.h"
#include "SettingsDialog.h"
#include "SignInDialog.h"
#include "TrayController.h"

#include "core/forward/Forwarder.h"
#include "core/forward/PortAssignments.h"

#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QScreen>
#include <QTcpServer>
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

    // Popups where they are on the screen (a submenu is a window of its own), on a transparent ground: a screen grab
    // would also catch whatever lies behind them.
    void savePopups(const QList<QWidget *> &popups, const QString &name)
    {
        QRect area;
        for (QWidget *w : popups) {
            QVERIFY(QTest::qWaitForWindowExposed(w));
            area |= w->geometry();
        }
        QTest::qWait(200);
        QPixmap p(area.size());
        p.fill(Qt::transparent);
        QPainter painter(&p);
        for (QWidget *w : popups)
            painter.drawPixmap(w->geometry().topLeft() - area.topLeft(), w->grab());
        painter.end();
        QVERIFY(p.save(m_dir + QLatin1Char('/') + name));
    }

public:
    static void initMain() { test::allowWebEngineAsRoot(); }

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
        w->resize(1200, 520);
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

        // Trouble: demo-files' port is taken by another program, demo-git's last request could not reach it.
        {
            QTcpServer squatter;
            QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
            QVERIFY(f.app->ports()->setPort(QStringLiteral("demo-files"), squatter.serverPort(), &error));
            QVERIFY(!f.app->startForwarding(QStringLiteral("demo-files"), &error));
            forward::ForwardSpec dead; // demo-git as if its service had gone: nobody listens on that port
            dead.slug = QStringLiteral("demo-git");
            dead.accountId = ada;
            QTcpServer gone;
            QVERIFY(gone.listen(QHostAddress::LocalHost, 0));
            dead.endpointUrl = QUrl(QStringLiteral("https://demo-git.heyo.localhost:%1/").arg(gone.serverPort()));
            gone.close();
            QVERIFY2(f.app->forwarder()->forward(dead, &error), qPrintable(error));
            QCOMPARE(test::AppFixture::curl(ui::EndpointModel::localUrl(
                         QStringLiteral("demo-git"), f.app->forwarder()->portOf(QStringLiteral("demo-git")))),
                     502);
            QTRY_COMPARE(
                f.app->model()->indexOf(QStringLiteral("demo-git"), ui::EndpointModel::Status).data().toString(),
                QStringLiteral("Forwarding, with errors"));
            w->selectSlug(QStringLiteral("demo-files"));
            save(w, QStringLiteral("endpoints-attention.png"));
            f.app->stopForwarding(QStringLiteral("demo-git"));
            f.app->stopForwarding(QStringLiteral("demo-files"));
            f.app->ports()->release(QStringLiteral("demo-files"));
            QTRY_COMPARE(f.app->tray()->state(), ui::TrayController::State::Forwarding);
            QCOMPARE(w->bannerText(), QString());
        }

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

        // The tray menu under the tray host (top right), with the ada-laptop submenu open: its endpoints' actions.
        QMenu *menu = f.app->tray()->menu();
        const QRect screen = QGuiApplication::primaryScreen()->geometry();
        menu->popup(QPoint(screen.right() - 10, 34));
        QVERIFY(QTest::qWaitForWindowExposed(menu));
        QAction *laptop = nullptr;
        for (QAction *a : menu->actions())
            if (a->text() == QStringLiteral("ada-laptop"))
                laptop = a;
        QVERIFY(laptop && laptop->menu());
        menu->setActiveAction(laptop);
        QTest::keyClick(menu, Qt::Key_Right);
        QVERIFY(QTest::qWaitForWindowExposed(laptop->menu()));
        QVERIFY2(!menu->geometry().intersects(laptop->menu()->geometry()), "the submenu covers the menu");
        savePopups({menu, laptop->menu()}, QStringLiteral("tray-menu.png"));
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
