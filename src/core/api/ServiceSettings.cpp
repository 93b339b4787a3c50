// Service location and trust settings.
#include "core/api/ServiceSettings.h"

#include <QFile>
#include <QSslCertificate>
#include <QUrlQuery>

namespace heyo::api {

QString ServiceSettings::validate() const
{
    if (!baseUrl.isValid() || baseUrl.host().isEmpty())
        return QStringLiteral("the service URL '%1' is not a valid URL").arg(baseUrl.toString());
    if (baseUrl.scheme() != QLatin1String("https"))
        return QStringLiteral("the service URL must use https: %1").arg(baseUrl.toString());
    QString error;
    sslConfiguration(&error);
    return error;
}

QSslConfiguration ServiceSettings::sslConfiguration(QString *error) const
{
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!caFile.isEmpty()) {
        QFile f(caFile);
        if (!f.open(QIODevice::ReadOnly)) {
            if (error)
                *error = QStringLiteral("cannot read the CA file %1: %2").arg(caFile, f.errorString());
            return conf;
        }
        const QList<QSslCertificate> certs = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
        if (certs.isEmpty()) {
            if (error)
                *error = QStringLiteral("the CA file %1 holds no PEM certificate").arg(caFile);
            return conf;
        }
        conf.addCaCertificates(certs);
    }
    return conf;
}

QUrl ServiceSettings::url(const QString &path) const
{
    QUrl u = baseUrl;
    QString base = u.path();
    if (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    u.setPath(base + path);
    u.setQuery(QString());
    u.setFragment(QString());
    return u;
}

QUrl ServiceSettings::loginUrl() const
{
    QUrl u = url(QStringLiteral("/login"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("next"), url(QStringLiteral("/")).toString(QUrl::FullyEncoded));
    u.setQuery(q);
    return u;
}

bool ServiceSettings::isLocalhostName(const QString &host)
{
    const QString h = host.toLower();
    return h == QLatin1String("localhost") || h.endsWith(QLatin1String(".localhost")) ||
           h == QLatin1String("localhost.");
}

} // namespace heyo::api
