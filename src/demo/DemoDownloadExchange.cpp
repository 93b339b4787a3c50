// Streams a generated download, refilling the socket only as it drains so memory stays flat.
#include "DemoDownloadExchange.h"

#include "DemoFilesApp.h"

namespace heyo::demo {

DemoDownloadExchange::DemoDownloadExchange(DemoHttpConnection &connection, qint64 size)
    : m_connection(connection), m_size(size)
{
    m_chunk.resize(64 << 10);
    if (m_connection.request().method == "HEAD")
        m_size = 0; // the head is already out; nothing to stream
    fill();
}

void DemoDownloadExchange::onDrained()
{
    fill();
}

void DemoDownloadExchange::fill()
{
    while (m_sent < m_size && m_connection.bufferedOutput() < DemoHttpConnection::HighWater) {
        const qsizetype n = qsizetype(qMin<qint64>(m_chunk.size(), m_size - m_sent));
        DemoFilesApp::generate(m_sent, m_chunk.data(), n);
        m_connection.writeBody(QByteArrayView(m_chunk.constData(), n));
        m_sent += n;
    }
    if (m_sent >= m_size)
        m_connection.endResponse();
}

} // namespace heyo::demo
