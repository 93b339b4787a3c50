// Masks secrets (JWTs, heyo_ API keys, Bearer/Basic credentials, password= fields) in any text before it is logged.
#pragma once

#include <QByteArray>
#include <QString>

namespace heyo {

// "eyJhbGci…" → "eyJ…", "heyo_0123abcd…" → "heyo_0123…", "Bearer x" → "Bearer …", "password=x" → "password=…".
QString redact(const QString &text);
QByteArray redact(const QByteArray &text);

// A short, safe label for a secret, for log lines and UI: first few characters and an ellipsis.
QString maskSecret(const QString &secret);

} // namespace heyo
