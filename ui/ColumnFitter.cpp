// Column widths from content: measured per column, only where the model changed, at most once per loop turn.
#include "ColumnFitter.h"

#include <QEvent>
#include <QGuiApplication>
#include <QHeaderView>
#include <QTreeView>

namespace heyo::ui {

ColumnFitter::ColumnFitter(QTreeView *view) : QObject(view), m_view(view)
{
    QHeaderView *h = view->header();
    h->setStretchLastSection(false); // a stretched section ignores its content: long errors were cut
    h->setSectionResizeMode(QHeaderView::Interactive);
    m_timer.setSingleShot(true);
    m_timer.setInterval(0);
    connect(&m_timer, &QTimer::timeout, this, &ColumnFitter::fit);
    connect(h, &QHeaderView::sectionResized, this, [this](int logical, int, int size) {
        if (m_fitting)
            return;
        // Dragged wider stays wider; narrower than the content springs back. (Qt resizes sections itself too.)
        if (size > 0 && (QGuiApplication::mouseButtons() & Qt::LeftButton))
            m_userWidth.insert(logical, size);
        schedule(-1);
    });
    connect(h, &QHeaderView::sectionCountChanged, this, [this] { schedule(); });
    connect(view, &QTreeView::expanded, this, [this] { schedule(); }); // rows a collapsed device hid are measured now
    connect(view, &QTreeView::collapsed, this, [this] { schedule(); });
    view->viewport()->installEventFilter(this);
    if (QAbstractItemModel *m = view->model()) {
        connect(m, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &tl, const QModelIndex &br) { schedule(tl.column(), br.column()); });
        for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
            connect(m, signal, this, [this] { schedule(); });
        connect(m, &QAbstractItemModel::modelReset, this, [this] { schedule(); });
        connect(m, &QAbstractItemModel::layoutChanged, this, [this] { schedule(); });
        connect(m, &QAbstractItemModel::headerDataChanged, this, [this] { schedule(); });
    }
    schedule();
}

bool ColumnFitter::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        schedule(-1); // only the last column's share changes
    return QObject::eventFilter(watched, event);
}

void ColumnFitter::schedule(int firstColumn, int lastColumn)
{
    const int count = m_view->header()->count();
    if (firstColumn >= 0) {
        const int last = lastColumn < 0 ? count - 1 : lastColumn;
        for (int c = firstColumn; c <= last; ++c)
            m_stale.insert(c);
    }
    m_timer.start();
}

int ColumnFitter::lastVisible() const
{
    const QHeaderView *h = m_view->header();
    for (int v = h->count() - 1; v >= 0; --v)
        if (!h->isSectionHidden(h->logicalIndex(v)))
            return h->logicalIndex(v);
    return -1;
}

int ColumnFitter::contentWidth(int logical) const
{
    // The view measures its rows with the delegate (indentation, icons, the style's padding included); the header
    // its title and sort indicator. (QTreeView hides the public QAbstractItemView override.)
    const QAbstractItemView *view = m_view;
    return qMax(view->sizeHintForColumn(logical), m_view->header()->sectionSizeHint(logical));
}

void ColumnFitter::fit()
{
    m_timer.stop();
    QHeaderView *h = m_view->header();
    m_fitting = true;
    const int last = lastVisible();
    int used = 0;
    for (int c = 0; c < h->count(); ++c) {
        if (h->isSectionHidden(c))
            continue;
        if (m_stale.contains(c) || !m_content.contains(c))
            m_content.insert(c, contentWidth(c));
        const int width = qMax(m_content.value(c), m_userWidth.value(c));
        if (c == last)
            continue;
        if (h->sectionSize(c) != width)
            h->resizeSection(c, width);
        used += width;
    }
    m_stale.clear();
    if (last >= 0) {
        const int left = m_view->viewport()->width() - used;
        const int width = qMax(qMax(m_content.value(last), m_userWidth.value(last)), left);
        if (h->sectionSize(last) != width)
            h->resizeSection(last, width);
    }
    m_fitting = false;
}

} // namespace heyo::ui
