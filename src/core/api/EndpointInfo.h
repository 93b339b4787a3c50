// One endpoint as the control-plane API lists it (GET /api/endpoints). A value type.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

namespace heyo::api {

struct EndpointInfo {
    QString slug;
    QUrl url; // https://<slug>.<edge domain>[:port]
    int port = 0;
    bool isPrivate = true;
    QString status;
    QString deviceId;
    QString deviceName;
    QString sandbox;
    QString createdAt;

    static EndpointInfo fromJson(const QJsonObject &o);
    // True when `host` (optionally with ":port") names this endpoint, case-insensitively.
    bool matchesHost(const QString &hostAndPort) const;
    bool operator==(const EndpointInfo &) const = default;
};

using EndpointList = QList<EndpointInfo>;

} // namespace heyo::api
