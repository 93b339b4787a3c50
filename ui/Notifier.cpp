// Tray messages with click actions and repeat suppression.
#include "Notifier.h"

#include "UiLogging.h"

#include <QMetaEnum>
#include <QSystemTrayIcon>

namespace heyo::ui {

Notifier::Notifier(QObject *parent) : QObject(parent) {}

void Notifier::setTrayIcon(QSystemTrayIcon *tray)
{
    if (m_tray)
        disconnect(m_tray, nullptr, this, nullptr);
    m_tray = tray;
    if (tray)
        connect(tray, &QSystemTrayIcon::messageClicked, this, &Notifier::activateLast);
}

QString Notifier::kindName(Kind kind)
{
    return QString::fromLatin1(QMetaEnum::fromType<Kind>().valueToKey(int(kind)));
}

void Notifier::notify(Kind kind, const QString &title, const QString &text, std::function<void()> onClick)
{
    const QString key = kindName(kind) + QLatin1Char('\n') + text;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto last = m_lastShown.constFind(key);
    if (last != m_lastShown.constEnd() && last->msecsTo(now) < m_repeatWindowMs)
        return;
    m_lastShown.insert(key, now);
    m_lastAction = std::move(onClick);
    m_history.append({kind, title, text});
    if (m_history.size() > 50)
        m_history.removeFirst();
    qCInfo(lcUi) << "notification" << kindName(kind) << title;
    if (m_tray && m_tray->isVisible()) {
        const auto icon = kind == Kind::Info ? QSystemTrayIcon::Information : QSystemTrayIcon::Warning;
        m_tray->showMessage(title, text, icon, 10000);
    }
    emit notified(kind, title, text);
}

void Notifier::activateLast()
{
    if (m_lastAction)
        m_lastAction();
}

} // namespace heyo::ui
