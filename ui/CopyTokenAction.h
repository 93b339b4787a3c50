// "Copy token": loads the account's token, asks for confirmation naming the account and showing the token masked
// (first 10 characters and "…"), then copies it through the ClipboardGuard (secret hint, cleared later).
// Test seam (as in KeePassXC): setNextAnswer() answers the next confirmation without showing it.
#pragma once

#include <QMessageBox>
#include <QObject>
#include <QPointer>

#include <optional>

namespace heyo::auth {
class SessionManager;
}

namespace heyo::ui {

class ClipboardGuard;

class CopyTokenAction : public QObject {
    Q_OBJECT
public:
    CopyTokenAction(auth::SessionManager *sessions, ClipboardGuard *clipboard, QObject *parent = nullptr);

    void run(const QString &accountId, QWidget *dialogParent = nullptr);
    // The confirmation currently shown (null when none).
    QMessageBox *confirmation() const { return m_box; }

    static void setNextAnswer(QMessageBox::StandardButton answer);
    static QString masked(const QByteArray &token); // "eyJhbGciOi…"

signals:
    void copied(const QString &accountId, const QString &maskedToken);
    void failed(const QString &accountId, const QString &message);
    void declined(const QString &accountId);

private:
    void confirmAndCopy(const QString &accountId, const QByteArray &token, QWidget *dialogParent);

    QPointer<auth::SessionManager> m_sessions;
    QPointer<ClipboardGuard> m_clipboard;
    QPointer<QMessageBox> m_box;
    static std::optional<QMessageBox::StandardButton> s_nextAnswer;
};

} // namespace heyo::ui
