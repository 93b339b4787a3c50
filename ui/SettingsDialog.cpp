// Settings dialog: form, endpoint table with ports and allowed origins, conflict checks.
#include "SettingsDialog.h"

#include "CaFileField.h"
#include "EndpointModel.h"

#include "core/forward/AllowedOrigins.h"
#include "core/forward/PortAssignments.h"
#include "core/forward/PortOwner.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace heyo::ui {

namespace {
enum Col { ColEndpoint, ColDevice, ColPort, ColOrigins };
constexpr int AccountRole = Qt::UserRole + 1; // on ColEndpoint: the owning account, empty when not listed now
constexpr int OriginsRole = Qt::UserRole + 2; // on ColOrigins: the origins as the form shows them (QStringList)

QPalette mutedPalette(QWidget *w)
{
    QPalette muted = w->palette();
    muted.setColor(QPalette::WindowText, muted.color(QPalette::Disabled, QPalette::WindowText));
    return muted;
}
} // namespace

SettingsDialog::SettingsDialog(const AppSettings &current, forward::PortAssignments *ports,
                               forward::AllowedOrigins *origins, EndpointModel *endpoints, Applier applier,
                               QWidget *parent)
    : QDialog(parent), m_ports(ports), m_origins(origins), m_applier(std::move(applier))
{
    setWindowTitle(tr("Settings — Heyo Access"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/heyo-access.svg")));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 14, 16, 12);
    layout->setSpacing(12);

    auto *service = new QGroupBox(tr("Service"), this);
    auto *sf = new QFormLayout(service);
    m_serviceUrl = new QLineEdit(current.service.baseUrl.toString(), service);
    auto *caField = new CaFileField(current.service.caFile, service);
    m_caFile = caField->edit();
    sf->addRow(tr("Service &URL:"), m_serviceUrl);
    auto *caLabel = new QLabel(tr("&CA file:"), service);
    caLabel->setBuddy(m_caFile);
    sf->addRow(caLabel, caField);
    auto *note =
        new QLabel(tr("Used for new sign-ins; signed-in accounts keep the service they signed in with."), service);
    note->setWordWrap(true);
    note->setPalette(mutedPalette(note));
    sf->addRow(QString(), note);
    layout->addWidget(service);

    auto *general = new QGroupBox(tr("General"), this);
    auto *gl = new QFormLayout(general);
    m_startAtLogin = new QCheckBox(tr("Start Heyo Access when I &log in"), general);
    m_startAtLogin->setChecked(current.startAtLogin);
    gl->addRow(m_startAtLogin);
    m_system = new QRadioButton(tr("&System browser"), general);
    m_builtIn = new QRadioButton(tr("&Built-in browser window"), general);
    (current.builtInBrowser ? m_builtIn : m_system)->setChecked(true);
    m_builtIn->setToolTip(tr("A Heyo Access window per endpoint, separate from your browser's profile and cookies"));
    auto *browsers = new QHBoxLayout;
    browsers->addWidget(m_system);
    browsers->addWidget(m_builtIn);
    browsers->addStretch();
    gl->addRow(tr("Open endpoints in:"), browsers);
    m_router = new QCheckBox(tr("&Router port for all endpoints:"), general);
    m_router->setChecked(current.routerEnabled);
    m_router->setToolTip(tr("One port that serves every forwarded endpoint as http://<slug>.localhost:PORT/"));
    m_routerPort = new QSpinBox(general);
    m_routerPort->setRange(1024, 65535);
    m_routerPort->setValue(ports ? ports->routerPort() : forward::PortAssignments::kDefaultRouterPort);
    m_routerPort->setEnabled(current.routerEnabled);
    connect(m_router, &QCheckBox::toggled, m_routerPort, &QSpinBox::setEnabled);
    gl->addRow(m_router, m_routerPort);
    layout->addWidget(general);

    auto *fwd = new QGroupBox(tr("Endpoints"), this);
    auto *fl = new QVBoxLayout(fwd);
    auto *hint = new QLabel(tr("Tick the endpoints to forward when Heyo Access starts. Each keeps its local port; "
                               "double-click a port to change it. Select one to choose which other web pages may "
                               "use it."),
                            fwd);
    hint->setWordWrap(true);
    fl->addWidget(hint);
    auto *filter = new QLineEdit(fwd);
    filter->setPlaceholderText(tr("Filter endpoints"));
    filter->setClearButtonEnabled(true);
    fl->addWidget(filter);
    m_endpoints = new QStandardItemModel(0, 4, this);
    m_endpoints->setHorizontalHeaderLabels({tr("Endpoint"), tr("Device"), tr("Local port"), tr("Allowed origins")});
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_endpoints);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    connect(filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    m_table = new QTableView(fwd);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ColEndpoint, Qt::AscendingOrder);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setSectionResizeMode(ColEndpoint, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(ColOrigins, QHeaderView::Stretch);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->horizontalHeader()->resizeSection(ColDevice, 130);
    m_table->horizontalHeader()->resizeSection(ColPort, 90);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // the stretching columns take what is there
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    const int rowHeight = m_table->fontMetrics().height() + 10;
    m_table->verticalHeader()->setMinimumSectionSize(rowHeight);
    m_table->verticalHeader()->setDefaultSectionSize(rowHeight);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    fl->addWidget(m_table);
    fl->addWidget(buildOriginsEditor(fwd));
    layout->addWidget(fwd);
    layout->addStretch(1); // a taller window adds room here, never a half row to the table
    if (m_origins)
        m_origins->reload();           // `heyo forward --allow-origin` may have changed them meanwhile
    fillEndpoints(current, endpoints); // a snapshot: the list as it is when the dialog opens
    fitTableHeight();
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { showOriginsOf(selectedRow()); });
    showOriginsOf(-1);

    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #b3261e; }"));
    m_error->hide();
    layout->addWidget(m_error);

    auto *buttons =
        new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::Apply, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (apply())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, [this] { apply(); });
    layout->addWidget(buttons);
    resize(700, sizeHint().height());
}

QWidget *SettingsDialog::buildOriginsEditor(QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *grid = new QGridLayout(box);
    grid->setContentsMargins(0, 4, 0, 0);
    m_originsLabel = new QLabel(box);
    m_originsLabel->setTextFormat(Qt::PlainText);
    grid->addWidget(m_originsLabel, 0, 0, 1, 2);
    m_originList = new QListWidget(box);
    m_originList->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_originList->setUniformItemSizes(true);
    // Three whole rows, like the table: an origin list is short.
    const int itemHeight = m_originList->fontMetrics().height() + 8;
    m_originList->setFixedHeight(3 * itemHeight + 2 * m_originList->frameWidth());
    grid->addWidget(m_originList, 1, 0, 2, 1);
    m_removeOrigin = new QPushButton(tr("&Remove"), box);
    m_removeOrigin->setAutoDefault(false);
    grid->addWidget(m_removeOrigin, 1, 1);
    m_originEdit = new QLineEdit(box);
    m_originEdit->setPlaceholderText(tr("https://app.example or http://localhost:5173"));
    m_originEdit->installEventFilter(this); // Enter adds the origin instead of pressing OK
    grid->addWidget(m_originEdit, 3, 0);
    m_addOrigin = new QPushButton(tr("A&dd origin"), box);
    m_addOrigin->setAutoDefault(false);
    grid->addWidget(m_addOrigin, 3, 1);
    auto *why = new QLabel(tr("Browser pages at these origins may use the endpoint through its local port (fetch, "
                              "forms, WebSockets) with your token. Add only pages you trust."),
                           box);
    why->setWordWrap(true);
    why->setPalette(mutedPalette(why));
    grid->addWidget(why, 4, 0, 1, 2);
    grid->setColumnStretch(0, 1);
    grid->setRowStretch(2, 1);
    connect(m_addOrigin, &QPushButton::clicked, this, &SettingsDialog::addOrigin);
    connect(m_removeOrigin, &QPushButton::clicked, this, &SettingsDialog::removeOrigins);
    auto *del = new QShortcut(QKeySequence::Delete, m_originList, nullptr, nullptr, Qt::WidgetShortcut);
    connect(del, &QShortcut::activated, this, &SettingsDialog::removeOrigins);
    connect(m_originList, &QListWidget::itemSelectionChanged, this,
            [this] { m_removeOrigin->setEnabled(!m_originList->selectedItems().isEmpty()); });
    connect(m_originEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_addOrigin->setEnabled(m_originEdit->isEnabled() && !text.trimmed().isEmpty());
    });
    return box;
}

// Whole rows only: the table is exactly as tall as its rows (at least kMinTableRows, at most kMaxTableRows; beyond
// that it scrolls a row at a time), so it never shows half a row however the dialog is sized.
void SettingsDialog::fitTableHeight()
{
    const int rows = std::clamp(m_endpoints->rowCount(), kMinTableRows, kMaxTableRows);
    const int header = m_table->horizontalHeader()->sizeHint().height();
    m_table->setFixedHeight(header + rows * m_table->verticalHeader()->defaultSectionSize() +
                            2 * m_table->frameWidth());
}

int SettingsDialog::selectedRow() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    return current.isValid() ? m_proxy->mapToSource(current).row() : -1;
}

bool SettingsDialog::selectEndpoint(const QString &slug)
{
    for (int r = 0; r < m_endpoints->rowCount(); ++r) {
        if (m_endpoints->item(r, ColEndpoint)->text() != slug)
            continue;
        const QModelIndex at = m_proxy->mapFromSource(m_endpoints->index(r, ColEndpoint));
        if (!at.isValid())
            return false; // filtered out
        m_table->selectionModel()->setCurrentIndex(at, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        return true;
    }
    return false;
}

void SettingsDialog::showOriginsOf(int row)
{
    const QString slug = row < 0 ? QString() : m_endpoints->item(row, ColEndpoint)->text();
    const bool editable =
        row >= 0 && m_origins && !m_endpoints->item(row, ColEndpoint)->data(AccountRole).toString().isEmpty();
    m_originList->clear();
    if (row >= 0)
        m_originList->addItems(m_endpoints->item(row, ColOrigins)->data(OriginsRole).toStringList());
    m_originsLabel->setText(row < 0    ? tr("Allowed origins: select an endpoint above.")
                            : editable ? tr("Allowed origins of %1, besides its own local address:").arg(slug)
                                       : tr("Allowed origins of %1: not listed now, sign in to its account to "
                                            "change them.")
                                             .arg(slug));
    m_originList->setEnabled(editable);
    m_originEdit->setEnabled(editable);
    m_addOrigin->setEnabled(editable && !m_originEdit->text().trimmed().isEmpty());
    m_removeOrigin->setEnabled(false);
}

void SettingsDialog::setRowOrigins(int row, const QStringList &origins)
{
    QStandardItem *item = m_endpoints->item(row, ColOrigins);
    item->setData(origins, OriginsRole);
    item->setText(origins.join(QStringLiteral(", ")));
    item->setToolTip(origins.isEmpty() ? tr("Only its own local address; select the row to allow others")
                                       : origins.join(QLatin1Char('\n')));
}

void SettingsDialog::addOrigin()
{
    const int row = selectedRow();
    if (row < 0 || !m_originEdit->isEnabled())
        return;
    QString error;
    const QString origin = forward::AllowedOrigins::normalise(m_originEdit->text(), &error);
    if (origin.isEmpty())
        return showError(tr("Not an origin: %1.").arg(error));
    QStringList list = m_endpoints->item(row, ColOrigins)->data(OriginsRole).toStringList();
    if (!list.contains(origin)) {
        list << origin;
        list.sort();
        setRowOrigins(row, list);
    }
    showError({});
    m_originEdit->clear();
    showOriginsOf(row);
    const auto found = m_originList->findItems(origin, Qt::MatchExactly);
    if (!found.isEmpty())
        m_originList->setCurrentItem(found.first(), QItemSelectionModel::NoUpdate);
}

void SettingsDialog::removeOrigins()
{
    const int row = selectedRow();
    if (row < 0 || !m_originList->isEnabled())
        return;
    QStringList list = m_endpoints->item(row, ColOrigins)->data(OriginsRole).toStringList();
    for (const QListWidgetItem *item : m_originList->selectedItems())
        list.removeAll(item->text());
    setRowOrigins(row, list);
    showOriginsOf(row);
}

QStringList SettingsDialog::originsShown(const QString &slug) const
{
    for (int r = 0; r < m_endpoints->rowCount(); ++r)
        if (m_endpoints->item(r, ColEndpoint)->text() == slug)
            return m_endpoints->item(r, ColOrigins)->data(OriginsRole).toStringList();
    return {};
}

bool SettingsDialog::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_originEdit && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Return || key == Qt::Key_Enter) {
            addOrigin();
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void SettingsDialog::fillEndpoints(const AppSettings &current, EndpointModel *model)
{
    QMap<QString, QString> devices;   // slug → device name; sorted
    QHash<QString, QString> accounts; // slug → owning account
    if (model) {
        for (int d = 0; d < model->rowCount(); ++d) {
            const QModelIndex dev = model->index(d, 0);
            for (int r = 0; r < model->rowCount(dev); ++r) {
                const QModelIndex at = model->index(r, 0, dev);
                const QString slug = at.data(EndpointModel::SlugRole).toString();
                devices.insert(slug, model->index(r, EndpointModel::Device, dev).data().toString());
                accounts.insert(slug, at.data(EndpointModel::AccountIdRole).toString());
            }
        }
    }
    for (const QString &slug : current.forwardAtStart)
        if (!devices.contains(slug))
            devices.insert(slug, tr("(not listed now)"));
    for (auto it = devices.cbegin(); it != devices.cend(); ++it) {
        auto *name = new QStandardItem(it.key());
        name->setCheckable(true);
        name->setEditable(false);
        name->setCheckState(current.forwardAtStart.contains(it.key()) ? Qt::Checked : Qt::Unchecked);
        auto *device = new QStandardItem(it.value());
        device->setEditable(false);
        auto *port = new QStandardItem;
        const quint16 p = m_ports ? m_ports->portFor(it.key()) : 0;
        if (p)
            port->setData(int(p), Qt::EditRole);
        port->setToolTip(tr("Local port (1024–65535); empty: the next free one is assigned when forwarding starts"));
        const QString account = accounts.value(it.key());
        name->setData(account, AccountRole);
        auto *origins = new QStandardItem;
        origins->setEditable(false);
        m_endpoints->appendRow({name, device, port, origins});
        setRowOrigins(m_endpoints->rowCount() - 1,
                      m_origins && !account.isEmpty() ? m_origins->of(account, it.key()) : QStringList());
    }
}

bool SettingsDialog::setEndpointRow(const QString &slug, bool forwardAtStart, quint16 port)
{
    for (int r = 0; r < m_endpoints->rowCount(); ++r) {
        QStandardItem *name = m_endpoints->item(r, ColEndpoint);
        if (name->text() != slug)
            continue;
        name->setCheckState(forwardAtStart ? Qt::Checked : Qt::Unchecked);
        if (port)
            m_endpoints->item(r, ColPort)->setData(int(port), Qt::EditRole);
        return true;
    }
    return false;
}

AppSettings SettingsDialog::settings() const
{
    AppSettings s;
    s.service.baseUrl = QUrl::fromUserInput(m_serviceUrl->text().trimmed());
    s.service.caFile = m_caFile->text().trimmed();
    s.startAtLogin = m_startAtLogin->isChecked();
    s.routerEnabled = m_router->isChecked();
    s.builtInBrowser = m_builtIn->isChecked();
    for (int r = 0; r < m_endpoints->rowCount(); ++r) {
        QStandardItem *name = m_endpoints->item(r, ColEndpoint);
        if (name->checkState() == Qt::Checked)
            s.forwardAtStart << name->text();
    }
    s.forwardAtStart.sort();
    return s;
}

QString SettingsDialog::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void SettingsDialog::showError(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

bool SettingsDialog::apply(QString *errorOut)
{
    auto fail = [&](const QString &text) {
        showError(text);
        if (errorOut)
            *errorOut = text;
        return false;
    };
    const AppSettings s = settings();
    if (const QString problem = s.service.validate(); !problem.isEmpty())
        return fail(tr("The service is not usable: %1").arg(problem));

    // Ports: unique among the table's rows and the router, then recorded (PortAssignments refuses another
    // endpoint's port). A port some other program holds right now is named, not silently moved.
    QHash<int, QString> taken;
    const quint16 router = s.routerEnabled ? quint16(m_routerPort->value()) : 0;
    if (router)
        taken.insert(router, tr("the router"));
    QList<QPair<QString, quint16>> changes;
    for (int r = 0; r < m_endpoints->rowCount(); ++r) {
        const QString slug = m_endpoints->item(r, ColEndpoint)->text();
        const int port = m_endpoints->item(r, ColPort)->data(Qt::EditRole).toInt();
        if (port <= 0)
            continue;
        if (port < 1024 || port > 65535)
            return fail(tr("Port %1 of %2 is outside 1024–65535.").arg(port).arg(slug));
        if (taken.contains(port))
            return fail(tr("Port %1 is used twice: by %2 and by %3.").arg(port).arg(taken.value(port), slug));
        taken.insert(port, slug);
        if (m_ports && m_ports->portFor(slug) != port)
            changes << qMakePair(slug, quint16(port));
    }
    for (const auto &[slug, port] : changes) {
        if (!forward::PortAssignments::isFree(port)) {
            const QString owner = forward::PortOwner::describe(port);
            return fail(owner.isEmpty() ? tr("Port %1 for %2 is in use by another program.").arg(port).arg(slug)
                                        : tr("Port %1 for %2 is in use by %3.").arg(port).arg(slug, owner));
        }
    }
    if (m_ports) {
        // Release first, so that two endpoints swapping ports do not refuse each other.
        for (const auto &change : changes)
            m_ports->release(change.first);
        for (const auto &[slug, port] : changes) {
            QString error;
            if (!m_ports->setPort(slug, port, &error))
                return fail(error);
        }
        if (router)
            m_ports->setRouterPort(router);
    }
    // Allowed origins: each endpoint's list as the form shows it; the applier hands them to running forwards.
    for (int r = 0; m_origins && r < m_endpoints->rowCount(); ++r) {
        const QString slug = m_endpoints->item(r, ColEndpoint)->text();
        const QString account = m_endpoints->item(r, ColEndpoint)->data(AccountRole).toString();
        const QStringList shown = m_endpoints->item(r, ColOrigins)->data(OriginsRole).toStringList();
        QString error;
        if (!account.isEmpty() && shown != m_origins->of(account, slug) &&
            !m_origins->set(account, slug, shown, &error))
            return fail(error);
    }
    QString error;
    if (m_applier && !m_applier(s, &error))
        return fail(error);
    showError({});
    return true;
}

} // namespace heyo::ui
