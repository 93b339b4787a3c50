// Streams a generated download, refilling the socket only as it drains so memory stays flat.
#pragma once

#include "DemoExchange.h"
#include "DemoHttpConnection.h"

namespace heyo::demo {

class DemoDownloadExchange : public DemoExchange {
public:
    DemoDownloadExchange(DemoHttpConnection &connection, qint64 size);
    void onDrained() override;

private:
    void fill();

    DemoHttpConnection &m_connection;
    qint64 m_size;
    qint64 m_sent = 0;
    QByteArray m_chunk;
};

} // namespace heyo::demo
