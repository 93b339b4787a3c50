// Settings dialog: form, endpoint table with ports, conflict checks.
#include "SettingsDialog.h"

#include "CaFileField.h"
#include "EndpointModel.h"

#include "core/forward/PortAssignments.h"
#include "core/forward/PortOwner.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

namespace heyo::ui {

namespace {
enum Col { ColEndpoint, ColDevice, ColPort };
}

SettingsDialog::SettingsDialog(const AppSettings &current, forward::PortAssignments *ports, EndpointModel *endpoints,
                               Applier applier, QWidget *parent)
    : QDialog(parent), m_ports(ports), m_applier(std::move(applier))
{
    setWindowTitle(tr("Settings — Heyo Access"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/heyo-access.svg")));
    resize(620, 600);
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
    auto *note = new QLabel(tr("Used for new sign-ins; signed-in accounts keep the service they signed in with."),
                            service);
    note->setWordWrap(true);
    QPalette muted = note->palette();
    muted.setColor(QPalette::WindowText, muted.color(QPalette::Disabled, QPalette::WindowText));
    note->setPalette(muted);
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
                               "double-click a port to change it."),
                            fwd);
    hint->setWordWrap(true);
    fl->addWidget(hint);
    auto *filter = new QLineEdit(fwd);
    filter->setPlaceholderText(tr("Filter endpoints"));
    filter->setClearButtonEnabled(true);
    fl->addWidget(filter);
    m_endpoints = new QStandardItemModel(0, 3, this);
    m_endpoints->setHorizontalHeaderLabels({tr("Endpoint"), tr("Device"), tr("Local port")});
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
    m_table->horizontalHeader()->setSectionResizeMode(ColEndpoint, QHeaderView::Stretch);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->horizontalHeader()->resizeSection(ColDevice, 160);
    m_table->horizontalHeader()->resizeSection(ColPort, 100);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    fl->addWidget(m_table, 1);
    layout->addWidget(fwd, 1);
    fillEndpoints(current, endpoints); // a snapshot: the list as it is when the dialog opens

    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #b3261e; }"));
    m_error->hide();
    layout->addWidget(m_error);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::Apply, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (apply())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, [this] { apply(); });
    layout->addWidget(buttons);
}

void SettingsDialog::fillEndpoints(const AppSettings &current, EndpointModel *model)
{
    QMap<QString, QString> devices; // slug → device name; sorted
    if (model) {
        for (int d = 0; d < model->rowCount(); ++d) {
            const QModelIndex dev = model->index(d, 0);
            for (int r = 0; r < model->rowCount(dev); ++r) {
                const QString slug = model->index(r, 0, dev).data(EndpointModel::SlugRole).toString();
                devices.insert(slug, model->index(r, EndpointModel::Device, dev).data().toString());
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
        m_endpoints->appendRow({name, device, port});
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
    QString error;
    if (m_applier && !m_applier(s, &error))
        return fail(error);
    showError({});
    return true;
}

} // namespace heyo::ui
