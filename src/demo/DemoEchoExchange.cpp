// The web app's /api/ echo: streams the request body into a SHA-256, keeps its first 64 KiB, answers JSON.
#include "DemoEchoExchange.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>

namespace heyo::demo {

DemoEchoExchange::DemoEchoExchange(DemoHttpConnection &connection) : m_connection(connection) {}

void DemoEchoExchange::onBody(QByteArrayView data)
{
    m_hash.addData(data);
    m_bytes += data.size();
    if (m_head.size() < KeptBodyBytes)
        m_head.append(data.first(qMin(data.size(), KeptBodyBytes - m_head.size())));
}

void DemoEchoExchange::onEnd()
{
    const DemoHttpRequest &r = m_connection.request();
    QJsonArray headers;
    for (const auto &h : r.headers)
        headers.append(QJsonArray{QString::fromLatin1(h.first), QString::fromLatin1(h.second)});
    QJsonObject o{
        {"method", QString::fromLatin1(r.method)}, {"path", QString::fromUtf8(r.path)},
        {"query", QString::fromUtf8(r.query)},     {"headers", headers},
        {"body_bytes", double(m_bytes)},           {"body_sha256", QString::fromLatin1(m_hash.result().toHex())},
    };
    // The kept prefix may end inside a UTF-8 sequence; a stateful decoder only reports real errors.
    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString text = decoder(m_head);
    o.insert("body", decoder.hasError() ? QJsonValue() : QJsonValue(text));
    m_connection.respondText(200, "application/json", QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n");
}

} // namespace heyo::demo
