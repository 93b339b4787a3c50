// Small helpers shared by the heyo-edge integration tests: sign in with curl, read JSON.
#pragma once

#include "Curl.h"
#include "EdgeProcess.h"

using heyo::test::EdgeProcess;

#include <QJsonDocument>
#include <QJsonObject>

inline QJsonObject jsonOf(const CurlResult &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

inline CurlResult postJson(const EdgeProcess &edge, const QString &path, const QByteArray &json,
                           const QStringList &extra = {})
{
    return runCurl(
        edge.caFile(),
        QStringList{"-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@-", edge.apiUrl() + path} +
            extra,
        json);
}

// Signs in by email/password and returns the token ("" on failure).
inline QString loginToken(const EdgeProcess &edge, const QString &email, const QString &password)
{
    QJsonObject body{{"email", email}, {"password", password}};
    CurlResult r = postJson(edge, "/api/auth/login", QJsonDocument(body).toJson(QJsonDocument::Compact));
    return r.status == 200 ? jsonOf(r).value("token").toString() : QString();
}

inline QString bearer(const QString &token)
{
    return "Authorization: Bearer " + token;
}

inline const QString kAdaEmail = "ada@demo.heyo";
inline const QString kAdaPassword = "ada-demo-password";
inline const QString kBobEmail = "bob@demo.heyo";
inline const QString kBobPassword = "bob-demo-password";
