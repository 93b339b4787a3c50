// Where the control-plane service is and how to trust it: base URL plus an optional extra CA file (never "ignore TLS
// errors"). A value type; the caller persists it.
#pragma once

#include <QSslConfiguration>
#include <QString>
#include <QUrl>

namespace heyo::api {

struct ServiceSettings {
    QUrl baseUrl = QUrl(QStringLiteral("https://localhost:8443"));
    QString caFile; // PEM; added to the system CAs for this service

    static QUrl defaultBaseUrl() { return QUrl(QStringLiteral("https://localhost:8443")); }

    // Empty when usable, else why not (not https, no host, CA file unreadable or not PEM).
    QString validate() const;
    // The system CAs plus the extra CA; HTTP/1.1 ALPN. `*error` set when the CA file cannot be used.
    QSslConfiguration sslConfiguration(QString *error = nullptr) const;
    // baseUrl with `path` (starting with '/') and an optional query.
    QUrl url(const QString &path) const;
    // The browser sign-in page: <base>/login?next=<base>/
    QUrl loginUrl() const;

    // RFC 6761: "localhost" and any "*.localhost" name is loopback; clients resolve it themselves.
    static bool isLocalhostName(const QString &host);
    bool operator==(const ServiceSettings &) const = default;
};

} // namespace heyo::api
