// The endpoints window: every endpoint of every signed-in account in a tree grouped by device, a filter box, the row
// actions as buttons, context menu and shortcuts, and a banner for what needs attention. It shows the model and emits
// requests; AppController carries them out. Columns are as wide as their content and the window fits a 1280×800
// screen at 1× and 2× (the tree scrolls sideways rather than cutting text).
#pragma once

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTreeView;
class QFrame;

namespace heyo::ui {

class ColumnFitter;
class ElidedLabel;
class EndpointModel;

class EndpointsWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit EndpointsWindow(EndpointModel *model, QWidget *parent = nullptr);

    QTreeView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    ColumnFitter *columnFitter() const { return m_fitter; }
    QLabel *stateLabel() const;
    QString selectedSlug() const;
    bool selectSlug(const QString &slug);

    void setSignedInText(const QString &text, int accounts);
    void setStateText(const QString &text);
    // A message that needs the user; `actionText` non-empty adds a button that emits bannerActionTriggered. `cause`
    // names what it is about, so it can go when that ends: endpointCause(slug) goes by itself when the model no
    // longer has a problem for that endpoint; any other cause goes with clearBanner(cause); none, when dismissed.
    void showBanner(const QString &text, const QString &actionText = {}, const QString &cause = {});
    void clearBanner(const QString &cause); // hides the banner if it is about `cause`
    void hideBanner();
    QString bannerText() const;
    QString bannerCause() const { return m_bannerCause; }
    static QString endpointCause(const QString &slug) { return QStringLiteral("endpoint:") + slug; }

signals:
    void openRequested(const QString &slug);
    void copyUrlRequested(const QString &slug);
    void copyCurlRequested(const QString &slug);
    void toggleForwardingRequested(const QString &slug);
    void signInRequested();
    void settingsRequested();
    void bannerActionTriggered();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateActions();
    void updateSummary();
    void dropEndedBanner();
    void showContextMenu(const QPoint &pos);

    EndpointModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTreeView *m_view;
    QLineEdit *m_filter;
    QStackedWidget *m_stack;
    QFrame *m_banner;
    QLabel *m_bannerText;
    QPushButton *m_bannerButton;
    QString m_bannerCause;
    ColumnFitter *m_fitter;
    QLabel *m_account;
    QPushButton *m_signIn;
    QPushButton *m_open;
    QPushButton *m_copyUrl;
    QPushButton *m_copyCurl;
    QPushButton *m_toggle;
    QLabel *m_summary;
    ElidedLabel *m_state;
};

} // namespace heyo::ui
