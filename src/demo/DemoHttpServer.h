// A loopback listener that hands each accepted socket to a DemoHttpConnection with the app's handler.
#pragma once

#include "DemoHttpConnection.h"

#include <QObject>
#include <QTcpServer>

namespace heyo::demo {

class DemoHttpServer : public QObject {
    Q_OBJECT
public:
    explicit DemoHttpServer(DemoHttpConnection::Handler handler, QObject *parent = nullptr);

    // Listens on 127.0.0.1 (port 0 = ephemeral).
    bool listen(quint16 port, QString *error);
    quint16 port() const;
    // Applies to connections accepted from now on.
    void setTimeouts(DemoHttpConnection::Timeouts timeouts) { m_timeouts = timeouts; }
    // Stops listening and drops every open connection.
    void close();

private:
    void onNewConnection();

    QTcpServer m_server;
    DemoHttpConnection::Handler m_handler;
    DemoHttpConnection::Timeouts m_timeouts;
};

} // namespace heyo::demo
