// Control-plane API client: request building, TLS trust, JSON decoding, error messages.
#include "core/api/ApiClient.h"

#include "core/Logging.h"
#include "core/Redact.h"
#include "core/auth/JwtClaims.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslError>

namespace heyo::api {

namespace {

QByteArray jsonBody(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

ApiKeyInfo parseKeyInfo(const QJsonObject &o)
{
    ApiKeyInfo k;
    k.id = o.value(QLatin1String("id")).toString();
    k.label = o.value(QLatin1String("label")).toString();
    k.prefix = o.value(QLatin1String("prefix")).toString();
    k.createdAt = o.value(QLatin1String("created_at")).toVariant().toString();
    k.lastUsedAt = o.value(QLatin1String("last_used_at")).toVariant().toString();
    return k;
}

ApiError protocolError(const QString &what)
{
    return {ApiError::Protocol, 0, {}, QStringLiteral("unexpected answer from the service: %1").arg(what)};
}

} // namespace

ApiClient::ApiClient(QNetworkAccessManager *nam, const ServiceSettings &settings, QObject *parent)
    : QObject(parent), m_nam(nam), m_settings(settings)
{
}

AccountInfo ApiClient::parseAccount(const QJsonObject &o)
{
    return {o.value(QLatin1String("id")).toString(), o.value(QLatin1String("email")).toString(),
            o.value(QLatin1String("name")).toString()};
}

AuthResult ApiClient::parseAuth(const QJsonObject &o)
{
    AuthResult r;
    r.token = o.value(QLatin1String("token")).toString().toUtf8();
    r.account = parseAccount(o.value(QLatin1String("account")).toObject());
    const QJsonValue exp = o.value(QLatin1String("expires_at"));
    if (exp.isDouble())
        r.expiresAt = static_cast<qint64>(exp.toDouble());
    else if (exp.isString())
        r.expiresAt = QDateTime::fromString(exp.toString(), Qt::ISODate).toSecsSinceEpoch();
    if (r.expiresAt <= 0) {
        if (const auto claims = auth::JwtClaims::decode(r.token))
            r.expiresAt = claims->expiresAt;
    }
    return r;
}

void ApiClient::send(const QByteArray &verb, const QString &path, const QByteArray &token, const QByteArray &body,
                     const QByteArray &etag, RawHandler handler)
{
    const QUrl url = m_settings.url(path);
    QString sslError;
    QNetworkRequest req(url);
    req.setSslConfiguration(m_settings.sslConfiguration(&sslError));
    if (!sslError.isEmpty() || !m_nam) {
        const ApiError e{ApiError::Tls, 0, {}, sslError.isEmpty() ? QStringLiteral("no network access") : sslError};
        QMetaObject::invokeMethod(
            this, [handler, e] { handler(e, 0, {}, nullptr); }, Qt::QueuedConnection);
        return;
    }
    req.setTransferTimeout(m_timeoutMs);
    req.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    req.setRawHeader("Accept", "application/json");
    req.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("heyo-access"));
    if (!token.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + token);
    if (!etag.isEmpty())
        req.setRawHeader("If-None-Match", etag);
    if (!body.isEmpty())
        req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));

    QNetworkReply *reply = m_nam->sendCustomRequest(req, verb, body);
    qCDebug(lcApi) << verb << redact(url.toString());
    auto sslErrors = std::make_shared<QStringList>();
    connect(reply, &QNetworkReply::sslErrors, this, [sslErrors](const QList<QSslError> &errors) {
        for (const QSslError &e : errors)
            sslErrors->append(e.errorString());
    });
    connect(reply, &QNetworkReply::finished, this, [reply, handler, sslErrors, url, verb] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray raw = reply->readAll();
        QJsonObject obj;
        if (!raw.isEmpty()) {
            QJsonParseError pe{};
            const QJsonDocument doc = QJsonDocument::fromJson(raw, &pe);
            if (pe.error == QJsonParseError::NoError && doc.isObject())
                obj = doc.object();
        }
        ApiError err;
        if (status == 0) {
            const bool tls = !sslErrors->isEmpty() || reply->error() == QNetworkReply::SslHandshakeFailedError;
            err.kind = tls ? ApiError::Tls : ApiError::Network;
            if (tls)
                err.message =
                    QStringLiteral("TLS connection to %1 not trusted: %2 (is --ca-file set to the service's CA?)")
                        .arg(url.authority(),
                             sslErrors->isEmpty() ? reply->errorString() : sslErrors->join(QStringLiteral("; ")));
            else
                err.message =
                    QStringLiteral("cannot reach the service at %1: %2").arg(url.authority(), reply->errorString());
        } else if (status >= 400) {
            const QJsonObject e = obj.value(QLatin1String("error")).toObject();
            err.kind = ApiError::Http;
            err.httpStatus = status;
            err.code = e.value(QLatin1String("code")).toString();
            const QString msg = e.value(QLatin1String("message")).toString();
            err.message = redact(msg.isEmpty() ? QStringLiteral("HTTP %1 from %2").arg(status).arg(url.path())
                                               : QStringLiteral("%1 (%2, HTTP %3)").arg(msg, err.code).arg(status));
        }
        if (err.isError())
            qCInfo(lcApi) << verb << redact(url.path()) << "failed:" << err.message;
        else
            qCDebug(lcApi) << verb << redact(url.path()) << status;
        handler(err, status, obj, reply);
    });
}

void ApiClient::login(const QString &email, const QString &password, Callback<AuthResult> done)
{
    const QJsonObject body{{QStringLiteral("email"), email}, {QStringLiteral("password"), password}};
    signIn(QStringLiteral("/api/auth/login"), body, QStringLiteral("login"), std::move(done));
}

void ApiClient::exchange(const QByteArray &apiKey, Callback<AuthResult> done)
{
    const QJsonObject body{{QStringLiteral("api_key"), QString::fromUtf8(apiKey)}};
    signIn(QStringLiteral("/api/api-keys/exchange"), body, QStringLiteral("exchange"), std::move(done));
}

// Login and API-key exchange answer in the same shape; `what` names the call in a protocol error.
void ApiClient::signIn(const QString &path, const QJsonObject &body, const QString &what, Callback<AuthResult> done)
{
    send("POST", path, {}, jsonBody(body), {},
         [done, what](const ApiError &e, int, const QJsonObject &o, QNetworkReply *) {
             ApiResult<AuthResult> r;
             r.error = e;
             if (!e.isError()) {
                 AuthResult a = parseAuth(o);
                 if (a.token.isEmpty() || a.account.id.isEmpty())
                     r.error = protocolError(QStringLiteral("%1 answer without token or account").arg(what));
                 else
                     r.value = std::move(a);
             }
             done(r);
         });
}

void ApiClient::me(const QByteArray &token, Callback<AccountInfo> done)
{
    send("GET", QStringLiteral("/api/me"), token, {}, {},
         [done](const ApiError &e, int, const QJsonObject &o, QNetworkReply *) {
             ApiResult<AccountInfo> r;
             r.error = e;
             if (!e.isError()) {
                 AccountInfo a = parseAccount(o.value(QLatin1String("account")).toObject());
                 if (a.id.isEmpty())
                     r.error = protocolError(QStringLiteral("/api/me without an account"));
                 else
                     r.value = a;
             }
             done(r);
         });
}

void ApiClient::endpoints(const QByteArray &token, const QByteArray &etag, Callback<EndpointsPage> done)
{
    send("GET", QStringLiteral("/api/endpoints"), token, {}, etag,
         [done, etag](const ApiError &e, int status, const QJsonObject &o, QNetworkReply *reply) {
             ApiResult<EndpointsPage> r;
             r.error = e;
             if (!e.isError()) {
                 EndpointsPage page;
                 page.etag = reply ? reply->rawHeader("ETag") : QByteArray();
                 if (status == 304) {
                     page.notModified = true;
                     if (page.etag.isEmpty())
                         page.etag = etag;
                 } else {
                     const QJsonArray list = o.value(QLatin1String("endpoints")).toArray();
                     for (const QJsonValue &v : list)
                         page.endpoints.append(EndpointInfo::fromJson(v.toObject()));
                 }
                 r.value = std::move(page);
             }
             done(r);
         });
}

void ApiClient::createApiKey(const QByteArray &token, const QString &label, Callback<CreatedApiKey> done)
{
    const QJsonObject body{{QStringLiteral("label"), label}};
    send("POST", QStringLiteral("/api/api-keys"), token, jsonBody(body), {},
         [done](const ApiError &e, int, const QJsonObject &o, QNetworkReply *) {
             ApiResult<CreatedApiKey> r;
             r.error = e;
             if (!e.isError()) {
                 CreatedApiKey k{parseKeyInfo(o), o.value(QLatin1String("key")).toString().toUtf8()};
                 if (k.key.isEmpty())
                     r.error = protocolError(QStringLiteral("created API key without its key"));
                 else
                     r.value = std::move(k);
             }
             done(r);
         });
}

void ApiClient::listApiKeys(const QByteArray &token, Callback<QList<ApiKeyInfo>> done)
{
    send("GET", QStringLiteral("/api/api-keys"), token, {}, {},
         [done](const ApiError &e, int, const QJsonObject &o, QNetworkReply *) {
             ApiResult<QList<ApiKeyInfo>> r;
             r.error = e;
             if (!e.isError()) {
                 QList<ApiKeyInfo> keys;
                 for (const QJsonValue &v : o.value(QLatin1String("api_keys")).toArray())
                     keys.append(parseKeyInfo(v.toObject()));
                 r.value = std::move(keys);
             }
             done(r);
         });
}

void ApiClient::revokeApiKey(const QByteArray &token, const QString &id, Callback<bool> done)
{
    send("DELETE", QStringLiteral("/api/api-keys/%1").arg(id), token, {}, {},
         [done](const ApiError &e, int, const QJsonObject &, QNetworkReply *) {
             ApiResult<bool> r;
             r.error = e;
             if (!e.isError())
                 r.value = true;
             done(r);
         });
}

} // namespace heyo::api
