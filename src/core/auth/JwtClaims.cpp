// JWT payload decoding (no verification) for expiry and display.
#include "core/auth/JwtClaims.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

namespace heyo::auth {

std::optional<JwtClaims> JwtClaims::decode(const QByteArray &token)
{
    const QList<QByteArray> parts = token.trimmed().split('.');
    if (parts.size() != 3 || parts[0].isEmpty() || parts[1].isEmpty())
        return std::nullopt;
    const auto decoded =
        QByteArray::fromBase64Encoding(parts[1], QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals |
                                                     QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(*decoded, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    if (!o.value(QLatin1String("exp")).isDouble())
        return std::nullopt;
    JwtClaims c;
    c.subject = o.value(QLatin1String("sub")).toString();
    c.accountId = o.value(QLatin1String("account_id")).toString();
    c.email = o.value(QLatin1String("email")).toString();
    c.issuer = o.value(QLatin1String("iss")).toString();
    c.tokenId = o.value(QLatin1String("jti")).toString();
    c.apiKeyId = o.value(QLatin1String("akid")).toString();
    c.issuedAt = static_cast<qint64>(o.value(QLatin1String("iat")).toDouble());
    c.expiresAt = static_cast<qint64>(o.value(QLatin1String("exp")).toDouble());
    return c;
}

} // namespace heyo::auth
