// The tray icon and its menu: the icon shows the worst current state (signed out, signed in, forwarding, attention) in
// the panel's light or dark variant, the tooltip says it in words, the menu reaches every endpoint (grouped by device,
// two levels deep) and every account action. It only emits requests; AppController carries them out.
#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>

class QMenu;
class QModelIndex;
class QSystemTrayIcon;

namespace heyo::auth {
class SessionManager;
}

namespace heyo::ui {

class EndpointModel;

class TrayController : public QObject {
    Q_OBJECT
public:
    enum class State { SignedOut, SignedIn, Forwarding, Attention };
    Q_ENUM(State)

    // `withIcon` false: no tray on this desktop; the state is still tracked (the window shows it).
    TrayController(auth::SessionManager *sessions, EndpointModel *model, bool withIcon, QObject *parent = nullptr);
    ~TrayController() override;

    State state() const { return m_state; }
    QString toolTip() const { return m_toolTip; }
    QString iconPath() const; // the resource currently shown
    QSystemTrayIcon *trayIcon() const { return m_tray.get(); }
    QMenu *menu() const { return m_menu.get(); }

    // Something about the app or an account needs the user (keychain unavailable, expired session, service
    // unreachable); empty clears it. Endpoint problems come from the model by themselves, while they last.
    void setAttention(const QString &reason);
    // What needs attention now: the reason above, else the model's current endpoint problems; empty when nothing.
    QString attention() const;

    static State stateFor(bool signedIn, int forwarding, bool attention);
    static QString stateName(State s);
    // ":/icons/tray/<state>-<light|dark>.svg": the dark variant (light glyph) when the palette is dark.
    static QString iconPathFor(State s, bool darkPalette);

    void rebuildMenu();

signals:
    void openRequested(const QString &slug);
    void copyUrlRequested(const QString &slug);
    void copyCurlRequested(const QString &slug);
    void toggleForwardingRequested(const QString &slug);
    void copyTokenRequested(const QString &accountId);
    void signInRequested();
    void signOutRequested(const QString &accountId);
    void settingsRequested();
    void showEndpointsRequested();
    void quitRequested();
    void stateChanged(heyo::ui::TrayController::State state);
    void toolTipChanged(const QString &toolTip); // the words change more often than the state

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void update();
    void scheduleMenu();
    void addEndpoints(QMenu *deviceMenu, const QModelIndex &device);

    QPointer<auth::SessionManager> m_sessions;
    QPointer<EndpointModel> m_model;
    std::unique_ptr<QMenu> m_menu;
    std::unique_ptr<QSystemTrayIcon> m_tray;
    QTimer m_menuTimer;
    State m_state = State::SignedOut;
    QString m_toolTip;
    QString m_attention; // the app's and accounts' reason (setAttention)
    bool m_dark = false;
};

} // namespace heyo::ui
