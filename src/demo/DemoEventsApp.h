// The demo events app: GET /events?count=N&interval_ms=M is a Server-Sent Events ticker, / a page that shows it.
#pragma once

#include "DemoHttpServer.h"

#include <QObject>

namespace heyo::demo {

class DemoEventsApp : public QObject {
    Q_OBJECT
public:
    explicit DemoEventsApp(QObject *parent = nullptr);

    bool listen(quint16 port, QString *error);
    quint16 port() const { return m_server.port(); }
    void close() { m_server.close(); }

private:
    std::unique_ptr<DemoExchange> handle(DemoHttpConnection &c);

    DemoHttpServer m_server;
};

} // namespace heyo::demo
