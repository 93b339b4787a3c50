// The demo git app: serves the bare repositories under a root over smart HTTP through `git http-backend` (CGI).
#pragma once

#include "DemoHttpServer.h"

#include <QObject>

namespace heyo::demo {

class DemoGitApp : public QObject {
    Q_OBJECT
public:
    explicit DemoGitApp(QObject *parent = nullptr);

    // Creates the root if missing and, when it is empty, a bare demo.git with one commit (a README) that accepts
    // pushes. Blocking (runs git), meant for start-up.
    bool prepare(const QString &root, QString *error);
    bool listen(quint16 port, QString *error);
    quint16 port() const { return m_server.port(); }
    void close() { m_server.close(); }
    QString root() const { return m_root; }

private:
    std::unique_ptr<DemoExchange> handle(DemoHttpConnection &c);
    bool git(const QStringList &args, const QByteArray &input, QByteArray *output, QString *error) const;

    DemoHttpServer m_server;
    QString m_root;
    QString m_git;
};

} // namespace heyo::demo
