// The tray against the demo heyo-edge (trayer is the tray host under Xvfb, scripts/test.sh starts it): signed out →
// signed in → forwarding, each with its icon and tooltip; the dark palette picks the light-glyph icons; the menu lists
// the accounts, the devices as submenus holding each endpoint's heading and actions (two levels, never three), and
// its actions work. The icon is always the worst current state: an endpoint's error while the service is down ends
// with the first request answered after it came back, a port-busy start ends (banner included) when a retry works,
// sign-out leaves no attention. Without a tray the endpoints window opens and the app works from there.
#include "AppFixture.h"

#include "EndpointModel.h"
#include "EndpointsWindow.h"
#include "Notifier.h"
#include "TrayController.h"

#include "core/forward/Forwarder.h"
#include "core/forward/PortAssignments.h"

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTcpServer>
#include <QTreeView>

using namespace heyo;
using State = ui::TrayController::State;

namespace {
QAction *find(const QMenu *menu, const QString &text)
{
    for (QAction *a : menu->actions())
        if (a->text() == text)
            return a;
    return nullptr;
}
QStringList texts(const QMenu *menu)
{
    QStringList out;
    for (QAction *a : menu->actions())
        if (!a->isSeparator())
            out << a->text();
    return out;
}
// An endpoint's actions in its device's menu (they carry its slug).
QAction *endpointAction(const QMenu *deviceMenu, const QString &slug, const QString &text)
{
    for (QAction *a : deviceMenu->actions())
        if (a->data().toString() == slug && a->text() == text)
            return a;
    return nullptr;
}
QStringList endpointActions(const QMenu *deviceMenu, const QString &slug)
{
    QStringList out;
    for (QAction *a : deviceMenu->actions())
        if (a->data().toString() == slug)
            out << a->text();
    return out;
}
QMenu *deviceMenu(const ui::TrayController *tray, const QString &device)
{
    QAction *a = find(tray->menu(), device);
    return a ? a->menu() : nullptr;
}
QString statusOf(ui::EndpointModel *m, const QString &slug, int column = ui::EndpointModel::Status)
{
    return m->indexOf(slug, column).data().toString();
}
} // namespace

class TestTrayController : public QObject {
    Q_OBJECT
private slots:
    void iconPaths()
    {
        QCOMPARE(ui::TrayController::stateFor(false, 0, false), State::SignedOut);
        QCOMPARE(ui::TrayController::stateFor(true, 0, false), State::SignedIn);
        QCOMPARE(ui::TrayController::stateFor(true, 2, false), State::Forwarding);
        QCOMPARE(ui::TrayController::stateFor(true, 2, true), State::Attention);
        for (State s : {State::SignedOut, State::SignedIn, State::Forwarding, State::Attention})
            for (bool dark : {false, true}) {
                const QString path = ui::TrayController::iconPathFor(s, dark);
                QVERIFY2(QFile::exists(path), qPrintable(path)); // compiled in from resources/
                QVERIFY(!QIcon(path).pixmap(22, 22).isNull());
            }
        QCOMPARE(ui::TrayController::iconPathFor(State::Forwarding, true),
                 QStringLiteral(":/icons/tray/forwarding-dark.svg"));
    }

    void statesTooltipAndMenu()
    {
        QVERIFY2(QSystemTrayIcon::isSystemTrayAvailable(), "run under scripts/test.sh (trayer is the tray host)");
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        ui::TrayController *tray = f.app->tray();
        QVERIFY(tray->trayIcon());
        QVERIFY(tray->trayIcon()->isVisible());
        QVERIFY(!f.app->existingWindow()); // with a tray, no window at start
        QCOMPARE(tray->state(), State::SignedOut);
        QCOMPARE(tray->toolTip(), QStringLiteral("Heyo Access: not signed in"));
        QCOMPARE(tray->trayIcon()->toolTip(), tray->toolTip());
        QVERIFY(find(tray->menu(), QStringLiteral("Not signed in")));
        QVERIFY(find(tray->menu(), QStringLiteral("Sign in…")));

        const QString ada = f.signInAdaAndList(&error);
        QVERIFY2(!ada.isEmpty(), qPrintable(error));
        QTRY_COMPARE(tray->state(), State::SignedIn);
        QVERIFY(tray->toolTip().contains(QStringLiteral("signed in")));
        QCOMPARE(tray->iconPath().startsWith(QStringLiteral(":/icons/tray/signed-in-")), true);

        // Menu: account, devices as submenus with endpoints, then the account actions.
        QTRY_VERIFY(find(tray->menu(), QStringLiteral("ada-laptop")));
        const QStringList top = texts(tray->menu());
        QVERIFY2(top.contains(QStringLiteral("Signed in as ada@demo.heyo")), qPrintable(top.join('|')));
        for (const char *t : {"ada-laptop", "build-server", "raspberry-pi", "Show endpoints…", "Copy token", "Sign in…",
                              "Sign out", "Settings…", "Quit"})
            QVERIFY2(top.contains(QString::fromUtf8(t)), t);
        int endpointsInMenu = 0;
        for (const char *device : {"ada-laptop", "build-server", "raspberry-pi"}) {
            QMenu *dm = deviceMenu(tray, QString::fromLatin1(device));
            QVERIFY(dm);
            for (QAction *a : dm->actions()) {
                QVERIFY2(!a->menu(), "a third menu level opens over the first on an XEmbed tray");
                endpointsInMenu += !a->isSeparator() && !a->isEnabled() ? 1 : 0; // one heading per endpoint
            }
        }
        QCOMPARE(endpointsInMenu, 7);
        QMenu *laptop = deviceMenu(tray, QStringLiteral("ada-laptop"));
        QAction *heading = find(laptop, QStringLiteral("demo-web"));
        QVERIFY(heading && !heading->isEnabled());
        QCOMPARE(endpointActions(laptop, QStringLiteral("demo-web")),
                 (QStringList{"Open in browser", "Copy local URL", "Copy curl command", "Start forwarding"}));

        // The menu's own action starts forwarding; the icon and tooltip follow.
        endpointAction(laptop, QStringLiteral("demo-web"), QStringLiteral("Start forwarding"))->trigger();
        QVERIFY(f.app->forwarder()->isForwarding(QStringLiteral("demo-web")));
        QTRY_COMPARE(tray->state(), State::Forwarding);
        QCOMPARE(tray->toolTip(), QStringLiteral("Heyo Access: forwarding 1 endpoint"));
        QCOMPARE(tray->iconPath().startsWith(QStringLiteral(":/icons/tray/forwarding-")), true);
        const quint16 port = f.app->forwarder()->portOf(QStringLiteral("demo-web"));
        // After the rebuild the heading names its port and the endpoint offers "Stop forwarding"; "Copy curl
        // command" copies a command that works.
        QTRY_VERIFY(!find(deviceMenu(tray, QStringLiteral("ada-laptop")), QStringLiteral("demo-web")));
        QMenu *dm = deviceMenu(tray, QStringLiteral("ada-laptop"));
        QVERIFY(find(dm, QStringLiteral("demo-web — port %1").arg(port)));
        QVERIFY(endpointAction(dm, QStringLiteral("demo-web"), QStringLiteral("Stop forwarding")));
        endpointAction(dm, QStringLiteral("demo-web"), QStringLiteral("Copy curl command"))->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("curl http://demo-web.localhost:%1/").arg(port));
        endpointAction(dm, QStringLiteral("demo-web"), QStringLiteral("Open in browser"))->trigger();
        QCOMPARE(f.opened.value(0), QUrl(QStringLiteral("http://demo-web.localhost:%1/").arg(port)));

        // Dark panel palette: light-glyph variants.
        QPalette dark = QApplication::palette();
        dark.setColor(QPalette::Window, QColor(0x23, 0x26, 0x29));
        QApplication::setPalette(dark);
        QTRY_COMPARE(tray->iconPath(), QStringLiteral(":/icons/tray/forwarding-dark.svg"));
        QApplication::setPalette(QApplication::style()->standardPalette());
        QTRY_COMPARE(tray->iconPath(), QStringLiteral(":/icons/tray/forwarding-light.svg"));

        // Left click on the icon opens the endpoints window.
        emit tray->trayIcon()->activated(QSystemTrayIcon::Trigger);
        QVERIFY(f.app->existingWindow());
        QVERIFY(QTest::qWaitForWindowExposed(f.app->existingWindow()));
    }

    void attentionEndsWithItsCause()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        QVERIFY2(!f.signInAdaAndList(&error).isEmpty(), qPrintable(error));
        ui::TrayController *tray = f.app->tray();
        ui::EndpointModel *model = f.app->model();
        ui::EndpointsWindow *w = f.app->window();
        f.app->showEndpoints();
        const QString web = QStringLiteral("demo-web");
        QVERIFY2(f.app->startForwarding(web, &error), qPrintable(error));
        const QUrl local = ui::EndpointModel::localUrl(web, f.app->forwarder()->portOf(web));
        QCOMPARE(test::AppFixture::curl(local), 200);
        QTRY_COMPARE(tray->state(), State::Forwarding);

        // The service goes away: the endpoint's request fails, its row, the icon and the status bar say so.
        const int edgePort = f.edge.port();
        f.edge.stop();
        QCOMPARE(test::AppFixture::curl(local), 502);
        QTRY_COMPARE(statusOf(model, web), QStringLiteral("Forwarding, with errors"));
        QVERIFY(statusOf(model, web, ui::EndpointModel::LastError).contains(QStringLiteral("cannot reach")));
        QCOMPARE(tray->state(), State::Attention);
        // The heading carries a warning once the menu is rebuilt (on the next turn of the event loop).
        QTRY_VERIFY(!find(deviceMenu(tray, QStringLiteral("ada-laptop")),
                          QStringLiteral("demo-web — port %1").arg(local.port()))
                         ->icon()
                         .isNull());

        // Back on its port. Until a request goes through, the last one failed: still the truth.
        QVERIFY2(f.edge.start(QStringLiteral("demo"),
                              {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(edgePort)}),
                 qPrintable(f.edge.error()));
        QTRY_VERIFY_WITH_TIMEOUT(!tray->attention().contains(QStringLiteral("service")), 20000); // list refreshed
        QCOMPARE(tray->state(), State::Attention);
        QVERIFY2(tray->attention().startsWith(QStringLiteral("demo-web: ")), qPrintable(tray->attention()));
        // The next request is answered: every trace of the error goes at once, not at the next look.
        QCOMPARE(test::AppFixture::curl(local), 200);
        QTRY_COMPARE_WITH_TIMEOUT(tray->state(), State::Forwarding, 3000);
        QCOMPARE(tray->toolTip(), QStringLiteral("Heyo Access: forwarding 1 endpoint"));
        QCOMPARE(w->stateLabel()->text(), tray->toolTip());
        QCOMPARE(statusOf(model, web), QStringLiteral("Forwarding"));
        QCOMPARE(statusOf(model, web, ui::EndpointModel::LastError), QString());
        QTRY_VERIFY(
            find(deviceMenu(tray, QStringLiteral("ada-laptop")), QStringLiteral("demo-web — port %1").arg(local.port()))
                ->icon()
                .isNull());
        // Sixty requests later nothing has come back.
        for (int i = 0; i < 5; ++i)
            QCOMPARE(test::AppFixture::curl(local), 200);
        QTest::qWait(300);
        QCOMPARE(tray->state(), State::Forwarding);
    }

    void failedStartEndsWithARetryAndSignOut()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        const QString ada = f.signInAdaAndList(&error);
        QVERIFY2(!ada.isEmpty(), qPrintable(error));
        ui::TrayController *tray = f.app->tray();
        ui::EndpointModel *model = f.app->model();
        ui::EndpointsWindow *w = f.app->window();
        f.app->showEndpoints();
        const QString web = QStringLiteral("demo-web");
        auto squatter = std::make_unique<QTcpServer>(); // another program on demo-web's port
        QVERIFY(squatter->listen(QHostAddress::LocalHost, 0));
        const quint16 port = squatter->serverPort();
        QVERIFY(f.app->ports()->setPort(web, port, &error));
        QVERIFY(!f.app->startForwarding(web, &error));

        // The failure is on its own row, in the banner and the icon.
        QCOMPARE(statusOf(model, web), QStringLiteral("Cannot forward"));
        QVERIFY2(statusOf(model, web, ui::EndpointModel::LastError).contains(QString::number(port)),
                 qPrintable(statusOf(model, web, ui::EndpointModel::LastError)));
        QCOMPARE(tray->state(), State::Attention);
        QVERIFY(tray->toolTip().contains(web));
        QVERIFY(!w->bannerText().isEmpty());
        QCOMPARE(w->bannerCause(), ui::EndpointsWindow::endpointCause(web));

        // The port is free again and the retry works: row, banner and icon are back to the truth.
        squatter.reset();
        QVERIFY2(f.app->startForwarding(web, &error), qPrintable(error));
        QCOMPARE(statusOf(model, web), QStringLiteral("Forwarding"));
        QCOMPARE(statusOf(model, web, ui::EndpointModel::LastError), QString());
        QCOMPARE(w->bannerText(), QString());
        QCOMPARE(tray->state(), State::Forwarding);

        // A second endpoint fails to start; signing out ends that too, with everything else of the account.
        QTcpServer other;
        QVERIFY(other.listen(QHostAddress::LocalHost, 0));
        QVERIFY(f.app->ports()->setPort(QStringLiteral("demo-files"), other.serverPort(), &error));
        QVERIFY(!f.app->startForwarding(QStringLiteral("demo-files"), &error));
        QCOMPARE(tray->state(), State::Attention);
        f.app->signOut(ada);
        QTRY_VERIFY_WITH_TIMEOUT(f.app->sessions()->accountIds().isEmpty(), 10000);
        QTRY_COMPARE(model->endpointCount(), 0);
        QCOMPARE(tray->state(), State::SignedOut);
        QCOMPARE(tray->attention(), QString());
        QCOMPARE(tray->toolTip(), QStringLiteral("Heyo Access: not signed in"));
        QCOMPARE(w->stateLabel()->text(), tray->toolTip());
        QCOMPARE(w->bannerText(), QString());
    }

    void withoutTrayTheWindowOpens()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(false, &error), qPrintable(error)); // as main() does when isSystemTrayAvailable() is false
        QVERIFY(!f.app->tray()->trayIcon());
        ui::EndpointsWindow *w = f.app->existingWindow();
        QVERIFY(w);
        QVERIFY(QTest::qWaitForWindowExposed(w));
        // Everything still works from the window, and messages land in its banner.
        QVERIFY2(!f.signInAdaAndList(&error).isEmpty(), qPrintable(error));
        QVERIFY(w->selectSlug(QStringLiteral("demo-events")));
        QTest::mouseClick(w->findChild<QPushButton *>(QStringLiteral("toggleButton")), Qt::LeftButton);
        QVERIFY(f.app->forwarder()->isForwarding(QStringLiteral("demo-events")));
        f.app->notifier()->notify(ui::Notifier::Kind::SessionExpired, QStringLiteral("t"), QStringLiteral("expired!"));
        QCOMPARE(w->bannerText(), QStringLiteral("expired!"));
    }
};

QTEST_MAIN(TestTrayController)
#include "tst_traycontroller.moc"
