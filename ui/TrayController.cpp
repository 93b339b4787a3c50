// Tray icon state, tooltip and menu.
#include "TrayController.h"

#include "EndpointModel.h"

#include "core/auth/SessionManager.h"

#include <QApplication>
#include <QEvent>
#include <QGuiApplication>
#include <QMenu>
#include <QMetaEnum>
#include <QPalette>
#include <QStyle>
#include <QSystemTrayIcon>

namespace heyo::ui {

namespace {
bool paletteIsDark()
{
    return QGuiApplication::palette().color(QPalette::Window).lightness() < 128;
}
} // namespace

TrayController::TrayController(auth::SessionManager *sessions, EndpointModel *model, bool withIcon, QObject *parent)
    : QObject(parent), m_sessions(sessions), m_model(model), m_menu(std::make_unique<QMenu>())
{
    m_dark = paletteIsDark();
    m_menuTimer.setSingleShot(true);
    m_menuTimer.setInterval(0);
    connect(&m_menuTimer, &QTimer::timeout, this, &TrayController::rebuildMenu);
    if (withIcon) {
        m_tray = std::make_unique<QSystemTrayIcon>();
        m_tray->setContextMenu(m_menu.get());
        connect(m_tray.get(), &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason r) {
            if (r == QSystemTrayIcon::Trigger || r == QSystemTrayIcon::DoubleClick)
                emit showEndpointsRequested();
        });
    }
    connect(sessions, &auth::SessionManager::accountsChanged, this, [this] {
        update();
        scheduleMenu();
    });
    connect(sessions, &auth::SessionManager::sessionChanged, this, &TrayController::update);
    connect(model, &EndpointModel::contentsChanged, this, [this] {
        update();
        scheduleMenu();
    });
    // An endpoint's error appears or ends: the icon, tooltip and menu follow at once.
    connect(model, &EndpointModel::problemsChanged, this, [this] {
        update();
        scheduleMenu();
    });
    qApp->installEventFilter(this);
    update();
    rebuildMenu();
    if (m_tray)
        m_tray->show();
}

TrayController::~TrayController()
{
    if (m_tray)
        m_tray->hide();
}

TrayController::State TrayController::stateFor(bool signedIn, int forwarding, bool attention)
{
    if (attention)
        return State::Attention;
    if (!signedIn)
        return State::SignedOut;
    return forwarding > 0 ? State::Forwarding : State::SignedIn;
}

QString TrayController::stateName(State s)
{
    return QString::fromLatin1(QMetaEnum::fromType<State>().valueToKey(int(s)));
}

QString TrayController::iconPathFor(State s, bool darkPalette)
{
    static const char *names[] = {"signed-out", "signed-in", "forwarding", "attention"};
    return QStringLiteral(":/icons/tray/%1-%2.svg")
        .arg(QLatin1String(names[int(s)]), darkPalette ? QStringLiteral("dark") : QStringLiteral("light"));
}

QString TrayController::iconPath() const
{
    return iconPathFor(m_state, m_dark);
}

QString TrayController::attention() const
{
    if (!m_attention.isEmpty())
        return m_attention;
    const QMap<QString, QString> problems = m_model ? m_model->problems() : QMap<QString, QString>();
    if (problems.isEmpty())
        return {};
    QString reason = tr("%1: %2").arg(problems.firstKey(), problems.first());
    if (problems.size() > 1)
        reason += tr(" (and %n more)", nullptr, int(problems.size() - 1));
    return reason;
}

void TrayController::setAttention(const QString &reason)
{
    if (m_attention == reason)
        return;
    m_attention = reason;
    update();
}

bool TrayController::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == qApp && event->type() == QEvent::ApplicationPaletteChange) {
        m_dark = paletteIsDark();
        update();
    }
    return QObject::eventFilter(watched, event);
}

void TrayController::update()
{
    const int accounts = m_sessions ? int(m_sessions->accountIds().size()) : 0;
    const int forwarding = m_model ? m_model->forwardedCount() : 0;
    const QString reason = attention();
    const State s = stateFor(accounts > 0, forwarding, !reason.isEmpty());
    QString tip;
    switch (s) {
    case State::SignedOut:
        tip = tr("Heyo Access: not signed in");
        break;
    case State::SignedIn:
        tip = tr("Heyo Access: signed in, nothing forwarded");
        break;
    case State::Forwarding:
        tip = tr("Heyo Access: forwarding %n endpoint(s)", nullptr, forwarding);
        break;
    case State::Attention:
        tip = tr("Heyo Access needs attention: %1").arg(reason);
        break;
    }
    const bool changed = s != m_state, tipChanged = tip != m_toolTip;
    m_state = s;
    m_toolTip = tip;
    if (m_tray) {
        m_tray->setIcon(QIcon(iconPath()));
        m_tray->setToolTip(tip);
    }
    if (changed)
        emit stateChanged(s);
    if (tipChanged)
        emit toolTipChanged(tip);
}

void TrayController::scheduleMenu()
{
    m_menuTimer.start();
}

void TrayController::rebuildMenu()
{
    QMenu *menu = m_menu.get();
    menu->clear();
    const QStringList accounts = m_sessions ? m_sessions->accountIds() : QStringList();
    QHash<QString, QString> emails;
    for (const QString &id : accounts) {
        const auto s = m_sessions->session(id);
        emails.insert(id, s ? s->account.email : id);
    }
    if (accounts.isEmpty()) {
        menu->addAction(tr("Not signed in"))->setEnabled(false);
    } else {
        for (const QString &id : accounts)
            menu->addAction(QIcon::fromTheme(QStringLiteral("user-identity")), tr("Signed in as %1").arg(emails[id]))
                ->setEnabled(false);
    }
    menu->addSeparator();

    if (m_model && m_model->deviceCount() > 0) {
        for (int d = 0; d < m_model->rowCount(); ++d) {
            const QModelIndex dev = m_model->index(d, 0);
            QMenu *devMenu = menu->addMenu(QIcon::fromTheme(QStringLiteral("computer")), m_model->data(dev).toString());
            addEndpoints(devMenu, dev);
        }
        menu->addSeparator();
    }
    menu->addAction(tr("Show endpoints…"), this, &TrayController::showEndpointsRequested);
    menu->addSeparator();
    if (accounts.size() == 1) {
        const QString &id = accounts.first();
        menu->addAction(tr("Copy token"), this, [this, id] { emit copyTokenRequested(id); });
    } else if (accounts.size() > 1) {
        QMenu *m = menu->addMenu(tr("Copy token"));
        for (const QString &id : accounts)
            m->addAction(emails[id], this, [this, id] { emit copyTokenRequested(id); });
    }
    menu->addAction(tr("Sign in…"), this, &TrayController::signInRequested);
    if (accounts.size() == 1) {
        const QString &id = accounts.first();
        menu->addAction(tr("Sign out"), this, [this, id] { emit signOutRequested(id); });
    } else if (accounts.size() > 1) {
        QMenu *m = menu->addMenu(tr("Sign out"));
        for (const QString &id : accounts)
            m->addAction(emails[id], this, [this, id] { emit signOutRequested(id); });
    }
    menu->addSeparator();
    menu->addAction(tr("Settings…"), this, &TrayController::settingsRequested);
    menu->addAction(tr("Quit"), this, &TrayController::quitRequested);
}

// A device's endpoints, each a heading and its actions in the device's own menu. A third level (endpoint submenus)
// opened over the top menu on an XEmbed tray at the screen's edge; two levels are placed right everywhere.
void TrayController::addEndpoints(QMenu *deviceMenu, const QModelIndex &device)
{
    const QMap<QString, QString> problems = m_model->problems();
    for (int r = 0; r < m_model->rowCount(device); ++r) {
        const QModelIndex e = m_model->index(r, 0, device);
        const QString slug = e.data(EndpointModel::SlugRole).toString();
        const bool forwarded = e.data(EndpointModel::ForwardedRole).toBool();
        const QUrl url = e.data(EndpointModel::LocalUrlRole).toUrl();
        if (r > 0)
            deviceMenu->addSeparator();
        // A plain disabled item, not addSection(): D-Bus tray menus drop a section's text.
        QAction *heading = deviceMenu->addAction(forwarded ? tr("%1 — port %2").arg(slug).arg(url.port()) : slug);
        heading->setEnabled(false);
        if (problems.contains(slug)) {
            heading->setIcon(QIcon::fromTheme(QStringLiteral("dialog-warning"),
                                              QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning)));
            heading->setToolTip(problems.value(slug));
        }
        const auto add = [&](const QString &text, void (TrayController::*signal)(const QString &)) {
            QAction *a = deviceMenu->addAction(text, this, [this, slug, signal] { emit(this->*signal)(slug); });
            a->setData(slug);
        };
        add(tr("Open in browser"), &TrayController::openRequested);
        add(tr("Copy local URL"), &TrayController::copyUrlRequested);
        add(tr("Copy curl command"), &TrayController::copyCurlRequested);
        add(forwarded ? tr("Stop forwarding") : tr("Start forwarding"), &TrayController::toggleForwardingRequested);
    }
}

} // namespace heyo::ui
