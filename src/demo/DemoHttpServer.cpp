// A loopback listener that hands each accepted socket to a DemoHttpConnection with the app's handler.
#include "DemoHttpServer.h"

#include <QTcpSocket>

namespace heyo::demo {

DemoHttpServer::DemoHttpServer(DemoHttpConnection::Handler handler, QObject *parent)
    : QObject(parent), m_handler(std::move(handler))
{
    connect(&m_server, &QTcpServer::newConnection, this, &DemoHttpServer::onNewConnection);
}

bool DemoHttpServer::listen(quint16 port, QString *error)
{
    if (m_server.listen(QHostAddress::LocalHost, port))
        return true;
    if (error)
        *error = m_server.errorString();
    return false;
}

quint16 DemoHttpServer::port() const
{
    return m_server.isListening() ? m_server.serverPort() : 0;
}

void DemoHttpServer::close()
{
    m_server.close();
    const auto connections = findChildren<DemoHttpConnection *>(Qt::FindDirectChildrenOnly);
    qDeleteAll(connections);
}

void DemoHttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection())
        new DemoHttpConnection(socket, m_handler, m_timeouts, this);
}

} // namespace heyo::demo
