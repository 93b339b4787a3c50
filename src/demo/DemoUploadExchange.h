// Consumes an upload of any size as it streams in, answering its byte count and SHA-256.
#pragma once

#include "DemoExchange.h"
#include "DemoHttpConnection.h"

#include <QCryptographicHash>

namespace heyo::demo {

class DemoUploadExchange : public DemoExchange {
public:
    explicit DemoUploadExchange(DemoHttpConnection &connection);
    void onBody(QByteArrayView data) override;
    void onEnd() override;

private:
    DemoHttpConnection &m_connection;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
    qint64 m_bytes = 0;
};

} // namespace heyo::demo
