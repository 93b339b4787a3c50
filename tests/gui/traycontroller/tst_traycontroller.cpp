// The tray against the demo heyo-edge (trayer is the tray host under Xvfb, scripts/test.sh starts it): signed out →
// signed in → forwarding, each with its icon and tooltip; the dark palette picks the light-glyph icons; the menu lists
// the accounts, the devices as submenus with each endpoint's actions, and its actions work. Without a tray the
// endpoints window opens and the app works from there.
#include "AppFixture.h"

#include "EndpointModel.h"
#include "EndpointsWindow.h"
#include "Notifier.h"
#include "TrayController.h"

#include "core/forward/Forwarder.h"

#include <QApplication>
#include <QClipboard>
#include <QPushButton>
#include <QStyle>
#include <QMenu>
#include <QSystemTrayIcon>

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
        QCOMPARE(ui::TrayController::iconPathFor(State::Forwarding, true), QStringLiteral(":/icons/tray/forwarding-dark.svg"));
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
        QMenu *webMenu = nullptr;
        for (const char *device : {"ada-laptop", "build-server", "raspberry-pi"}) {
            QMenu *dm = find(tray->menu(), QString::fromLatin1(device))->menu();
            QVERIFY(dm);
            endpointsInMenu += dm->actions().size();
            if (QAction *a = find(dm, QStringLiteral("demo-web")))
                webMenu = a->menu();
        }
        QCOMPARE(endpointsInMenu, 6);
        QVERIFY(webMenu);
        QCOMPARE(texts(webMenu), (QStringList{"Open in browser", "Copy local URL", "Copy curl command",
                                              "Start forwarding"}));

        // The menu's own action starts forwarding; the icon and tooltip follow.
        find(webMenu, QStringLiteral("Start forwarding"))->trigger();
        QVERIFY(f.app->forwarder()->isForwarding(QStringLiteral("demo-web")));
        QTRY_COMPARE(tray->state(), State::Forwarding);
        QCOMPARE(tray->toolTip(), QStringLiteral("Heyo Access: forwarding 1 endpoint"));
        QCOMPARE(tray->iconPath().startsWith(QStringLiteral(":/icons/tray/forwarding-")), true);
        const quint16 port = f.app->forwarder()->portOf(QStringLiteral("demo-web"));
        // After the rebuild the entry names its port and offers "Stop forwarding"; "Copy curl command" copies a
        // command that works.
        QTRY_VERIFY(!find(find(tray->menu(), QStringLiteral("ada-laptop"))->menu(), QStringLiteral("demo-web")));
        QMenu *dm = find(tray->menu(), QStringLiteral("ada-laptop"))->menu();
        QAction *entry = find(dm, QStringLiteral("demo-web — port %1").arg(port));
        QVERIFY(entry);
        QVERIFY(find(entry->menu(), QStringLiteral("Stop forwarding")));
        find(entry->menu(), QStringLiteral("Copy curl command"))->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("curl http://demo-web.localhost:%1/").arg(port));
        find(entry->menu(), QStringLiteral("Open in browser"))->trigger();
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
