// The demo web app: an HTML page with its assets, /api/whoami, /api/ echo, /redirect, /cookie and /status/<code>.
#pragma once

#include "DemoHttpServer.h"

#include <QObject>

namespace heyo::demo {

class DemoWebApp : public QObject {
    Q_OBJECT
public:
    explicit DemoWebApp(QObject *parent = nullptr);

    bool listen(quint16 port, QString *error);
    quint16 port() const { return m_server.port(); }
    void close() { m_server.close(); }

private:
    std::unique_ptr<DemoExchange> handle(DemoHttpConnection &c);
    void serveAsset(DemoHttpConnection &c, const QString &resource, const QByteArray &contentType);
    void whoami(DemoHttpConnection &c);
    void redirect(DemoHttpConnection &c);
    void cookie(DemoHttpConnection &c);
    void status(DemoHttpConnection &c);

    DemoHttpServer m_server;
};

} // namespace heyo::demo
