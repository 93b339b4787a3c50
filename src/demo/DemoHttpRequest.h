// One parsed HTTP request head as the demo apps see it (the body is streamed separately).
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace heyo::demo {

using DemoHttpHeaders = QList<QPair<QByteArray, QByteArray>>;

struct DemoHttpRequest {
    QByteArray method;
    QByteArray target;       // as sent: path plus optional "?query"
    QByteArray path;         // target before '?', still percent-encoded
    QByteArray query;        // after '?', without it
    DemoHttpHeaders headers; // names and values as received, in order
    int httpMajor = 1;
    int httpMinor = 1;
    bool keepAlive = true;
    qint64 contentLength = -1; // -1 when absent (chunked or no body)
    bool chunked = false;
    QHostAddress peer;

    // First value of a header, case-insensitive name; empty when absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    // One decoded query parameter (application/x-www-form-urlencoded rules); empty when absent.
    QString queryValue(const QString &name) const;
};

} // namespace heyo::demo
