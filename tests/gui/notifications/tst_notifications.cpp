// What the user is told, against the demo heyo-edge: Bob's endpoint forwarded with Ada's token answers 403 and the
// wrong-account notification appears (its click opens the sign-in dialog); a port held by another program gives the
// port-in-use notification; a service that went away gives "service unreachable"; signing out stops the account's
// forwarders and empties the list; the tray goes to "attention" and back.
#include "AppFixture.h"

#include "EndpointModel.h"
#include "Notifier.h"
#include "SignInDialog.h"
#include "TrayController.h"

#include "core/forward/Forwarder.h"
#include "core/forward/PortAssignments.h"

#include <QTcpServer>

using namespace heyo;
using Kind = ui::Notifier::Kind;

namespace {
bool hasKind(const ui::Notifier *n, Kind k)
{
    for (const auto &m : n->history())
        if (m.kind == k)
            return true;
    return false;
}
} // namespace

class TestNotifications : public QObject {
    Q_OBJECT
private slots:
    void wrongAccountIsNotifiedAndLeadsToSignIn()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        const QString ada = f.signInAdaAndList(&error);
        QVERIFY2(!ada.isEmpty(), qPrintable(error));

        // bob-notes forwarded with Ada's account (as if the endpoint had changed hands): the edge answers 403.
        forward::ForwardSpec spec;
        spec.slug = QStringLiteral("bob-notes");
        spec.accountId = ada;
        spec.endpointUrl = QUrl(f.edge.endpointUrl(QStringLiteral("bob-notes")));
        QVERIFY2(f.app->forwarder()->forward(spec, &error), qPrintable(error));
        const quint16 port = f.app->forwarder()->portOf(QStringLiteral("bob-notes"));
        QCOMPARE(test::AppFixture::curl(ui::EndpointModel::localUrl(QStringLiteral("bob-notes"), port)), 403);
        QTRY_VERIFY_WITH_TIMEOUT(hasKind(f.app->notifier(), Kind::WrongAccount), 10000);
        const auto last = f.app->notifier()->history().last();
        QVERIFY2(last.title.contains(QStringLiteral("bob-notes")), qPrintable(last.title));
        QCOMPARE(f.app->tray()->state(), ui::TrayController::State::Attention);
        QVERIFY(f.app->tray()->toolTip().contains(QStringLiteral("bob-notes")));

        // A second 403 right away: no second message (no flood).
        const int count = f.app->notifier()->history().size();
        QCOMPARE(test::AppFixture::curl(ui::EndpointModel::localUrl(QStringLiteral("bob-notes"), port)), 403);
        QTest::qWait(300);
        QCOMPARE(f.app->notifier()->history().size(), count);

        // Clicking the message leads to the sign-in dialog.
        QVERIFY(!f.app->signInDialog());
        f.app->notifier()->activateLast();
        QVERIFY(f.app->signInDialog());
        QVERIFY(QTest::qWaitForWindowExposed(f.app->signInDialog()));

        // Stopping the endpoint clears the attention state.
        f.app->stopForwarding(QStringLiteral("bob-notes"));
        QTRY_COMPARE(f.app->tray()->state(), ui::TrayController::State::SignedIn);
    }

    void portInUseIsNotified()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        QVERIFY2(!f.signInAdaAndList(&error).isEmpty(), qPrintable(error));
        QTcpServer squatter; // another program on the port demo-web is meant to use
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        QVERIFY(f.app->ports()->setPort(QStringLiteral("demo-web"), squatter.serverPort(), &error));
        QVERIFY(!f.app->startForwarding(QStringLiteral("demo-web"), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(hasKind(f.app->notifier(), Kind::PortInUse));
        QVERIFY(f.app->notifier()->history().last().title.contains(QString::number(squatter.serverPort())));
        QCOMPARE(f.app->tray()->state(), ui::TrayController::State::Attention);
        QVERIFY(!f.app->forwarder()->isForwarding(QStringLiteral("demo-web")));
        // The port was not silently moved.
        QCOMPARE(f.app->ports()->portFor(QStringLiteral("demo-web")), squatter.serverPort());
    }

    void serviceUnreachableIsNotified()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        QVERIFY2(!f.signInAdaAndList(&error).isEmpty(), qPrintable(error));
        f.edge.stop();
        QTRY_VERIFY_WITH_TIMEOUT(hasKind(f.app->notifier(), Kind::ServiceUnreachable), 20000);
        QCOMPARE(f.app->tray()->state(), ui::TrayController::State::Attention);
        QCOMPARE(f.app->model()->endpointCount(), 7); // the last list stays shown
    }

    void signOutStopsForwarders()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        const QString ada = f.signInAdaAndList(&error);
        QVERIFY2(!ada.isEmpty(), qPrintable(error));
        QVERIFY(f.app->startForwarding(QStringLiteral("demo-web"), &error));
        QVERIFY(f.app->startForwarding(QStringLiteral("demo-files"), &error));
        const quint16 port = f.app->forwarder()->portOf(QStringLiteral("demo-web"));
        QCOMPARE(test::AppFixture::curl(ui::EndpointModel::localUrl(QStringLiteral("demo-web"), port)), 200);
        QTRY_COMPARE(f.app->tray()->state(), ui::TrayController::State::Forwarding);

        f.app->signOut(ada);
        QVERIFY(f.app->forwarder()->forwardedSlugs().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(f.app->sessions()->accountIds().isEmpty(), 10000);
        QTRY_COMPARE(f.app->model()->endpointCount(), 0);
        QCOMPARE(f.app->tray()->state(), ui::TrayController::State::SignedOut);
        // Nothing listens on the port any more.
        QTRY_VERIFY(forward::PortAssignments::isFree(port));
    }
};

QTEST_MAIN(TestNotifications)
#include "tst_notifications.moc"
