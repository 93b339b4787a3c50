// The demo WebSocket app: echoes every text and binary message back, on any path.
#include "DemoWebSocketApp.h"

#include <QWebSocket>

namespace heyo::demo {

DemoWebSocketApp::DemoWebSocketApp(QObject *parent)
    : QObject(parent), m_server(QStringLiteral("heyo-demo"), QWebSocketServer::NonSecureMode)
{
    connect(&m_server, &QWebSocketServer::newConnection, this, &DemoWebSocketApp::onNewConnection);
}

bool DemoWebSocketApp::listen(quint16 port, QString *error)
{
    if (m_server.listen(QHostAddress::LocalHost, port))
        return true;
    if (error)
        *error = m_server.errorString();
    return false;
}

quint16 DemoWebSocketApp::port() const
{
    return m_server.isListening() ? m_server.serverPort() : 0;
}

void DemoWebSocketApp::close()
{
    m_server.close();
    const auto sockets = findChildren<QWebSocket *>(Qt::FindDirectChildrenOnly);
    qDeleteAll(sockets);
}

void DemoWebSocketApp::onNewConnection()
{
    while (QWebSocket *ws = m_server.nextPendingConnection()) {
        ws->setParent(this);
        connect(ws, &QWebSocket::textMessageReceived, ws, [ws](const QString &m) { ws->sendTextMessage(m); });
        connect(ws, &QWebSocket::binaryMessageReceived, ws, [ws](const QByteArray &m) { ws->sendBinaryMessage(m); });
        connect(ws, &QWebSocket::disconnected, ws, &QObject::deleteLater);
    }
}

} // namespace heyo::demo
