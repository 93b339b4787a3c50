// Copy token: load, confirm (masked), copy with the secret hint.
#include "CopyTokenAction.h"

#include "ClipboardGuard.h"

#include "core/auth/SessionManager.h"

#include <QDateTime>
#include <QPushButton>

namespace heyo::ui {

std::optional<QMessageBox::StandardButton> CopyTokenAction::s_nextAnswer;

CopyTokenAction::CopyTokenAction(auth::SessionManager *sessions, ClipboardGuard *clipboard, QObject *parent)
    : QObject(parent), m_sessions(sessions), m_clipboard(clipboard)
{
}

void CopyTokenAction::setNextAnswer(QMessageBox::StandardButton answer)
{
    s_nextAnswer = answer;
}

QString CopyTokenAction::masked(const QByteArray &token)
{
    return QString::fromLatin1(token.left(10)) + QChar(0x2026);
}

void CopyTokenAction::run(const QString &accountId, QWidget *dialogParent)
{
    if (!m_sessions)
        return;
    QPointer<CopyTokenAction> self(this);
    QPointer<QWidget> parent(dialogParent);
    m_sessions->tokenFor(accountId, [self, accountId, parent](const auth::SessionManager::TokenReply &r) {
        if (!self)
            return;
        if (!r.ok()) {
            emit self->failed(accountId, r.message);
            return;
        }
        self->confirmAndCopy(accountId, r.token, parent);
    });
}

void CopyTokenAction::confirmAndCopy(const QString &accountId, const QByteArray &token, QWidget *dialogParent)
{
    const auto session = m_sessions->session(accountId);
    const QString email = session ? session->account.email : accountId;
    const int clearSecs = m_clipboard ? (m_clipboard->clearAfterMs() + 999) / 1000 : 30;
    auto copy = [this, accountId, token] {
        if (m_clipboard)
            m_clipboard->copySecret(token);
        emit copied(accountId, masked(token));
    };
    if (s_nextAnswer) {
        const auto answer = *s_nextAnswer;
        s_nextAnswer.reset();
        if (answer == QMessageBox::Ok || answer == QMessageBox::Yes)
            copy();
        else
            emit declined(accountId);
        return;
    }
    if (m_box)
        m_box->close();
    auto *box = new QMessageBox(dialogParent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("Copy token — Heyo Access"));
    box->setIcon(QMessageBox::Question);
    box->setText(tr("Copy the token of <b>%1</b>?").arg(email.toHtmlEscaped()));
    QString info = tr("Token: <tt>%1</tt>").arg(masked(token).toHtmlEscaped()) + QStringLiteral("<br><br>");
    if (session && session->expiresAt > 0) {
        const qint64 mins = qMax<qint64>(0, (session->expiresAt - QDateTime::currentSecsSinceEpoch()) / 60);
        info += tr("Anyone holding it can reach your private endpoints for the next %n minute(s).", nullptr, int(mins));
    } else {
        info += tr("Anyone holding it can reach your private endpoints until it expires.");
    }
    info += QStringLiteral(" ") + tr("The clipboard is cleared after %n second(s).", nullptr, clearSecs);
    box->setInformativeText(info);
    box->setStyleSheet(QStringLiteral("QLabel#qt_msgbox_informativelabel { min-width: 380px; }"));
    QPushButton *ok = box->addButton(tr("Copy token"), QMessageBox::AcceptRole);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(ok);
    connect(box, &QMessageBox::finished, this, [this, box, ok, copy, accountId] {
        if (box->clickedButton() == ok)
            copy();
        else
            emit declined(accountId);
    });
    m_box = box;
    box->show();
    box->raise();
    box->activateWindow();
}

} // namespace heyo::ui
