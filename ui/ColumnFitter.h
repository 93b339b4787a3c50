// Keeps a tree view's columns as wide as what they show, so no cell or header text is ever cut: each visible column
// gets its content's width (or more, if the user widened it), the last one also whatever the viewport has left, and
// a window narrower than the content scrolls sideways instead of eliding.
#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

class QTreeView;

namespace heyo::ui {

class ColumnFitter : public QObject {
    Q_OBJECT
public:
    explicit ColumnFitter(QTreeView *view); // a child of the view; set the view's model first
    // Sizes the columns now (otherwise it happens once per event-loop turn after the model or the view changed).
    void fit();
    // What column `logical` needs to show every cell and its header uncut.
    int contentWidth(int logical) const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void schedule(int firstColumn = 0, int lastColumn = -1);
    int lastVisible() const;

    QTreeView *m_view;
    QTimer m_timer;
    QHash<int, int> m_content;   // measured content width per column
    QSet<int> m_stale;           // columns to measure again
    QHash<int, int> m_userWidth; // widths the user dragged a column to
    bool m_fitting = false;
};

} // namespace heyo::ui
