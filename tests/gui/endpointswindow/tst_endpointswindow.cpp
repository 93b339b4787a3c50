// The endpoints window driven like a user would, against the demo heyo-edge: Ada's endpoints appear grouped by device,
// typing in the filter narrows them, "Start forwarding" on a row makes a local port that real curl reaches, and the
// traffic counters in the model move; Enter opens the row in the browser; refreshes use the ETag and keep the
// selection; the built-in browser window (WebEngine) loads the endpoint's page through the forwarder.
#include "AppFixture.h"
#include "WebEngineAsRoot.h"

#include "EndpointModel.h"
#include "EndpointsWindow.h"
#include "WebEnginePlugin.h"
#include "browser/EndpointBrowserBackend.h"

#include "core/api/EndpointDirectory.h"
#include "core/forward/Forwarder.h"
#include "core/forward/PortAssignments.h"

#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTcpServer>
#include <QTreeView>

using namespace heyo;

namespace {
int shownEndpoints(const QAbstractItemModel *m)
{
    int n = 0;
    for (int d = 0; d < m->rowCount(); ++d)
        n += m->rowCount(m->index(d, 0));
    return n;
}
} // namespace

class TestEndpointsWindow : public QObject {
    Q_OBJECT
public:
    static void initMain() { test::allowWebEngineAsRoot(); }

private slots:
    void endpointsGroupedFilteredForwardedAndCounted()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        const QString ada = f.signIn(f.kAda, f.kAdaPassword, &error);
        QVERIFY2(!ada.isEmpty(), qPrintable(error));

        ui::EndpointModel *model = f.app->model();
        QTRY_COMPARE_WITH_TIMEOUT(model->endpointCount(), 7,
                                  20000); // demo-web, -files, -events, -ws, -git, -grpc, -docs
        ui::EndpointsWindow *w = f.app->window();
        f.app->showEndpoints();
        QVERIFY(QTest::qWaitForWindowExposed(w));

        // Grouped by device: the demo's three devices, each a parent row of its endpoints.
        QSortFilterProxyModel *proxy = w->proxy();
        QCOMPARE(proxy->rowCount(), 3);
        QStringList devices;
        for (int d = 0; d < proxy->rowCount(); ++d) {
            devices << proxy->index(d, 0).data().toString();
            for (int r = 0; r < proxy->rowCount(proxy->index(d, 0)); ++r)
                QCOMPARE(proxy->index(r, ui::EndpointModel::Device, proxy->index(d, 0)).data().toString(),
                         devices.last());
        }
        QCOMPARE(devices, (QStringList{"ada-laptop", "build-server", "raspberry-pi"}));
        QCOMPARE(shownEndpoints(proxy), 7);

        // Type to filter: two endpoints match "demo-w", a device name shows all of its endpoints.
        w->filterEdit()->setFocus();
        QTest::keyClicks(w->filterEdit(), QStringLiteral("demo-w"));
        QCOMPARE(shownEndpoints(proxy), 2); // demo-web, demo-ws
        w->filterEdit()->clear();
        QTest::keyClicks(w->filterEdit(), QStringLiteral("BUILD-server"));
        QCOMPARE(proxy->rowCount(), 1);
        QVERIFY(shownEndpoints(proxy) >= 1);
        QTest::keyClick(w->filterEdit(), Qt::Key_Escape); // Esc clears
        QCOMPARE(w->filterEdit()->text(), QString());
        QCOMPARE(shownEndpoints(proxy), 7);

        // Start forwarding from the window: select the row, press the button.
        QVERIFY(w->selectSlug(QStringLiteral("demo-web")));
        auto *toggle = w->findChild<QPushButton *>(QStringLiteral("toggleButton"));
        QVERIFY(toggle && toggle->isEnabled());
        QCOMPARE(toggle->text(), QStringLiteral("&Start forwarding"));
        QTest::mouseClick(toggle, Qt::LeftButton);
        QVERIFY(f.app->forwarder()->isForwarding(QStringLiteral("demo-web")));
        QTRY_VERIFY(model->endpoint(QStringLiteral("demo-web"))->forwarded);
        const QUrl local = model->indexOf(QStringLiteral("demo-web")).data(ui::EndpointModel::LocalUrlRole).toUrl();
        QCOMPARE(local.host(), QStringLiteral("demo-web.localhost"));
        QCOMPARE(local.port(), int(f.app->forwarder()->portOf(QStringLiteral("demo-web"))));
        QCOMPARE(model->indexOf(QStringLiteral("demo-web"), ui::EndpointModel::LocalUrl).data().toString(),
                 local.toString());
        QTRY_COMPARE(toggle->text(), QStringLiteral("&Stop forwarding"));

        // Real curl through the local port: the token is attached by the forwarder, the edge says who we are.
        const QUrl whoami = local.resolved(QUrl(QStringLiteral("/api/whoami")));
        QByteArray body;
        QCOMPARE(test::AppFixture::curl(whoami, &body), 200);
        QVERIFY2(body.contains("ada@demo.heyo"), body.constData());
        QCOMPARE(test::AppFixture::curl(whoami, &body), 200);
        // The counters move in the model (polled from Forwarder::stats).
        QTRY_VERIFY_WITH_TIMEOUT(model->endpoint(QStringLiteral("demo-web"))->stats.requests >= 2, 5000);
        QVERIFY(model->endpoint(QStringLiteral("demo-web"))->stats.bytesOut > 0);
        QTRY_VERIFY(model->indexOf(QStringLiteral("demo-web"), ui::EndpointModel::Requests).data().toInt() >= 2);

        // Keyboard: Enter on the selected row opens it in the browser.
        w->view()->setFocus();
        QTest::keyClick(w->view(), Qt::Key_Return);
        QCOMPARE(f.opened.size(), 1);
        QCOMPARE(f.opened.first(), local);

        // Refreshes ask with the ETag (304) and keep the selection.
        const int notModified = f.app->directory()->notModifiedCount();
        QTRY_VERIFY_WITH_TIMEOUT(f.app->directory()->notModifiedCount() >= notModified + 2, 10000);
        QCOMPARE(w->selectedSlug(), QStringLiteral("demo-web"));

        // Stop from the window.
        QTest::mouseClick(toggle, Qt::LeftButton);
        QVERIFY(!f.app->forwarder()->isForwarding(QStringLiteral("demo-web")));
        QTRY_COMPARE(model->indexOf(QStringLiteral("demo-web"), ui::EndpointModel::LocalUrl).data().toString(),
                     QStringLiteral("not forwarded"));
    }

    void openInBrowserStartsForwardingFirst()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        QVERIFY2(!f.signInAdaAndList(&error).isEmpty(), qPrintable(error));
        ui::EndpointsWindow *w = f.app->window();
        f.app->showEndpoints();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        // Double click on a row that is not forwarded yet.
        const QModelIndex i = w->proxy()->mapFromSource(f.app->model()->indexOf(QStringLiteral("demo-files")));
        QVERIFY(i.isValid());
        w->view()->scrollTo(i);
        const QRect rect = w->view()->visualRect(i);
        QTest::mouseClick(w->view()->viewport(), Qt::LeftButton, {},
                          rect.center()); // the press a real double click starts with
        QTest::mouseDClick(w->view()->viewport(), Qt::LeftButton, {}, rect.center());
        QTRY_COMPARE(f.opened.size(), 1);
        QVERIFY(f.app->forwarder()->isForwarding(QStringLiteral("demo-files")));
        QCOMPARE(f.opened.first(), QUrl(QStringLiteral("http://demo-files.localhost:%1/")
                                            .arg(f.app->forwarder()->portOf(QStringLiteral("demo-files")))));
        // The port is stable: recorded in the settings for next time.
        QCOMPARE(f.app->ports()->portFor(QStringLiteral("demo-files")),
                 f.app->forwarder()->portOf(QStringLiteral("demo-files")));
    }

    void forwardRequestWaitsForTheListAndTakesItsPort()
    {
        // `heyo-access --forward SLUG:PORT` (or handed over by a later launch) before the endpoint list is there.
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        const quint16 port = forward::PortAssignments::kLastPort - 7;
        f.app->handleRequest({QStringLiteral("--forward"), QStringLiteral("demo-files:%1").arg(port),
                              QStringLiteral("--forward"), QStringLiteral("demo-web:notaport")});
        QVERIFY(!f.app->forwarder()->isForwarding(QStringLiteral("demo-files")));
        QVERIFY2(!f.signIn(f.kAda, f.kAdaPassword, &error).isEmpty(), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(f.app->forwarder()->isForwarding(QStringLiteral("demo-files")), 20000);
        QCOMPARE(f.app->forwarder()->portOf(QStringLiteral("demo-files")), port);
        QCOMPARE(f.app->ports()->portFor(QStringLiteral("demo-files")), port);  // remembered
        QVERIFY(!f.app->forwarder()->isForwarding(QStringLiteral("demo-web"))); // a bad port is an error, not a guess
        QCOMPARE(test::AppFixture::curl(QUrl(QStringLiteral("http://127.0.0.1:%1/download?size=10").arg(port))), 200);
    }

    void quitLetsARequestInFlightFinish()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        QVERIFY2(!f.signInAdaAndList(&error).isEmpty(), qPrintable(error));
        QVERIFY2(f.app->startForwarding(QStringLiteral("demo-events"), &error), qPrintable(error));
        const quint16 port = f.app->forwarder()->portOf(QStringLiteral("demo-events"));
        QProcess events; // six events, a quarter of a second apart
        events.start(QStringLiteral("curl"),
                     {QStringLiteral("-sS"), QStringLiteral("-N"), QStringLiteral("--max-time"), QStringLiteral("30"),
                      QStringLiteral("http://127.0.0.1:%1/events?count=6&interval_ms=250").arg(port)});
        QVERIFY(events.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(events.bytesAvailable() > 0, 10000); // the stream is under way
        f.app->quit(); // returns once the stream has ended (within its 3 s grace)
        QVERIFY(!f.app->forwarder()->isForwarding(QStringLiteral("demo-events")));
        // The port is free at once, and held here from now on: a test running alongside could otherwise take it
        // and answer for it (seen once in a 20-times loop run two at a time).
        QTcpServer holder;
        QVERIFY2(holder.listen(QHostAddress::LocalHost, port), "the forwarder still holds its port after quit");
        QVERIFY(!f.app->startForwarding(QStringLiteral("demo-web"), &error)); // nothing starts any more
        f.app.reset(); // what main() does next: the app goes, and must not cut the stream short
        QVERIFY(events.waitForFinished(10000));
        QCOMPARE(events.exitCode(), 0);
        QCOMPARE(events.readAllStandardOutput().count("data:"), 6);
    }

    void builtInBrowserShowsTheEndpointThroughTheForwarder()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        QVERIFY2(!f.signInAdaAndList(&error).isEmpty(), qPrintable(error));
        ui::AppSettings s = f.app->settings();
        s.builtInBrowser = true;
        QVERIFY2(f.app->applySettings(s, &error), qPrintable(error));

        const QString slug = QStringLiteral("demo-web");
        f.app->openInBrowser(slug);
        QVERIFY(f.app->forwarder()->isForwarding(slug));
        QVERIFY2(f.opened.isEmpty(), "the system browser must not be used");
        QWidget *w = f.app->browserWindow(slug);
        QVERIFY2(w, qPrintable(ui::WebEnginePlugin::error()));
        QVERIFY(QTest::qWaitForWindowExposed(w));
        // The demo page's <title> arrives only when the page loaded through the forwarder, token attached.
        QTRY_VERIFY_WITH_TIMEOUT(w->windowTitle().startsWith(QStringLiteral("Heyo demo — demo-web")), 30000);
        const auto *address = w->findChild<QLineEdit *>();
        QVERIFY(address);
        QCOMPARE(QUrl(address->text()).port(), int(f.app->forwarder()->portOf(slug)));
        QTRY_VERIFY_WITH_TIMEOUT(f.app->model()->endpoint(slug)->stats.requests >= 2, 5000); // page and its assets

        // A link to another site opens in the system browser; this window stays on the endpoint.
        ui::EndpointBrowserBackend *browser = ui::WebEnginePlugin::endpointBrowser();
        QVERIFY(browser);
        browser->runJavaScript(w, QStringLiteral("const a = document.createElement('a');"
                                                 "a.href = 'https://example.org/elsewhere'; document.body.append(a);"
                                                 "a.click();"));
        QTRY_COMPARE_WITH_TIMEOUT(f.opened.size(), 1, 10000);
        QCOMPARE(f.opened.first(), QUrl(QStringLiteral("https://example.org/elsewhere")));
        QTest::qWait(300);
        QCOMPARE(QUrl(address->text()).host(), QStringLiteral("demo-web.localhost"));
        QVERIFY(w->windowTitle().startsWith(QStringLiteral("Heyo demo — demo-web")));

        // Asking again raises the same window rather than opening a second one.
        f.app->openInBrowser(slug);
        QCOMPARE(f.app->browserWindow(slug), w);
        w->close();
        QTRY_VERIFY(!f.app->browserWindow(slug));
    }
};

QTEST_MAIN(TestEndpointsWindow)
#include "tst_endpointswindow.moc"
