// All endpoints of all signed-in accounts as a two-level tree: devices, then their endpoints, with the forwarder's
// live counters and each endpoint's current problem. Updates happen in place (dataChanged, single inserts/removes),
// so a refresh neither flickers nor loses the view's selection; lookups by slug are hashed so 1,000 endpoints stay
// cheap.
#pragma once

#include "core/api/EndpointInfo.h"
#include "core/forward/Forwarder.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QMap>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <vector>

namespace heyo::ui {

class EndpointModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column {
        Name,
        Device,
        Account,
        Access,
        Status,
        LocalUrl,
        Requests,
        Traffic,
        Connections,
        LastError,
        ColumnCount
    };
    enum Role {
        SlugRole = Qt::UserRole + 1, // endpoint rows only
        AccountIdRole,
        IsDeviceRole,
        ForwardedRole,
        LocalUrlRole, // QUrl, empty when not forwarded
        SortRole,     // numbers as numbers
    };

    struct Row {
        api::EndpointInfo info;
        QString accountId;
        QString accountEmail;
        forward::ForwardStats stats;
        bool forwarded = false;
    };

    explicit EndpointModel(QObject *parent = nullptr);
    ~EndpointModel() override;

    // The account's endpoints as the service listed them: rows are updated, added and removed in place.
    void setEndpoints(const QString &accountId, const QString &accountEmail, const api::EndpointList &endpoints);
    void removeAccount(const QString &accountId);
    // The forwarder's counters; rows not in `stats` are "not forwarded".
    void setStats(const QList<forward::ForwardStats> &stats);
    // Polls `forwarder->stats()` every `intervalMs`, and at once when forwarding changes or an error is reported.
    void watch(forward::Forwarder *forwarder, int intervalMs = 1000);
    // Forwarding `slug` could not start (port in use …): shown on its row until it starts, `error` is empty, or its
    // account goes (sign-out).
    void setForwardError(const QString &slug, const QString &error);
    // What is wrong with the row now: the forwarder's current error while forwarded, else why it could not start.
    QString currentError(const Row &r) const;
    // Every endpoint with a current problem (slug → what is wrong), forwarded ones the list does not name included.
    QMap<QString, QString> problems() const { return m_problems; }

    const Row *endpoint(const QString &slug) const;
    QModelIndex indexOf(const QString &slug, int column = Name) const;
    QStringList slugs() const;
    int endpointCount() const { return int(m_bySlug.size()); }
    int deviceCount() const { return int(m_devices.size()); }
    int forwardedCount() const;

    static QUrl localUrl(const QString &slug, quint16 port); // http://<slug>.localhost:<port>/

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    // Rows were added or removed (not emitted for counter updates): menus rebuild on this.
    void contentsChanged();
    // problems() changed: an error appeared, changed or ended.
    void problemsChanged();

private:
    struct DeviceNode {
        QString key; // device id (or name when the service gave none)
        QString name;
        std::vector<std::unique_ptr<Row>> rows;
    };
    int deviceRow(const DeviceNode *d) const;
    int rowInDevice(const DeviceNode *d, const Row *r) const;
    DeviceNode *deviceFor(const api::EndpointInfo &e);
    void removeSlug(const QString &slug);
    void updateProblems();
    void deviceStatusChanged(const DeviceNode *d);
    QVariant endpointData(const Row &r, int column, int role) const;
    QString statusText(const Row &r) const;
    QString endpointToolTip(const Row &r, int column) const;
    QVariant deviceData(const DeviceNode &d, int column, int role) const;

    std::vector<std::unique_ptr<DeviceNode>> m_devices;
    QHash<QString, DeviceNode *> m_deviceByKey;
    QHash<QString, DeviceNode *> m_bySlug;   // slug → its device
    QHash<QString, QString> m_forwardErrors; // slug → why it could not start
    QMap<QString, QString> m_unlistedErrors; // errors of forwarded slugs no account lists (stale or hand-made)
    QMap<QString, QString> m_problems;
    QPointer<forward::Forwarder> m_forwarder;
    QTimer m_poll;
};

} // namespace heyo::ui
