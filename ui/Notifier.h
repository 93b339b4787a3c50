// Tells the user what needs their attention: a tray message where there is a tray, otherwise the endpoints window's
// banner. Each kind may carry an action run when the message is clicked (e.g. open the sign-in dialog). Repeats of the
// same message within a few seconds are dropped: a browser retrying a 403 must not flood the desktop.
#pragma once

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>

class QSystemTrayIcon;

namespace heyo::ui {

class Notifier : public QObject {
    Q_OBJECT
public:
    enum class Kind { SessionExpired, SignInNeeded, WrongAccount, PortInUse, ServiceUnreachable, Keychain, Info };
    Q_ENUM(Kind)

    struct Message {
        Kind kind = Kind::Info;
        QString title;
        QString text;
    };

    explicit Notifier(QObject *parent = nullptr);

    // Null: no tray; messages then only go out through notified() (the window shows them).
    void setTrayIcon(QSystemTrayIcon *tray);
    void setRepeatWindowMs(int ms) { m_repeatWindowMs = ms; }

    void notify(Kind kind, const QString &title, const QString &text, std::function<void()> onClick = {});
    // What a click on the last message does (tests call it directly; the tray calls it on messageClicked).
    void activateLast();

    QList<Message> history() const { return m_history; }
    static QString kindName(Kind kind);

signals:
    void notified(heyo::ui::Notifier::Kind kind, const QString &title, const QString &text);

private:
    QPointer<QSystemTrayIcon> m_tray;
    std::function<void()> m_lastAction;
    QList<Message> m_history;
    QHash<QString, QDateTime> m_lastShown;
    int m_repeatWindowMs = 10000;
};

} // namespace heyo::ui
