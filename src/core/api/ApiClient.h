// Client of the control-plane API (DESIGN §2) over a QNetworkAccessManager that the caller owns and passes in.
// TLS trusts the system CAs plus the configured extra CA; verification is never disabled. Every call is asynchronous
// and answers exactly once through its callback, on this object's thread.
#pragma once

#include "core/api/ApiTypes.h"
#include "core/api/EndpointInfo.h"
#include "core/api/ServiceSettings.h"

#include <QObject>
#include <QPointer>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;
class QJsonObject;

namespace heyo::api {

struct EndpointsPage {
    EndpointList endpoints;
    QByteArray etag;
    bool notModified = false; // 304: the caller's list is still current
};

class ApiClient : public QObject {
    Q_OBJECT
public:
    template <typename T> using Callback = std::function<void(const ApiResult<T> &)>;

    ApiClient(QNetworkAccessManager *nam, const ServiceSettings &settings, QObject *parent = nullptr);

    const ServiceSettings &settings() const { return m_settings; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    void login(const QString &email, const QString &password, Callback<AuthResult> done);
    void exchange(const QByteArray &apiKey, Callback<AuthResult> done);
    void me(const QByteArray &token, Callback<AccountInfo> done);
    // Pass the last ETag to get notModified when nothing changed.
    void endpoints(const QByteArray &token, const QByteArray &etag, Callback<EndpointsPage> done);
    void createApiKey(const QByteArray &token, const QString &label, Callback<CreatedApiKey> done);
    void listApiKeys(const QByteArray &token, Callback<QList<ApiKeyInfo>> done);
    void revokeApiKey(const QByteArray &token, const QString &id, Callback<bool> done);

    static AuthResult parseAuth(const QJsonObject &o);
    static AccountInfo parseAccount(const QJsonObject &o);

private:
    void signIn(const QString &path, const QJsonObject &body, const QString &what, Callback<AuthResult> done);
    using RawHandler = std::function<void(const ApiError &error, int status, const QJsonObject &body, QNetworkReply *)>;
    void send(const QByteArray &verb, const QString &path, const QByteArray &token, const QByteArray &jsonBody,
              const QByteArray &etag, RawHandler handler);

    QPointer<QNetworkAccessManager> m_nam;
    ServiceSettings m_settings;
    int m_timeoutMs = 30000;
};

} // namespace heyo::api
