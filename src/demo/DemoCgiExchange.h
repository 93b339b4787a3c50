// Runs one CGI request (git http-backend): body streamed to stdin, the CGI head turned into the HTTP response head.
#pragma once

#include "DemoExchange.h"
#include "DemoHttpConnection.h"

#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSocketNotifier>

#include <memory>

namespace heyo::demo {

class DemoCgiExchange : public QObject, public DemoExchange {
    Q_OBJECT
public:
    DemoCgiExchange(DemoHttpConnection &connection, const QString &program, const QStringList &arguments,
                    const QProcessEnvironment &environment);
    ~DemoCgiExchange() override;

    void onBody(QByteArrayView data) override;
    void onEnd() override;
    void onDrained() override;

    // The CGI/1.1 meta-variables for a request (RFC 3875 §4.1), to which the caller adds its own.
    static QProcessEnvironment cgiEnvironment(const DemoHttpRequest &request);

private:
    void onStdout();
    void onStdinWritten();
    void onFinished();
    void onStdoutEnd();
    void handleOutput(QByteArrayView data);
    bool parseCgiHead();
    void closeStdout();

    DemoHttpConnection &m_connection;
    QProcess m_process;
    // stdout is our own pipe, not QProcess's, so we can stop reading it while the client is slow.
    int m_stdoutFd = -1;
    std::unique_ptr<QSocketNotifier> m_stdoutNotifier;
    QByteArray m_head; // CGI header bytes until the blank line
    bool m_headDone = false;
};

} // namespace heyo::demo
