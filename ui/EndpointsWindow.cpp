// The endpoints window's layout, filtering and keyboard handling.
#include "EndpointsWindow.h"

#include "ColumnFitter.h"
#include "ElidedLabel.h"
#include "EndpointModel.h"

#include <QAction>
#include <QApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace heyo::ui {

EndpointsWindow::EndpointsWindow(EndpointModel *model, QWidget *parent) : QMainWindow(parent), m_model(model)
{
    // Like every window of the app: "<what> — Heyo Access". Qt adds the display name to a title that does not end
    // with it, which made "Heyo Access — Endpoints — Heyo Access".
    setWindowTitle(tr("Endpoints — Heyo Access"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/heyo-access.svg")));
    resize(1100, 560);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(12, 12, 12, 8);
    layout->setSpacing(8);

    // Top row: filter on the left, who is signed in and the account actions on the right.
    auto *top = new QHBoxLayout;
    m_filter = new QLineEdit(central);
    m_filter->setPlaceholderText(tr("Filter endpoints (Ctrl+F)"));
    m_filter->setToolTip(tr("Filter by endpoint, device or account"));
    m_filter->setClearButtonEnabled(true);
    m_filter->addAction(style()->standardIcon(QStyle::SP_FileDialogContentsView), QLineEdit::LeadingPosition);
    m_filter->setAccessibleName(tr("Filter endpoints"));
    m_filter->setMinimumWidth(m_filter->fontMetrics().horizontalAdvance(m_filter->placeholderText()) + 60);
    top->addWidget(m_filter, 1);
    top->addSpacing(12);
    m_account = new QLabel(central);
    m_account->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_account);
    m_signIn = new QPushButton(tr("Sign &in…"), central);
    connect(m_signIn, &QPushButton::clicked, this, &EndpointsWindow::signInRequested);
    top->addWidget(m_signIn);
    auto *settings = new QToolButton(central);
    settings->setText(tr("Settings…"));
    settings->setToolTip(tr("Settings"));
    settings->setIcon(
        QIcon::fromTheme(QStringLiteral("configure"), QIcon::fromTheme(QStringLiteral("preferences-system"))));
    settings->setToolButtonStyle(settings->icon().isNull() ? Qt::ToolButtonTextOnly : Qt::ToolButtonIconOnly);
    connect(settings, &QToolButton::clicked, this, &EndpointsWindow::settingsRequested);
    top->addWidget(settings);
    layout->addLayout(top);

    // Banner: what needs attention (expired session, keychain, wrong account), with an action where one helps.
    m_banner = new QFrame(central);
    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setStyleSheet(
        QStringLiteral("#banner { background: #fdf3e1; border: 1px solid #e8c37a; border-radius: 4px; }"
                       "#banner QLabel { color: #5a3d00; }"));
    auto *bl = new QHBoxLayout(m_banner);
    bl->setContentsMargins(10, 6, 6, 6);
    auto *bannerIcon = new QLabel(m_banner);
    bannerIcon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(20, 20));
    bl->addWidget(bannerIcon);
    m_bannerText = new QLabel(m_banner);
    m_bannerText->setWordWrap(true);
    bl->addWidget(m_bannerText, 1);
    m_bannerButton = new QPushButton(m_banner);
    connect(m_bannerButton, &QPushButton::clicked, this, &EndpointsWindow::bannerActionTriggered);
    bl->addWidget(m_bannerButton);
    auto *close = new QToolButton(m_banner);
    close->setAutoRaise(true);
    close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    close->setToolTip(tr("Dismiss"));
    connect(close, &QToolButton::clicked, this, &EndpointsWindow::hideBanner);
    bl->addWidget(close);
    m_banner->hide();
    layout->addWidget(m_banner);

    // The tree, or an empty state when nobody is signed in.
    m_stack = new QStackedWidget(central);
    auto *empty = new QWidget(m_stack);
    auto *el = new QVBoxLayout(empty);
    el->addStretch(2);
    auto *logo = new QLabel(empty);
    logo->setPixmap(QIcon(QStringLiteral(":/icons/heyo-access.svg")).pixmap(72, 72));
    logo->setAlignment(Qt::AlignCenter);
    el->addWidget(logo);
    auto *emptyTitle = new QLabel(tr("<h3>No endpoints yet</h3>"), empty);
    emptyTitle->setAlignment(Qt::AlignCenter);
    el->addWidget(emptyTitle);
    auto *emptyText = new QLabel(tr("Sign in to see the private endpoints of your devices and reach them from "
                                    "curl, git and your browser."),
                                 empty);
    emptyText->setAlignment(Qt::AlignCenter);
    emptyText->setWordWrap(true);
    el->addWidget(emptyText);
    auto *emptyButton = new QPushButton(tr("Sign in…"), empty);
    connect(emptyButton, &QPushButton::clicked, this, &EndpointsWindow::signInRequested);
    auto *eb = new QHBoxLayout;
    eb->addStretch();
    eb->addWidget(emptyButton);
    eb->addStretch();
    el->addLayout(eb);
    el->addStretch(3);
    m_stack->addWidget(empty);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(model);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setAutoAcceptChildRows(true); // typing a device's name shows all of its endpoints
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setSortRole(EndpointModel::SortRole);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    m_view = new QTreeView(m_stack);
    m_view->setModel(m_proxy);
    m_view->setUniformRowHeights(true); // 1,000 rows: no per-row size hints
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(EndpointModel::Name, Qt::AscendingOrder);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setAllColumnsShowFocus(true);
    m_view->setAccessibleName(tr("Endpoints"));
    QHeaderView *h = m_view->header();
    // The tree already groups by device; the column stays in the model (filtering, flat views) but is hidden here.
    h->hideSection(EndpointModel::Device);
    m_view->setStyleSheet(QStringLiteral("QTreeView::item { padding: 3px 2px; }"));
    m_fitter = new ColumnFitter(m_view); // no fixed widths: "Forwarding, with errors" and long errors were cut
    m_view->installEventFilter(this);
    m_stack->addWidget(m_view);
    layout->addWidget(m_stack, 1);

    // Row actions.
    auto *actions = new QHBoxLayout;
    m_open = new QPushButton(tr("&Open in browser"), central);
    m_copyUrl = new QPushButton(tr("Copy local &URL"), central);
    m_copyCurl = new QPushButton(tr("Copy c&url command"), central);
    m_toggle = new QPushButton(tr("&Start forwarding"), central);
    m_open->setObjectName(QStringLiteral("openButton"));
    m_copyUrl->setObjectName(QStringLiteral("copyUrlButton"));
    m_copyCurl->setObjectName(QStringLiteral("copyCurlButton"));
    m_toggle->setObjectName(QStringLiteral("toggleButton"));
    m_open->setIcon(QIcon::fromTheme(QStringLiteral("internet-web-browser")));
    m_copyUrl->setIcon(QIcon::fromTheme(QStringLiteral("edit-copy")));
    actions->addWidget(m_open);
    actions->addWidget(m_copyUrl);
    actions->addWidget(m_copyCurl);
    actions->addStretch();
    actions->addWidget(m_toggle);
    layout->addLayout(actions);
    connect(m_open, &QPushButton::clicked, this, [this] { emit openRequested(selectedSlug()); });
    connect(m_copyUrl, &QPushButton::clicked, this, [this] { emit copyUrlRequested(selectedSlug()); });
    connect(m_copyCurl, &QPushButton::clicked, this, [this] { emit copyCurlRequested(selectedSlug()); });
    connect(m_toggle, &QPushButton::clicked, this, [this] { emit toggleForwardingRequested(selectedSlug()); });
    setCentralWidget(central);

    m_summary = new QLabel(this);
    m_state = new ElidedLabel(this);
    m_state->setObjectName(QStringLiteral("stateLabel"));
    statusBar()->addWidget(m_summary, 1);
    statusBar()->addPermanentWidget(m_state);

    // Shortcuts: Ctrl+F filter, Esc clears it, Down from the filter enters the list.
    auto *find = new QAction(this);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, this, [this] {
        m_filter->setFocus();
        m_filter->selectAll();
    });
    addAction(find);
    m_filter->installEventFilter(this);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text.trimmed());
        m_view->expandAll();
        updateSummary();
    });
    connect(m_view, &QTreeView::doubleClicked, this, [this](const QModelIndex &i) {
        if (!i.data(EndpointModel::IsDeviceRole).toBool())
            emit openRequested(i.data(EndpointModel::SlugRole).toString());
    });
    connect(m_view, &QTreeView::customContextMenuRequested, this, &EndpointsWindow::showContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &EndpointsWindow::updateActions);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &parent) {
        if (!parent.isValid())
            m_view->expandAll(); // a new device arrives opened
        updateSummary();
    });
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &EndpointsWindow::updateSummary);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &EndpointsWindow::updateSummary);
    connect(model, &EndpointModel::contentsChanged, this, [this] {
        updateSummary();
        updateActions();
    });
    connect(model, &EndpointModel::problemsChanged, this, &EndpointsWindow::dropEndedBanner);
    m_view->expandAll();
    updateSummary();
    updateActions();
}

QString EndpointsWindow::selectedSlug() const
{
    const QModelIndex i = m_view->currentIndex();
    if (!i.isValid() || i.data(EndpointModel::IsDeviceRole).toBool())
        return {};
    return i.data(EndpointModel::SlugRole).toString();
}

bool EndpointsWindow::selectSlug(const QString &slug)
{
    const QModelIndex src = m_model->indexOf(slug);
    const QModelIndex i = m_proxy->mapFromSource(src);
    if (!i.isValid())
        return false;
    m_view->setCurrentIndex(i);
    m_view->scrollTo(i);
    return true;
}

void EndpointsWindow::setSignedInText(const QString &text, int accounts)
{
    const bool signedIn = accounts > 0;
    m_account->setText(text);
    // One account: its name is in the top row already; the column would repeat it on every row.
    m_view->header()->setSectionHidden(EndpointModel::Account, accounts <= 1);
    m_fitter->fit();
    m_signIn->setText(signedIn ? tr("Add &account…") : tr("Sign &in…"));
    m_stack->setCurrentIndex(signedIn || m_model->endpointCount() > 0 ? 1 : 0);
}

void EndpointsWindow::setStateText(const QString &text)
{
    m_state->setText(text);
}

QLabel *EndpointsWindow::stateLabel() const
{
    return m_state;
}

void EndpointsWindow::showBanner(const QString &text, const QString &actionText, const QString &cause)
{
    m_bannerText->setText(text);
    m_bannerButton->setText(actionText);
    m_bannerButton->setVisible(!actionText.isEmpty());
    m_bannerCause = cause;
    m_banner->show();
    dropEndedBanner(); // about an endpoint whose problem is already over
}

void EndpointsWindow::clearBanner(const QString &cause)
{
    if (!cause.isEmpty() && cause == m_bannerCause)
        hideBanner();
}

void EndpointsWindow::hideBanner()
{
    m_banner->hide();
    m_bannerCause.clear();
}

void EndpointsWindow::dropEndedBanner()
{
    static const QString prefix = endpointCause({});
    if (m_banner->isVisible() && m_bannerCause.startsWith(prefix) &&
        !m_model->problems().contains(m_bannerCause.mid(prefix.size())))
        hideBanner();
}

QString EndpointsWindow::bannerText() const
{
    return m_banner->isVisible() ? m_bannerText->text() : QString();
}

void EndpointsWindow::updateActions()
{
    const QString slug = selectedSlug();
    const auto *row = slug.isEmpty() ? nullptr : m_model->endpoint(slug);
    for (QPushButton *b : {m_open, m_copyUrl, m_copyCurl, m_toggle})
        b->setEnabled(row != nullptr);
    m_toggle->setText(row && row->forwarded ? tr("&Stop forwarding") : tr("&Start forwarding"));
}

void EndpointsWindow::updateSummary()
{
    const int total = m_model->endpointCount();
    QString text =
        tr("%n endpoint(s)", nullptr, total) + tr(" on ") + tr("%n device(s)", nullptr, m_model->deviceCount());
    if (const int fwd = m_model->forwardedCount())
        text += QStringLiteral(" · ") + tr("%n forwarded", nullptr, fwd);
    if (!m_filter->text().trimmed().isEmpty()) {
        int shown = 0;
        for (int d = 0; d < m_proxy->rowCount(); ++d)
            shown += m_proxy->rowCount(m_proxy->index(d, 0));
        text += QStringLiteral(" · ") + tr("%n shown", nullptr, shown);
    }
    m_summary->setText(text);
}

void EndpointsWindow::showContextMenu(const QPoint &pos)
{
    const QModelIndex i = m_view->indexAt(pos);
    if (!i.isValid() || i.data(EndpointModel::IsDeviceRole).toBool())
        return;
    const QString slug = i.data(EndpointModel::SlugRole).toString();
    const bool forwarded = i.data(EndpointModel::ForwardedRole).toBool();
    QMenu menu(this);
    menu.addAction(tr("Open in browser"), this, [this, slug] { emit openRequested(slug); });
    menu.addAction(tr("Copy local URL"), this, [this, slug] { emit copyUrlRequested(slug); });
    menu.addAction(tr("Copy curl command"), this, [this, slug] { emit copyCurlRequested(slug); });
    menu.addSeparator();
    menu.addAction(forwarded ? tr("Stop forwarding") : tr("Start forwarding"), this,
                   [this, slug] { emit toggleForwardingRequested(slug); });
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

bool EndpointsWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress)
        return QMainWindow::eventFilter(watched, event);
    auto *key = static_cast<QKeyEvent *>(event);
    if (watched == m_filter) {
        if (key->key() == Qt::Key_Escape && !m_filter->text().isEmpty()) {
            m_filter->clear();
            return true;
        }
        if (key->key() == Qt::Key_Down || key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            m_view->setFocus();
            if (!m_view->currentIndex().isValid() && m_proxy->rowCount() > 0) {
                const QModelIndex dev = m_proxy->index(0, 0);
                m_view->setCurrentIndex(m_proxy->rowCount(dev) > 0 ? m_proxy->index(0, 0, dev) : dev);
            }
            return true;
        }
    } else if (watched == m_view && (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter)) {
        const QString slug = selectedSlug();
        if (!slug.isEmpty()) {
            emit openRequested(slug);
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

} // namespace heyo::ui
