// The demo WebSocket app: echoes every text and binary message back, on any path.
#pragma once

#include <QObject>
#include <QWebSocketServer>

namespace heyo::demo {

class DemoWebSocketApp : public QObject {
    Q_OBJECT
public:
    explicit DemoWebSocketApp(QObject *parent = nullptr);

    bool listen(quint16 port, QString *error);
    quint16 port() const;
    void close();

private:
    void onNewConnection();

    QWebSocketServer m_server;
};

} // namespace heyo::demo
