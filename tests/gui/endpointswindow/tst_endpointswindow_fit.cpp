// The endpoints window on a 1280×800 screen, run at 1× and again with QT_SCALE_FACTOR=2 (ctest runs both): its
// minimum size fits the screen, every button is inside the window with its text whole, no cell and no column title
// is elided — whatever the content (two accounts, long errors, big counters) — and with the demo's usual content at
// 1× every column is in view without scrolling. Its title carries the application's name once.
#include "ColumnFitter.h"
#include "EndpointModel.h"
#include "EndpointsWindow.h"
#include "Translations.h"

#include <QAbstractButton>
#include <QApplication>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>
#include <QTest>
#include <QTreeView>
#include <QWindow>

using namespace heyo;
using ui::EndpointModel;

namespace {

constexpr QSize kScreen(1280, 800); // device pixels

api::EndpointInfo ep(const QString &slug, const QString &device, bool isPrivate = true)
{
    api::EndpointInfo e;
    e.slug = slug;
    e.url = QUrl(QStringLiteral("https://%1.heyo.localhost:8443").arg(slug));
    e.deviceId = QStringLiteral("dev-") + device;
    e.deviceName = device;
    e.status = QStringLiteral("running");
    e.isPrivate = isPrivate;
    return e;
}

forward::ForwardStats stats(const QString &slug, quint16 port, quint64 requests, quint64 out, quint64 in,
                            const QString &error = {})
{
    forward::ForwardStats s;
    s.slug = slug;
    s.port = port;
    s.requests = requests;
    s.bytesOut = out;
    s.bytesIn = in;
    s.openConnections = requests ? 12 : 0;
    s.lastError = error;
    return s;
}

// The demo after a while: Ada's seven endpoints, two forwarded with traffic.
void demoContent(EndpointModel &m)
{
    m.setEndpoints("a1", "ada@demo.heyo",
                   {ep("demo-web", "ada-laptop"), ep("demo-files", "ada-laptop"), ep("demo-events", "build-server"),
                    ep("demo-git", "build-server"), ep("demo-ws", "build-server"), ep("demo-grpc", "build-server"),
                    ep("demo-docs", "raspberry-pi", false)});
    m.setStats({stats("demo-web", 7001, 1234, 100'000'000, 250'000), stats("demo-events", 7002, 0, 0, 0)});
}

// The worst the window meets: a second account, a request that failed, a start that failed, huge counters.
void hardContent(EndpointModel &m)
{
    demoContent(m);
    m.setEndpoints("b1", "bob.with.a.long.address@demo.heyo", {ep("bob-notes", "bobs-workstation-upstairs")});
    m.setStats({stats("demo-web", 7001, 987'654'321, 987'654'321'000ULL, 123'456'789'000ULL,
                      QStringLiteral("cannot reach endpoint 'demo-web': connection refused")),
                stats("demo-events", 7002, 0, 0, 0), stats("bob-notes", 7004, 3, 1'000, 999)});
    m.setForwardError("demo-files", QStringLiteral("cannot listen: 127.0.0.1:7003 is already in use (held "
                                                   "by python3, pid 4242)"));
}

// Exposes the delegate's own view of an item: the text and font it paints with.
struct Probe : QStyledItemDelegate {
    using QStyledItemDelegate::initStyleOption;
};

} // namespace

class TestEndpointsWindowFit : public QObject {
    Q_OBJECT
private:
    QSize logicalScreen(const QWidget *w) const
    {
        const qreal dpr = w->devicePixelRatioF();
        return QSize(qFloor(kScreen.width() / dpr), qFloor(kScreen.height() / dpr));
    }

    std::unique_ptr<ui::EndpointsWindow> show(EndpointModel &m, int accounts)
    {
        auto w = std::make_unique<ui::EndpointsWindow>(&m);
        w->setSignedInText(accounts > 1 ? QStringLiteral("2 accounts signed in")
                                        : QStringLiteral("Signed in as ada@demo.heyo"),
                           accounts);
        w->setStateText(QStringLiteral("Heyo Access: forwarding 2 endpoints"));
        w->show();
        w->resize(logicalScreen(w.get())); // maximised on a 1280×800 screen (no window manager here to do it)
        if (!QTest::qWaitForWindowExposed(w.get()))
            return nullptr;
        w->view()->expandAll();
        w->columnFitter()->fit();
        QCoreApplication::processEvents();
        return w;
    }

    // Every cell, every column title and every button of `w` is whole.
    void verifyNothingCut(ui::EndpointsWindow *w)
    {
        QTreeView *view = w->view();
        QHeaderView *header = view->header();
        Probe probe;
        const QAbstractItemModel *m = view->model();
        QStyle *style = view->style();
        const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, view) + 1;
        int checked = 0;
        std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
            for (int r = 0; r < m->rowCount(parent); ++r) {
                for (int c = 0; c < m->columnCount(parent); ++c) {
                    if (header->isSectionHidden(c))
                        continue;
                    const QModelIndex i = m->index(r, c, parent);
                    QStyleOptionViewItem opt;
                    opt.initFrom(view->viewport());
                    opt.font = view->font();
                    opt.rect = view->visualRect(i);
                    probe.initStyleOption(&opt, i);
                    if (opt.text.isEmpty())
                        continue;
                    // What QCommonStyle elides against: the text rectangle less its margins.
                    const QRect text = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, view);
                    const int need = QFontMetrics(opt.font).horizontalAdvance(opt.text);
                    QVERIFY2(need <= text.width() - 2 * margin,
                             qPrintable(QStringLiteral("column %1 cuts '%2': %3 px needed, %4 px there")
                                            .arg(m->headerData(c, Qt::Horizontal).toString(), opt.text)
                                            .arg(need)
                                            .arg(text.width() - 2 * margin)));
                    ++checked;
                }
                walk(m->index(r, 0, parent));
            }
        };
        walk({});
        QVERIFY(checked > 30);
        for (int c = 0; c < header->count(); ++c)
            if (!header->isSectionHidden(c))
                QVERIFY2(header->sectionSizeHint(c) <= header->sectionSize(c),
                         qPrintable(m->headerData(c, Qt::Horizontal).toString()));

        const QRect inside = w->rect();
        for (QAbstractButton *b : w->findChildren<QAbstractButton *>()) {
            // The line edit's own clear button sizes itself; the rest are ours.
            if (!b->isVisibleTo(w) || qobject_cast<QLineEdit *>(b->parentWidget()))
                continue;
            const QString name = b->text().isEmpty() ? b->toolTip() : b->text();
            const QRect r(b->mapTo(w, QPoint(0, 0)), b->size());
            QVERIFY2(inside.contains(r), qPrintable(name + QStringLiteral(" is outside the window")));
            QVERIFY2(b->sizeHint().width() <= b->width(), qPrintable(QStringLiteral("%1 is squeezed: %2 px of %3")
                                                                         .arg(name)
                                                                         .arg(b->width())
                                                                         .arg(b->sizeHint().width())));
        }
        const QSize min = w->minimumSizeHint();
        const QSize screen = logicalScreen(w);
        QVERIFY2(min.width() <= screen.width() && min.height() <= screen.height(),
                 qPrintable(QStringLiteral("minimum %1×%2 on a screen of %3×%4")
                                .arg(min.width())
                                .arg(min.height())
                                .arg(screen.width())
                                .arg(screen.height())));
        QVERIFY(w->width() <= screen.width());
    }

private slots:
    void initTestCase()
    {
        ui::Translations::install();
        QApplication::setApplicationDisplayName(QStringLiteral("Heyo Access")); // as main() does
        qInfo("device pixel ratio %.1f", qApp->devicePixelRatio());
    }

    void demoContentIsAllInView()
    {
        EndpointModel m;
        demoContent(m);
        auto w = show(m, 1);
        QVERIFY(w);
        verifyNothingCut(w.get());
        if (QTest::currentTestFailed())
            return;
        if (w->devicePixelRatioF() < 1.5) { // at 2× a 640-pixel-wide window must scroll; at 1× nothing hides
            QHeaderView *header = w->view()->header();
            QVERIFY2(header->length() <= w->view()->viewport()->width(),
                     qPrintable(QStringLiteral("%1 px of columns in %2 px")
                                    .arg(header->length())
                                    .arg(w->view()->viewport()->width())));
        }
        // The status bar says its whole text at this size.
        QVERIFY(!w->stateLabel()->text().isEmpty());
        QVERIFY(w->stateLabel()->width() >= w->stateLabel()->fontMetrics().horizontalAdvance(w->stateLabel()->text()));
    }

    void hardContentIsNeverCut()
    {
        EndpointModel m;
        hardContent(m);
        auto w = show(m, 2);
        QVERIFY(w);
        QVERIFY(!w->view()->header()->isSectionHidden(EndpointModel::Account));
        verifyNothingCut(w.get());
        if (const QString dir = qEnvironmentVariable("HEYO_SCREENSHOT_DIR"); !dir.isEmpty()) // to look at
            QVERIFY(
                w->grab().save(QStringLiteral("%1/endpoints-1280x800-%2x.png").arg(dir).arg(w->devicePixelRatioF())));
        // A long attention reason does not widen the window: the status bar elides it, the tooltip has it all.
        w->setStateText(QStringLiteral("Heyo Access needs attention: demo-web: cannot reach endpoint 'demo-web': "
                                       "connection refused (and 1 more)"));
        QCoreApplication::processEvents();
        QVERIFY(w->minimumSizeHint().width() <= logicalScreen(w.get()).width());
        QVERIFY(w->width() <= logicalScreen(w.get()).width());
    }

    void growsWithTheContent()
    {
        // A longer error arrives later: the column follows, nothing is cut.
        EndpointModel m;
        demoContent(m);
        auto w = show(m, 1);
        QVERIFY(w);
        const int before = w->view()->header()->sectionSize(EndpointModel::LastError);
        m.setStats({stats("demo-web", 7001, 5, 5, 5,
                          QStringLiteral("endpoint 'demo-web' did not answer in time (no response head within 60 "
                                         "seconds of sending the request)")),
                    stats("demo-events", 7002, 0, 0, 0)});
        QTRY_VERIFY(w->view()->header()->sectionSize(EndpointModel::LastError) > before);
        verifyNothingCut(w.get());
    }

    void titleNamesTheAppOnce()
    {
        EndpointModel m;
        auto w = show(m, 0);
        QVERIFY(w);
        // What the window manager is given (Qt adds the display name to a title that does not end with it).
        QProcess xprop;
        xprop.start(QStringLiteral("xprop"), {QStringLiteral("-id"), QString::number(w->winId()),
                                              QStringLiteral("-notype"), QStringLiteral("_NET_WM_NAME")});
        QVERIFY(xprop.waitForFinished(5000));
        const QString shown = QString::fromUtf8(xprop.readAllStandardOutput()).trimmed();
        QCOMPARE(shown, QStringLiteral("_NET_WM_NAME = \"Endpoints — Heyo Access\""));
    }

    void fittingAThousandEndpointsIsQuick()
    {
        EndpointModel m;
        api::EndpointList list;
        QList<forward::ForwardStats> s;
        for (int d = 0; d < 50; ++d)
            for (int i = 0; i < 20; ++i) {
                list << ep(QStringLiteral("ep-%1-%2").arg(d).arg(i), QStringLiteral("device-%1").arg(d));
                if (i < 2)
                    s << stats(list.last().slug, quint16(7000 + d * 2 + i), 10, 10'000, 1'000);
            }
        m.setEndpoints("a1", "ada@x", list);
        m.setStats(s);
        auto w = show(m, 1);
        QVERIFY(w);
        QElapsedTimer t;
        t.start();
        for (int round = 0; round < 5; ++round) { // five polls with every counter moving
            for (auto &one : s)
                one.requests += 1;
            m.setStats(s);
            w->columnFitter()->fit();
        }
        const qint64 ms = t.elapsed();
        qInfo("5 polls of 100 forwarded endpoints among 1,000, each refitted: %lld ms", ms);
        QVERIFY2(ms < 2500, "refitting the columns is too slow for 1,000 endpoints");
    }
};

QTEST_MAIN(TestEndpointsWindowFit)
#include "tst_endpointswindow_fit.moc"
