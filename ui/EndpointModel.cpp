// The endpoints tree model: in-place updates from the service's lists and the forwarder's counters.
#include "EndpointModel.h"

#include "core/DataSize.h"

#include <QFont>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

#include <algorithm>

namespace heyo::ui {

namespace {
QString deviceKey(const api::EndpointInfo &e)
{
    return e.deviceId.isEmpty() ? e.deviceName : e.deviceId;
}
} // namespace

EndpointModel::EndpointModel(QObject *parent) : QAbstractItemModel(parent)
{
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (m_forwarder)
            setStats(m_forwarder->stats());
    });
}

EndpointModel::~EndpointModel() = default;

QUrl EndpointModel::localUrl(const QString &slug, quint16 port)
{
    return QUrl(QStringLiteral("http://%1.localhost:%2/").arg(slug).arg(port));
}

void EndpointModel::watch(forward::Forwarder *forwarder, int intervalMs)
{
    if (m_forwarder)
        disconnect(m_forwarder, nullptr, this, nullptr);
    m_forwarder = forwarder;
    if (!forwarder) {
        m_poll.stop();
        setStats({});
        return;
    }
    auto poll = [this] {
        if (m_forwarder)
            setStats(m_forwarder->stats());
    };
    connect(forwarder, &forward::Forwarder::forwardingChanged, this, poll);
    // A reported error is in the stats already (ForwardHandler notes it first): show it now, not at the next poll.
    connect(forwarder, &forward::Forwarder::upstreamError, this, poll);
    connect(forwarder, &forward::Forwarder::wrongAccount, this, poll);
    connect(forwarder, &forward::Forwarder::signInNeeded, this, poll);
    m_poll.start(intervalMs);
    setStats(forwarder->stats());
}

int EndpointModel::deviceRow(const DeviceNode *d) const
{
    for (size_t i = 0; i < m_devices.size(); ++i)
        if (m_devices[i].get() == d)
            return int(i);
    return -1;
}

int EndpointModel::rowInDevice(const DeviceNode *d, const Row *r) const
{
    for (size_t i = 0; i < d->rows.size(); ++i)
        if (d->rows[i].get() == r)
            return int(i);
    return -1;
}

const EndpointModel::Row *EndpointModel::endpoint(const QString &slug) const
{
    const DeviceNode *d = m_bySlug.value(slug);
    if (!d)
        return nullptr;
    for (const auto &r : d->rows)
        if (r->info.slug == slug)
            return r.get();
    return nullptr;
}

QModelIndex EndpointModel::indexOf(const QString &slug, int column) const
{
    DeviceNode *d = m_bySlug.value(slug);
    if (!d)
        return {};
    for (size_t i = 0; i < d->rows.size(); ++i)
        if (d->rows[i]->info.slug == slug)
            return createIndex(int(i), column, d);
    return {};
}

QStringList EndpointModel::slugs() const
{
    return m_bySlug.keys();
}

QString EndpointModel::currentError(const Row &r) const
{
    return r.forwarded ? r.stats.lastError : m_forwardErrors.value(r.info.slug);
}

void EndpointModel::setForwardError(const QString &slug, const QString &error)
{
    if (m_forwardErrors.value(slug) == error)
        return;
    if (error.isEmpty())
        m_forwardErrors.remove(slug);
    else
        m_forwardErrors.insert(slug, error);
    if (const QModelIndex i = indexOf(slug, Status); i.isValid()) {
        emit dataChanged(i, i.siblingAtColumn(LastError));
        deviceStatusChanged(m_bySlug.value(slug));
    }
    updateProblems();
}

void EndpointModel::updateProblems()
{
    QMap<QString, QString> now = m_unlistedErrors;
    for (auto it = m_forwardErrors.cbegin(); it != m_forwardErrors.cend(); ++it)
        if (!m_bySlug.contains(it.key()))
            now.insert(it.key(), it.value()); // e.g. `--forward SLUG:notaport` before the list named it
    for (const auto &d : m_devices)
        for (const auto &r : d->rows)
            if (const QString e = currentError(*r); !e.isEmpty())
                now.insert(r->info.slug, e);
    if (now == m_problems)
        return;
    m_problems = std::move(now);
    emit problemsChanged();
}

void EndpointModel::deviceStatusChanged(const DeviceNode *d)
{
    // The device row sums up its endpoints ("1 of 2 forwarded"): it changes with them.
    if (const int row = d ? deviceRow(d) : -1; row >= 0)
        emit dataChanged(index(row, Status), index(row, Status));
}

int EndpointModel::forwardedCount() const
{
    int n = 0;
    for (const auto &d : m_devices)
        for (const auto &r : d->rows)
            n += r->forwarded ? 1 : 0;
    return n;
}

EndpointModel::DeviceNode *EndpointModel::deviceFor(const api::EndpointInfo &e)
{
    const QString key = deviceKey(e);
    if (DeviceNode *d = m_deviceByKey.value(key)) {
        if (d->name != e.deviceName && !e.deviceName.isEmpty()) {
            d->name = e.deviceName;
            const int row = deviceRow(d);
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
        return d;
    }
    auto node = std::make_unique<DeviceNode>();
    node->key = key;
    node->name = e.deviceName.isEmpty() ? tr("Unnamed device") : e.deviceName;
    const int row = int(m_devices.size());
    beginInsertRows({}, row, row);
    DeviceNode *d = node.get();
    m_devices.push_back(std::move(node));
    m_deviceByKey.insert(key, d);
    endInsertRows();
    return d;
}

void EndpointModel::removeSlug(const QString &slug)
{
    DeviceNode *d = m_bySlug.value(slug);
    if (!d)
        return;
    const int devRow = deviceRow(d);
    for (size_t i = 0; i < d->rows.size(); ++i) {
        if (d->rows[i]->info.slug != slug)
            continue;
        beginRemoveRows(index(devRow, 0), int(i), int(i));
        d->rows.erase(d->rows.begin() + long(i));
        m_bySlug.remove(slug);
        endRemoveRows();
        break;
    }
    if (d->rows.empty()) {
        beginRemoveRows({}, devRow, devRow);
        m_deviceByKey.remove(d->key);
        m_devices.erase(m_devices.begin() + devRow);
        endRemoveRows();
    }
}

void EndpointModel::setEndpoints(const QString &accountId, const QString &accountEmail,
                                 const api::EndpointList &endpoints)
{
    bool structural = false;
    QSet<QString> listed;
    listed.reserve(endpoints.size());
    for (const api::EndpointInfo &e : endpoints)
        listed.insert(e.slug);

    // Gone from the account's list (or moved to another account's): removed.
    QStringList gone;
    for (const auto &d : m_devices)
        for (const auto &r : d->rows)
            if (r->accountId == accountId && !listed.contains(r->info.slug))
                gone << r->info.slug;
    for (const QString &slug : gone)
        removeSlug(slug);
    structural = !gone.isEmpty();

    for (const api::EndpointInfo &e : endpoints) {
        DeviceNode *current = m_bySlug.value(e.slug);
        if (current && current->key != deviceKey(e)) { // moved to another device
            removeSlug(e.slug);
            current = nullptr;
        }
        if (current) {
            const QModelIndex first = indexOf(e.slug, 0);
            Row *r = current->rows[size_t(first.row())].get();
            if (r->info == e && r->accountId == accountId && r->accountEmail == accountEmail)
                continue;
            r->info = e;
            r->accountId = accountId;
            r->accountEmail = accountEmail;
            emit dataChanged(first, first.siblingAtColumn(ColumnCount - 1));
            continue;
        }
        DeviceNode *d = deviceFor(e);
        auto row = std::make_unique<Row>();
        row->info = e;
        row->accountId = accountId;
        row->accountEmail = accountEmail;
        const int at = int(d->rows.size());
        beginInsertRows(index(deviceRow(d), 0), at, at);
        d->rows.push_back(std::move(row));
        m_bySlug.insert(e.slug, d);
        endInsertRows();
        structural = true;
    }
    updateProblems();
    if (structural)
        emit contentsChanged();
}

void EndpointModel::removeAccount(const QString &accountId)
{
    QStringList gone;
    for (const auto &d : m_devices)
        for (const auto &r : d->rows)
            if (r->accountId == accountId)
                gone << r->info.slug;
    for (const QString &slug : gone) {
        removeSlug(slug);
        m_forwardErrors.remove(slug);
    }
    // Signing out ends every endpoint state of that account; errors of endpoints nobody lists go with it.
    for (auto it = m_forwardErrors.begin(); it != m_forwardErrors.end();)
        it = m_bySlug.contains(it.key()) ? std::next(it) : m_forwardErrors.erase(it);
    updateProblems();
    if (!gone.isEmpty())
        emit contentsChanged();
}

void EndpointModel::setStats(const QList<forward::ForwardStats> &stats)
{
    QHash<QString, const forward::ForwardStats *> bySlug;
    m_unlistedErrors.clear();
    for (const auto &s : stats) {
        if (s.slug.isEmpty())
            continue;
        bySlug.insert(s.slug, &s);
        m_forwardErrors.remove(s.slug); // it is forwarded now: whatever stopped it before is over
        if (!m_bySlug.contains(s.slug) && !s.lastError.isEmpty())
            m_unlistedErrors.insert(s.slug, s.lastError);
    }
    bool forwardingFlipped = false;
    for (const auto &d : m_devices) {
        bool deviceChanged = false;
        for (size_t i = 0; i < d->rows.size(); ++i) {
            Row &r = *d->rows[i];
            const forward::ForwardStats *s = bySlug.value(r.info.slug);
            const forward::ForwardStats next = s ? *s : forward::ForwardStats{};
            const bool forwarded = s != nullptr;
            if (forwarded == r.forwarded && next.port == r.stats.port && next.requests == r.stats.requests &&
                next.bytesIn == r.stats.bytesIn && next.bytesOut == r.stats.bytesOut &&
                next.openConnections == r.stats.openConnections && next.lastError == r.stats.lastError)
                continue;
            const bool flipped = forwarded != r.forwarded;
            forwardingFlipped = forwardingFlipped || flipped;
            deviceChanged = deviceChanged || flipped;
            r.stats = next;
            r.forwarded = forwarded;
            const QModelIndex first = createIndex(int(i), Status, d.get());
            emit dataChanged(first, first.siblingAtColumn(LastError));
            if (flipped) {
                const QModelIndex name = first.siblingAtColumn(Name);
                emit dataChanged(name, name, {Qt::DecorationRole, ForwardedRole});
            }
        }
        if (deviceChanged)
            deviceStatusChanged(d.get());
    }
    updateProblems();
    if (forwardingFlipped)
        emit contentsChanged();
}

QModelIndex EndpointModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < int(m_devices.size()) ? createIndex(row, column, nullptr) : QModelIndex();
    if (parent.internalPointer() || parent.row() >= int(m_devices.size()))
        return {}; // endpoints have no children
    DeviceNode *d = m_devices[size_t(parent.row())].get();
    return row < int(d->rows.size()) ? createIndex(row, column, d) : QModelIndex();
}

QModelIndex EndpointModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || !child.internalPointer())
        return {};
    const auto *d = static_cast<const DeviceNode *>(child.internalPointer());
    return createIndex(deviceRow(d), 0, nullptr);
}

int EndpointModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_devices.size());
    if (parent.internalPointer() || parent.column() != 0 || parent.row() >= int(m_devices.size()))
        return 0;
    return int(m_devices[size_t(parent.row())]->rows.size());
}

int EndpointModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant EndpointModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (!index.internalPointer()) {
        if (index.row() >= int(m_devices.size()))
            return {};
        return deviceData(*m_devices[size_t(index.row())], index.column(), role);
    }
    const auto *d = static_cast<const DeviceNode *>(index.internalPointer());
    if (index.row() >= int(d->rows.size()))
        return {};
    return endpointData(*d->rows[size_t(index.row())], index.column(), role);
}

QVariant EndpointModel::deviceData(const DeviceNode &d, int column, int role) const
{
    if (role == IsDeviceRole)
        return true;
    if (role == Qt::FontRole && column == Name) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role == Qt::DisplayRole || role == SortRole) {
        if (column == Name)
            return d.name;
        if (column == Device)
            return d.name;
        if (column == Status) {
            int forwarded = 0;
            for (const auto &r : d.rows)
                forwarded += r->forwarded ? 1 : 0;
            if (role == SortRole)
                return forwarded;
            return forwarded ? tr("%1 of %n forwarded", nullptr, int(d.rows.size())).arg(forwarded)
                             : tr("%n endpoint(s)", nullptr, int(d.rows.size()));
        }
    }
    if (role == Qt::ToolTipRole && column == Name)
        return tr("Device %1").arg(d.name);
    return {};
}

QVariant EndpointModel::endpointData(const Row &r, int column, int role) const
{
    switch (role) {
    case SlugRole:
        return r.info.slug;
    case AccountIdRole:
        return r.accountId;
    case IsDeviceRole:
        return false;
    case ForwardedRole:
        return r.forwarded;
    case LocalUrlRole:
        return r.forwarded ? localUrl(r.info.slug, r.stats.port) : QUrl();
    default:
        break;
    }
    const QString error = currentError(r);
    if (role == Qt::ForegroundRole) {
        const QPalette pal = QGuiApplication::palette();
        if (column == LocalUrl && !r.forwarded)
            return pal.color(QPalette::Disabled, QPalette::Text);
        if ((column == LastError || column == Status) && !error.isEmpty())
            return QColor(0xc0, 0x39, 0x2b);
        return {};
    }
    if (role == Qt::TextAlignmentRole && (column == Requests || column == Traffic || column == Connections))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return endpointToolTip(r, column);
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case Name:
        return r.info.slug;
    case Device:
        return r.info.deviceName;
    case Account:
        return r.accountEmail;
    case Access:
        return r.info.isPrivate ? tr("Private") : tr("Public");
    case Status:
        return statusText(r);
    case LocalUrl:
        if (!r.forwarded)
            return role == SortRole ? QVariant(QString()) : QVariant(tr("not forwarded"));
        return localUrl(r.info.slug, r.stats.port).toString();
    case Requests:
        if (role == SortRole)
            return r.stats.requests;
        return r.forwarded ? QLocale().toString(r.stats.requests) : QString();
    case Traffic:
        if (role == SortRole)
            return r.stats.bytesIn + r.stats.bytesOut;
        return r.forwarded ? tr("%1 ↓  %2 ↑").arg(formatDataSize(r.stats.bytesOut), formatDataSize(r.stats.bytesIn))
                           : QString();
    case Connections:
        if (role == SortRole)
            return r.stats.openConnections;
        return r.forwarded ? QLocale().toString(r.stats.openConnections) : QString();
    case LastError:
        return error;
    default:
        return {};
    }
}

QString EndpointModel::statusText(const Row &r) const
{
    if (r.forwarded)
        return r.stats.lastError.isEmpty() ? tr("Forwarding") : tr("Forwarding, with errors");
    if (m_forwardErrors.contains(r.info.slug))
        return tr("Cannot forward");
    return r.info.status.isEmpty() ? tr("Unknown") : r.info.status.left(1).toUpper() + r.info.status.mid(1);
}

QString EndpointModel::endpointToolTip(const Row &r, int column) const
{
    const QString error = currentError(r);
    switch (column) {
    case Name:
        return tr("%1 on %2: %3").arg(r.info.slug, r.info.deviceName, r.info.url.toString());
    case Status:
        if (r.forwarded && error.isEmpty())
            return tr("Forwarding on port %1; the last request went through.").arg(r.stats.port);
        if (r.forwarded)
            return tr("Forwarding on port %1, but the last request failed: %2").arg(r.stats.port).arg(error);
        if (!error.isEmpty())
            return tr("Not forwarded: %1").arg(error);
        return tr("Not forwarded. The service reports the endpoint as %1.").arg(statusText(r).toLower());
    case LocalUrl:
        return r.forwarded ? localUrl(r.info.slug, r.stats.port).toString()
                           : tr("Start forwarding to get a local address");
    case Traffic:
        return tr("%1 received from clients, %2 sent back")
            .arg(formatDataSize(r.stats.bytesIn), formatDataSize(r.stats.bytesOut));
    case LastError:
        return error.isEmpty() ? tr("No problem") : error;
    default:
        return endpointData(r, column, Qt::DisplayRole).toString();
    }
}

QVariant EndpointModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::TextAlignmentRole &&
        (section == Requests || section == Traffic || section == Connections))
        return int(Qt::AlignRight | Qt::AlignVCenter); // over the numbers they name
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Endpoint");
    case Device:
        return tr("Device");
    case Account:
        return tr("Account");
    case Access:
        return tr("Access");
    case Status:
        return tr("Status");
    case LocalUrl:
        return tr("Local URL");
    case Requests:
        return tr("Requests");
    case Traffic:
        return tr("Traffic");
    case Connections:
        return tr("Connections");
    case LastError:
        return tr("Problem");
    default:
        return {};
    }
}

} // namespace heyo::ui
