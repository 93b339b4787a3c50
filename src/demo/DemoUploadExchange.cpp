// Consumes an upload of any size as it streams in, answering its byte count and SHA-256.
#include "DemoUploadExchange.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace heyo::demo {

DemoUploadExchange::DemoUploadExchange(DemoHttpConnection &connection) : m_connection(connection) {}

void DemoUploadExchange::onBody(QByteArrayView data)
{
    m_hash.addData(data);
    m_bytes += data.size();
}

void DemoUploadExchange::onEnd()
{
    const QJsonObject o{{"bytes", double(m_bytes)}, {"sha256", QString::fromLatin1(m_hash.result().toHex())}};
    m_connection.respondText(200, "application/json", QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n");
}

} // namespace heyo::demo
