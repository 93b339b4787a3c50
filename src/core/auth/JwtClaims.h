// Decodes a JWT's payload for display and refresh timing only. The signature is NOT checked: nothing here is proof of
// anything; the edge verifies tokens.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>

namespace heyo::auth {

struct JwtClaims {
    QString subject;   // sub
    QString accountId; // account_id
    QString email;
    QString issuer;   // iss
    QString tokenId;  // jti
    QString apiKeyId; // akid, set when the token was exchanged from an API key
    qint64 issuedAt = 0;
    qint64 expiresAt = 0; // exp, unix seconds; 0 when absent

    // nullopt unless the token has three base64url segments and a JSON object payload with an exp claim.
    static std::optional<JwtClaims> decode(const QByteArray &token);

    QDateTime expiry() const { return QDateTime::fromSecsSinceEpoch(expiresAt, Qt::UTC); }
    bool isExpiredAt(qint64 nowSecs) const { return expiresAt <= nowSecs; }
    qint64 lifetimeSeconds() const { return issuedAt > 0 && expiresAt > issuedAt ? expiresAt - issuedAt : 0; }
};

} // namespace heyo::auth
