// The edge's own response bodies. Every answer says no-store: they can carry tokens or account data.
#include "edge/Replies.h"

#include <QDateTime>
#include <QJsonDocument>

namespace heyo::edge::reply {

static void common(net::Headers &headers, std::string_view contentType)
{
    headers.set("Content-Type", std::string(contentType));
    if (!headers.has("Cache-Control"))
        headers.set("Cache-Control", "no-store");
    headers.set("X-Content-Type-Options", "nosniff");
}

void json(const net::ExchangePtr &ex, int status, const QJsonObject &body, net::Headers headers)
{
    common(headers, "application/json");
    QByteArray bytes = QJsonDocument(body).toJson(QJsonDocument::Compact);
    bytes.append('\n');
    ex->respond(status, std::move(headers), bytes.toStdString());
}

void error(const net::ExchangePtr &ex, int status, std::string_view code, std::string_view message,
           net::Headers headers)
{
    QJsonObject inner{{"code", QString::fromUtf8(code.data(), qsizetype(code.size()))},
                      {"message", QString::fromUtf8(message.data(), qsizetype(message.size()))}};
    json(ex, status, QJsonObject{{"error", inner}}, std::move(headers));
}

void text(const net::ExchangePtr &ex, int status, std::string_view line, net::Headers headers)
{
    common(headers, "text/plain; charset=utf-8");
    std::string body(line);
    body.push_back('\n');
    ex->respond(status, std::move(headers), std::move(body));
}

void html(const net::ExchangePtr &ex, int status, std::string body, net::Headers headers)
{
    common(headers, "text/html; charset=utf-8");
    headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                           "frame-ancestors 'none'");
    headers.set("X-Frame-Options", "DENY");
    ex->respond(status, std::move(headers), std::move(body));
}

QString isoTime(int64_t unixSeconds)
{
    return QDateTime::fromSecsSinceEpoch(unixSeconds, Qt::UTC).toString(Qt::ISODate);
}

} // namespace heyo::edge::reply
