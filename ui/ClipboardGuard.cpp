// Clipboard writes with the password-manager hint and the clear-after timer.
#include "ClipboardGuard.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QMimeData>

namespace heyo::ui {

ClipboardGuard::ClipboardGuard(QObject *parent) : QObject(parent)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ClipboardGuard::clearIfUnchanged);
}

void ClipboardGuard::copyText(const QString &text)
{
    m_timer.stop();
    m_secret.fill('\0');
    m_secret.clear();
    QGuiApplication::clipboard()->setText(text);
}

void ClipboardGuard::copySecret(const QByteArray &secret)
{
    auto *mime = new QMimeData;
    mime->setText(QString::fromUtf8(secret));
    mime->setData(QStringLiteral("x-kde-passwordManagerHint"), QByteArrayLiteral("secret"));
    QGuiApplication::clipboard()->setMimeData(mime); // the clipboard owns it
    m_secret = secret;
    m_timer.start(m_clearAfterMs);
}

void ClipboardGuard::clearIfUnchanged()
{
    QClipboard *cb = QGuiApplication::clipboard();
    const bool still = !m_secret.isEmpty() && cb->text().toUtf8() == m_secret;
    if (still)
        cb->clear();
    m_secret.fill('\0');
    m_secret.clear();
    emit expired(still);
}

} // namespace heyo::ui
