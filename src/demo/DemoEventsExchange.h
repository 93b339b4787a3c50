// One Server-Sent Events stream: an event every interval, each flushed as it is written.
#pragma once

#include "DemoExchange.h"
#include "DemoHttpConnection.h"

#include <QObject>
#include <QTimer>

namespace heyo::demo {

class DemoEventsExchange : public QObject, public DemoExchange {
    Q_OBJECT
public:
    // count < 0: unlimited.
    DemoEventsExchange(DemoHttpConnection &connection, qint64 count, int intervalMs);

private:
    void tick();

    DemoHttpConnection &m_connection;
    QTimer m_timer;
    qint64 m_count;
    qint64 m_sent = 0;
};

} // namespace heyo::demo
