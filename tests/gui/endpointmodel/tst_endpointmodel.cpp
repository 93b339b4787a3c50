// EndpointModel on its own: endpoints grouped by device, updates in place (no reset, no remove+insert for a changed
// row, so a view keeps its selection), the forwarder's counters shown per row in decimal units, errors that end with
// their cause (a later good poll, a successful start, sign-out), a failed start shown on its own row, the device
// row's sum repainted when its endpoints change, and 1,000 endpoints on 50 devices handled quickly, also through the
// filter proxy the window uses.
#include "EndpointModel.h"
#include "Translations.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace heyo;
using ui::EndpointModel;

namespace {
api::EndpointInfo ep(const QString &slug, const QString &device, const QString &status = QStringLiteral("online"))
{
    api::EndpointInfo e;
    e.slug = slug;
    e.url = QUrl(QStringLiteral("https://%1.heyo.localhost:8443").arg(slug));
    e.deviceId = QStringLiteral("dev-") + device;
    e.deviceName = device;
    e.status = status;
    return e;
}

api::EndpointList many(int devices, int perDevice, const QString &status = QStringLiteral("online"))
{
    api::EndpointList list;
    for (int d = 0; d < devices; ++d)
        for (int i = 0; i < perDevice; ++i)
            list << ep(QStringLiteral("ep-%1-%2").arg(d).arg(i), QStringLiteral("device-%1").arg(d), status);
    return list;
}
} // namespace

class TestEndpointModel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { ui::Translations::install(); } // "2 endpoints", not "2 endpoint(s)"

    void groupsByDevice()
    {
        EndpointModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setEndpoints("a1", "ada@x", {ep("web", "laptop"), ep("files", "laptop"), ep("ci", "build-server")});
        QCOMPARE(m.deviceCount(), 2);
        QCOMPARE(m.endpointCount(), 3);
        QCOMPARE(m.rowCount(), 2);
        const QModelIndex laptop = m.index(0, 0);
        QCOMPARE(laptop.data().toString(), QStringLiteral("laptop"));
        QVERIFY(laptop.data(EndpointModel::IsDeviceRole).toBool());
        QCOMPARE(m.rowCount(laptop), 2);
        QCOMPARE(m.index(1, 0, laptop).data(EndpointModel::SlugRole).toString(), QStringLiteral("files"));
        QCOMPARE(m.index(0, EndpointModel::LocalUrl, laptop).data().toString(), QStringLiteral("not forwarded"));
        QCOMPARE(m.index(0, EndpointModel::Access, laptop).data().toString(), QStringLiteral("Private"));
        QCOMPARE(m.index(0, EndpointModel::Account, laptop).data().toString(), QStringLiteral("ada@x"));
        // A second account's endpoints join the same tree; removing the account removes only its rows.
        m.setEndpoints("b1", "bob@x", {ep("notes", "bob-pc")});
        QCOMPARE(m.deviceCount(), 3);
        m.removeAccount("a1");
        QCOMPARE(m.endpointCount(), 1);
        QCOMPARE(m.deviceCount(), 1);
        QCOMPARE(m.index(0, 0).data().toString(), QStringLiteral("bob-pc"));
    }

    void updatesInPlaceAndKeepsSelection()
    {
        EndpointModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setEndpoints("a1", "ada@x", {ep("web", "laptop"), ep("files", "laptop"), ep("ci", "server")});
        QItemSelectionModel selection(&m);
        selection.setCurrentIndex(m.indexOf("files"), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
        QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);

        // The same list again: nothing at all.
        m.setEndpoints("a1", "ada@x", {ep("web", "laptop"), ep("files", "laptop"), ep("ci", "server")});
        QCOMPARE(changed.count(), 0);
        QCOMPARE(inserted.count(), 0);
        // One status changes: one dataChanged for that row, the selection stays on it.
        m.setEndpoints("a1", "ada@x", {ep("web", "laptop"), ep("files", "laptop", "offline"), ep("ci", "server")});
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex(), m.indexOf("files"));
        QCOMPARE(m.indexOf("files", EndpointModel::Status).data().toString(), QStringLiteral("Offline"));
        QCOMPARE(selection.currentIndex().data(EndpointModel::SlugRole).toString(), QStringLiteral("files"));
        QVERIFY(selection.isRowSelected(m.indexOf("files").row(), m.indexOf("files").parent()));
        // One endpoint added, one removed: single row signals, never a reset; selection still there.
        m.setEndpoints("a1", "ada@x", {ep("files", "laptop", "offline"), ep("ci", "server"), ep("new", "laptop")});
        QCOMPARE(reset.count(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(selection.currentIndex().data(EndpointModel::SlugRole).toString(), QStringLiteral("files"));
        QCOMPARE(m.rowCount(m.index(0, 0)), 2);
    }

    void showsForwarderCounters()
    {
        EndpointModel m;
        m.setEndpoints("a1", "ada@x", {ep("web", "laptop"), ep("files", "laptop")});
        QSignalSpy contents(&m, &EndpointModel::contentsChanged);
        forward::ForwardStats s;
        s.slug = "web";
        s.port = 7005;
        s.requests = 3;
        s.bytesIn = 100;
        s.bytesOut = 4096;
        s.openConnections = 1;
        m.setStats({s});
        QCOMPARE(contents.count(), 1); // forwarding started: menus rebuild
        QCOMPARE(m.forwardedCount(), 1);
        QCOMPARE(m.indexOf("web", EndpointModel::LocalUrl).data().toString(),
                 QStringLiteral("http://web.localhost:7005/"));
        QCOMPARE(m.indexOf("web").data(EndpointModel::LocalUrlRole).toUrl(), QUrl("http://web.localhost:7005/"));
        QCOMPARE(m.indexOf("web", EndpointModel::Requests).data().toString(), QStringLiteral("3"));
        QCOMPARE(m.indexOf("web", EndpointModel::Connections).data().toString(), QStringLiteral("1"));
        const QString traffic = m.indexOf("web", EndpointModel::Traffic).data().toString();
        QVERIFY2(traffic.contains(QStringLiteral("4.1 kB")) && traffic.contains(QStringLiteral("100 bytes")),
                 qPrintable(traffic));
        QCOMPARE(m.indexOf("files", EndpointModel::Requests).data().toString(), QString());

        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        s.requests = 4;
        s.lastError = QStringLiteral("upstream timed out");
        m.setStats({s});
        QCOMPARE(contents.count(), 1); // counters only: no rebuild
        QCOMPARE(changed.count(), 1);
        QCOMPARE(m.indexOf("web", EndpointModel::LastError).data().toString(), QStringLiteral("upstream timed out"));
        QCOMPARE(m.indexOf("web", EndpointModel::Status).data().toString(), QStringLiteral("Forwarding, with errors"));
        m.setStats({});
        QCOMPARE(m.forwardedCount(), 0);
        QCOMPARE(m.indexOf("web", EndpointModel::LocalUrl).data().toString(), QStringLiteral("not forwarded"));
    }

    void sizesAreDecimalAndLabelledSo()
    {
        EndpointModel m;
        m.setEndpoints("a1", "ada@x", {ep("web", "laptop")});
        forward::ForwardStats s;
        s.slug = "web";
        s.port = 7005;
        s.bytesOut = 100'000'000; // to the client: "↓"
        s.bytesIn = 1'500;
        m.setStats({s});
        QCOMPARE(m.indexOf("web", EndpointModel::Traffic).data().toString(), QStringLiteral("100.0 MB ↓  1.5 kB ↑"));
        QVERIFY(m.indexOf("web", EndpointModel::Traffic).data(Qt::ToolTipRole).toString().contains("100.0 MB"));
    }

    void errorsEndWithTheirCause()
    {
        EndpointModel m;
        m.setEndpoints("a1", "ada@x", {ep("web", "laptop"), ep("files", "laptop")});
        QSignalSpy problems(&m, &EndpointModel::problemsChanged);
        forward::ForwardStats s;
        s.slug = "web";
        s.port = 7005;
        s.lastError = QStringLiteral("cannot reach endpoint 'web': connection refused");
        m.setStats({s});
        QCOMPARE(problems.count(), 1);
        QCOMPARE(m.problems().value("web"), s.lastError);
        QCOMPARE(m.indexOf("web", EndpointModel::Status).data().toString(), QStringLiteral("Forwarding, with errors"));
        // The status tooltip explains the status (it used to show the upstream URL).
        const QString tip = m.indexOf("web", EndpointModel::Status).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains("7005") && tip.contains("connection refused") && !tip.contains("https://"),
                 qPrintable(tip));

        // The forwarder's next poll no longer has the error (a later request went through): it is gone everywhere.
        s.lastError.clear();
        s.requests = 1;
        m.setStats({s});
        QCOMPARE(problems.count(), 2);
        QVERIFY(m.problems().isEmpty());
        QCOMPARE(m.indexOf("web", EndpointModel::Status).data().toString(), QStringLiteral("Forwarding"));
        QCOMPARE(m.indexOf("web", EndpointModel::LastError).data().toString(), QString());
        QVERIFY(!m.indexOf("web", EndpointModel::Status).data(Qt::ToolTipRole).toString().contains("failed"));
        m.setStats({s}); // the same again: no news
        QCOMPARE(problems.count(), 2);

        // A forwarded endpoint no account lists (stale, or forwarded by hand) still counts.
        forward::ForwardStats other;
        other.slug = "bob-notes";
        other.lastError = QStringLiteral("endpoint belongs to another account");
        m.setStats({s, other});
        QCOMPARE(m.problems().value("bob-notes"), other.lastError);
        m.setStats({s});
        QVERIFY(m.problems().isEmpty());
    }

    void failedStartShowsOnItsRow()
    {
        EndpointModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setEndpoints("a1", "ada@x", {ep("web", "laptop"), ep("files", "laptop")});
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        const QString busy = QStringLiteral("cannot listen: 127.0.0.1:7001 is already in use (held by python3)");
        m.setForwardError("web", busy);
        QVERIFY(!changed.isEmpty()); // the row repaints
        QCOMPARE(m.indexOf("web", EndpointModel::Status).data().toString(), QStringLiteral("Cannot forward"));
        QCOMPARE(m.indexOf("web", EndpointModel::LastError).data().toString(), busy);
        QVERIFY(m.indexOf("web", EndpointModel::Status).data(Qt::ToolTipRole).toString().contains(busy));
        QCOMPARE(m.problems().value("web"), busy);

        // Forwarding started after all (another port, the port freed): the error is over.
        forward::ForwardStats s;
        s.slug = "web";
        s.port = 7009;
        m.setStats({s});
        QCOMPARE(m.indexOf("web", EndpointModel::Status).data().toString(), QStringLiteral("Forwarding"));
        QCOMPARE(m.indexOf("web", EndpointModel::LastError).data().toString(), QString());
        QVERIFY(m.problems().isEmpty());

        // Given up on: cleared by the caller.
        m.setForwardError("files", busy);
        QCOMPARE(m.problems().size(), 1);
        m.setForwardError("files", {});
        QVERIFY(m.problems().isEmpty());
        QCOMPARE(m.indexOf("files", EndpointModel::Status).data().toString(), QStringLiteral("Online"));
    }

    void signOutDropsEveryEndpointState()
    {
        EndpointModel m;
        m.setEndpoints("a1", "ada@x", {ep("web", "laptop")});
        m.setEndpoints("b1", "bob@x", {ep("notes", "bob-pc")});
        m.setForwardError("web", QStringLiteral("port in use"));
        m.setForwardError("notes", QStringLiteral("port in use"));
        m.setForwardError("not-listed-yet", QStringLiteral("notaport is not a port number"));
        QCOMPARE(m.problems().size(), 3);
        m.removeAccount("a1"); // what sign-out does to the model
        // Bob is still signed in.
        QCOMPARE(m.problems().keys(), QStringList{"notes"});
        m.removeAccount("b1");
        QVERIFY(m.problems().isEmpty());
        // Bob signs in again: his endpoint starts clean.
        m.setEndpoints("b1", "bob@x", {ep("notes", "bob-pc")});
        QCOMPARE(m.indexOf("notes", EndpointModel::LastError).data().toString(), QString());
    }

    void deviceSumFollowsItsEndpoints()
    {
        EndpointModel m;
        m.setEndpoints("a1", "ada@x", {ep("web", "laptop"), ep("files", "laptop")});
        const QModelIndex laptop = m.index(0, EndpointModel::Status);
        QCOMPARE(laptop.data().toString(), QStringLiteral("2 endpoints"));
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        auto deviceRepainted = [&] {
            for (const QList<QVariant> &args : changed) {
                const QModelIndex tl = args.at(0).toModelIndex(), br = args.at(1).toModelIndex();
                if (!tl.parent().isValid() && tl.row() == 0 && tl.column() <= EndpointModel::Status &&
                    br.column() >= EndpointModel::Status)
                    return true;
            }
            return false;
        };
        forward::ForwardStats web, files;
        web.slug = "web";
        web.port = 7001;
        files.slug = "files";
        files.port = 7002;
        m.setStats({web});
        QVERIFY2(deviceRepainted(), "the device row was not told its sum changed");
        QCOMPARE(laptop.data().toString(), QStringLiteral("1 of 2 forwarded"));
        changed.clear();
        m.setStats({web, files});
        QVERIFY2(deviceRepainted(), "the device row was not told its sum changed");
        QCOMPARE(laptop.data().toString(), QStringLiteral("2 of 2 forwarded"));
        changed.clear();
        web.requests = 5; // counters only: the sum is the same, no repaint needed
        m.setStats({web, files});
        QVERIFY(!deviceRepainted());
    }

    void thousandEndpointsOnFiftyDevices()
    {
        EndpointModel m;
        QSortFilterProxyModel proxy; // as the window uses it
        proxy.setSourceModel(&m);
        proxy.setRecursiveFilteringEnabled(true);
        proxy.setAutoAcceptChildRows(true);
        proxy.setFilterKeyColumn(-1);
        proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
        proxy.setSortRole(EndpointModel::SortRole);
        proxy.sort(0);

        QElapsedTimer t;
        t.start();
        m.setEndpoints("a1", "ada@x", many(50, 20));
        const qint64 first = t.restart();
        QCOMPARE(m.endpointCount(), 1000);
        QCOMPARE(m.deviceCount(), 50);
        QCOMPARE(proxy.rowCount(), 50);

        // A refresh where every status changed: in place, quick.
        QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
        m.setEndpoints("a1", "ada@x", many(50, 20, QStringLiteral("offline")));
        const qint64 update = t.restart();
        QCOMPARE(removed.count(), 0);

        QList<forward::ForwardStats> stats;
        for (int i = 0; i < 100; ++i) {
            forward::ForwardStats s;
            s.slug = QStringLiteral("ep-%1-0").arg(i % 50);
            s.port = quint16(7001 + i);
            s.requests = quint64(i);
            stats << s;
        }
        for (int i = 0; i < 10; ++i)
            m.setStats(stats);
        const qint64 statsTime = t.restart();

        proxy.setFilterFixedString(QStringLiteral("device-7"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.rowCount(proxy.index(0, 0)), 20); // a device name shows all of its endpoints
        proxy.setFilterFixedString(QStringLiteral("ep-3-1"));
        int shown = 0;
        for (int d = 0; d < proxy.rowCount(); ++d)
            shown += proxy.rowCount(proxy.index(d, 0));
        QCOMPARE(shown, 11); // ep-3-1 and ep-3-10 … ep-3-19
        const qint64 filter = t.elapsed();
        qInfo("1,000 endpoints: load %lld ms, full update %lld ms, 10 stats polls %lld ms, 2 filters %lld ms", first,
              update, statsTime, filter);
        QVERIFY2(first < 1000 && update < 1000 && statsTime < 1000 && filter < 1000, "too slow for 1,000 endpoints");
    }
};

QTEST_MAIN(TestEndpointModel)
#include "tst_endpointmodel.moc"
