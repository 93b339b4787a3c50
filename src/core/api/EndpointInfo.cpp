// Endpoint value type: JSON decoding and host matching.
#include "core/api/EndpointInfo.h"

namespace heyo::api {

EndpointInfo EndpointInfo::fromJson(const QJsonObject &o)
{
    EndpointInfo e;
    e.slug = o.value(QLatin1String("slug")).toString();
    e.url = QUrl(o.value(QLatin1String("url")).toString());
    e.port = o.value(QLatin1String("port")).toInt();
    e.isPrivate = o.value(QLatin1String("private")).toBool(true);
    e.status = o.value(QLatin1String("status")).toString();
    const QJsonObject dev = o.value(QLatin1String("device")).toObject();
    e.deviceId = dev.value(QLatin1String("id")).toString();
    e.deviceName = dev.value(QLatin1String("name")).toString();
    e.sandbox = o.value(QLatin1String("sandbox")).toString();
    e.createdAt = o.value(QLatin1String("created_at")).toVariant().toString();
    return e;
}

bool EndpointInfo::matchesHost(const QString &hostAndPort) const
{
    if (!url.isValid() || url.host().isEmpty())
        return false;
    QString host = hostAndPort.toLower();
    int port = -1;
    const int colon = host.lastIndexOf(QLatin1Char(':'));
    if (colon > 0 && !host.endsWith(QLatin1Char(']'))) {
        bool ok = false;
        port = host.mid(colon + 1).toInt(&ok);
        if (!ok)
            return false;
        host.truncate(colon);
    }
    if (host.endsWith(QLatin1Char('.')))
        host.chop(1);
    if (host != url.host().toLower())
        return false;
    const int ownPort = url.port(url.scheme() == QLatin1String("http") ? 80 : 443);
    return port == -1 ? ownPort == 443 || ownPort == 80 : port == ownPort;
}

} // namespace heyo::api
