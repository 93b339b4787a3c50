// Value types of the control-plane API's answers (DESIGN §2) and its error shape.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace heyo::api {

struct AccountInfo {
    QString id;
    QString email;
    QString name;
    bool operator==(const AccountInfo &) const = default;
};

// POST /api/auth/login and POST /api/api-keys/exchange.
struct AuthResult {
    QByteArray token;
    qint64 expiresAt = 0; // unix seconds, from expires_at (or the JWT's exp)
    AccountInfo account;
};

struct ApiKeyInfo {
    QString id;
    QString label;
    QString prefix;
    QString createdAt;
    QString lastUsedAt;
};

struct CreatedApiKey {
    ApiKeyInfo info;
    QByteArray key; // shown once
};

struct ApiError {
    enum Kind { None, Network, Tls, Http, Protocol };
    Kind kind = None;
    int httpStatus = 0;
    QString code;    // the service's error code, e.g. "invalid_credentials"
    QString message; // one line, safe to show; never carries a secret

    bool isError() const { return kind != None; }
    bool isUnauthorized() const { return kind == Http && httpStatus == 401; }
};

template <typename T> struct ApiResult {
    std::optional<T> value;
    ApiError error;
    bool ok() const { return value.has_value() && !error.isError(); }
};

} // namespace heyo::api
