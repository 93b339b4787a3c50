// The endpoints window: every endpoint of every signed-in account in a tree grouped by device, a filter box, the row
// actions as buttons, context menu and shortcuts, and a banner for what needs attention. It shows the model and emits
// requests; AppController carries them out.
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

class EndpointModel;

class EndpointsWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit EndpointsWindow(EndpointModel *model, QWidget *parent = nullptr);

    QTreeView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QString selectedSlug() const;
    bool selectSlug(const QString &slug);

    void setSignedInText(const QString &text, int accounts);
    void setStateText(const QString &text);
    // A message that needs the user; `actionText` non-empty adds a button that emits bannerActionTriggered.
    void showBanner(const QString &text, const QString &actionText = {});
    void hideBanner();
    QString bannerText() const;

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
    void showContextMenu(const QPoint &pos);

    EndpointModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTreeView *m_view;
    QLineEdit *m_filter;
    QStackedWidget *m_stack;
    QFrame *m_banner;
    QLabel *m_bannerText;
    QPushButton *m_bannerButton;
    QLabel *m_account;
    QPushButton *m_signIn;
    QPushButton *m_open;
    QPushButton *m_copyUrl;
    QPushButton *m_copyCurl;
    QPushButton *m_toggle;
    QLabel *m_summary;
    QLabel *m_state;
};

} // namespace heyo::ui
