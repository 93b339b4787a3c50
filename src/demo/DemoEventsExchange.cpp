// One Server-Sent Events stream: an event every interval, each flushed as it is written.
#include "DemoEventsExchange.h"

#include <QDateTime>

namespace heyo::demo {

DemoEventsExchange::DemoEventsExchange(DemoHttpConnection &connection, qint64 count, int intervalMs)
    : m_connection(connection), m_count(count)
{
    m_timer.setInterval(intervalMs);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &DemoEventsExchange::tick);
    if (m_connection.request().method == "HEAD" || m_count == 0) {
        m_connection.endResponse();
        return;
    }
    // The first event goes out at once, so a client sees the stream is live without waiting an interval.
    QTimer::singleShot(0, this, &DemoEventsExchange::tick);
    m_timer.start();
}

void DemoEventsExchange::tick()
{
    if (m_count >= 0 && m_sent >= m_count)
        return;
    // A stalled reader gets no more events queued up behind it; it misses ticks instead of growing our memory.
    if (m_connection.bufferedOutput() < DemoHttpConnection::HighWater) {
        const QByteArray event = "id: " + QByteArray::number(m_sent) + "\ndata: {\"n\":" + QByteArray::number(m_sent) +
                                 ",\"t\":" + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + "}\n\n";
        m_connection.writeBody(event);
        m_connection.flush();
        ++m_sent;
    }
    if (m_count >= 0 && m_sent >= m_count) {
        m_timer.stop();
        m_connection.endResponse();
    }
}

} // namespace heyo::demo
