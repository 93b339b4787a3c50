// Masks secrets in text that may reach a log: one place, used by every log call that could see a header, URL or body.
#include "core/Redact.h"

#include <QRegularExpression>

namespace heyo {

namespace {

// JWT: three base64url segments, the header always starts with eyJ ('{"'). Also catches a bare "eyJ…" fragment.
const QRegularExpression &jwtPattern()
{
    static const QRegularExpression re(QStringLiteral("eyJ[A-Za-z0-9_\\-]*(?:\\.[A-Za-z0-9_\\-]*){0,2}"));
    return re;
}

const QRegularExpression &apiKeyPattern()
{
    static const QRegularExpression re(QStringLiteral("heyo_([0-9a-fA-F]{0,4})[0-9a-fA-F]*"));
    return re;
}

// Authorization schemes and key=value / "key":"value" credentials whose value is not necessarily recognisable.
const QRegularExpression &credentialPattern()
{
    static const QRegularExpression re(QStringLiteral(
        "(?i)(\\b(?:Bearer|Basic)\\s+|\\b(?:password|passwd|token|api_key|__heyo_token)\"?\\s*[=:]\\s*\"?)"
        "([^\\s\"&;,]+)"));
    return re;
}

} // namespace

QString redact(const QString &text)
{
    QString out = text;
    out.replace(credentialPattern(), QStringLiteral("\\1…"));
    out.replace(jwtPattern(), QStringLiteral("eyJ…"));
    out.replace(apiKeyPattern(), QStringLiteral("heyo_\\1…"));
    return out;
}

QByteArray redact(const QByteArray &text)
{
    return redact(QString::fromUtf8(text)).toUtf8();
}

QString maskSecret(const QString &secret)
{
    if (secret.startsWith(QLatin1String("heyo_")))
        return secret.left(9) + QStringLiteral("…");
    if (secret.startsWith(QLatin1String("eyJ")))
        return QStringLiteral("eyJ…");
    return secret.isEmpty() ? QString() : QStringLiteral("…");
}

} // namespace heyo
