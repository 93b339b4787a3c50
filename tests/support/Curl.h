// Runs the real curl binary and hands back status, headers and body, so tests see what a user's curl sees.
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

struct CurlResult {
    int exitCode = -1;                            // curl's own exit code (0 = transfer done, whatever the HTTP status)
    int status = 0;                               // HTTP status of the last response
    QByteArray httpVersion;                       // the protocol curl spoke for it: "1.1", "2" (%{http_version})
    QList<QPair<QByteArray, QByteArray>> headers; // of the last response, in order
    QByteArray body;
    QByteArray stderrText;

    QByteArray header(const QByteArray &name) const; // first value, case-insensitive; empty if absent
    QList<QByteArray> headerValues(const QByteArray &name) const;
};

// `curl -sS <args> URL` with the given CA file (empty: system CAs only); `stdinData` is fed when args use @-.
CurlResult runCurl(const QString &caFile, const QStringList &args, const QByteArray &stdinData = {});
