// The web app's /api/ echo: streams the request body into a SHA-256, keeps its first 64 KiB, answers JSON.
#pragma once

#include "DemoExchange.h"
#include "DemoHttpConnection.h"

#include <QCryptographicHash>

namespace heyo::demo {

class DemoEchoExchange : public DemoExchange {
public:
    static constexpr qsizetype KeptBodyBytes = 64 << 10;

    explicit DemoEchoExchange(DemoHttpConnection &connection);
    void onBody(QByteArrayView data) override;
    void onEnd() override;

private:
    DemoHttpConnection &m_connection;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
    QByteArray m_head;
    qint64 m_bytes = 0;
};

} // namespace heyo::demo
