// Runs one CGI request (git http-backend): body streamed to stdin, the CGI head turned into the HTTP response head.
#include "DemoCgiExchange.h"

#include "DemoLog.h"

#include <QUrl>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace heyo::demo {

namespace {
constexpr qint64 StdinHighWater = 1 << 20;
constexpr qint64 StdinLowWater = 256 << 10;
constexpr qsizetype MaxCgiHead = 64 << 10;
} // namespace

DemoCgiExchange::DemoCgiExchange(DemoHttpConnection &connection, const QString &program, const QStringList &arguments,
                                 const QProcessEnvironment &environment)
    : m_connection(connection)
{
    m_process.setProcessEnvironment(environment);
    // CGI errors go to the server's log, as with any web server.
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    int fds[2] = {-1, -1};
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        m_connection.respondText(503, "text/plain; charset=utf-8", "out of file descriptors\n");
        return;
    }
    m_stdoutFd = fds[0];
    ::fcntl(m_stdoutFd, F_SETFL, ::fcntl(m_stdoutFd, F_GETFL) | O_NONBLOCK);
    // QProcess's own stdout pipe is read without limit; the child writes to ours instead (dup2 drops CLOEXEC).
    m_process.setStandardOutputFile(QProcess::nullDevice());
    const int childOut = fds[1];
    m_process.setChildProcessModifier([childOut] { ::dup2(childOut, STDOUT_FILENO); });
    m_stdoutNotifier = std::make_unique<QSocketNotifier>(m_stdoutFd, QSocketNotifier::Read);
    connect(m_stdoutNotifier.get(), &QSocketNotifier::activated, this, &DemoCgiExchange::onStdout);
    connect(&m_process, &QProcess::bytesWritten, this, &DemoCgiExchange::onStdinWritten);
    connect(&m_process, &QProcess::finished, this, &DemoCgiExchange::onFinished);
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            qCWarning(lcDemo) << "CGI program failed to start:" << m_process.errorString();
            m_connection.respondText(502, "text/plain; charset=utf-8", "the CGI program could not start\n");
        }
    });
    m_process.start(program, arguments);
    ::close(childOut); // the child has its copy (or never started): EOF comes when it exits
}

DemoCgiExchange::~DemoCgiExchange()
{
    // The connection is going away (or done): no callbacks into it from a dying process.
    disconnect(&m_process, nullptr, this, nullptr);
    closeStdout();
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
}

void DemoCgiExchange::closeStdout()
{
    m_stdoutNotifier.reset();
    if (m_stdoutFd >= 0) {
        ::close(m_stdoutFd);
        m_stdoutFd = -1;
    }
}

QProcessEnvironment DemoCgiExchange::cgiEnvironment(const DemoHttpRequest &r)
{
    QProcessEnvironment env;
    env.insert("PATH", qEnvironmentVariable("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.insert("GATEWAY_INTERFACE", "CGI/1.1");
    env.insert("SERVER_SOFTWARE", "heyo-demo");
    env.insert("SERVER_PROTOCOL", QStringLiteral("HTTP/%1.%2").arg(r.httpMajor).arg(r.httpMinor));
    env.insert("REQUEST_METHOD", QString::fromLatin1(r.method));
    env.insert("PATH_INFO", QUrl::fromPercentEncoding(r.path));
    env.insert("QUERY_STRING", QString::fromLatin1(r.query));
    env.insert("REMOTE_ADDR", r.peer.toString());
    if (const QByteArray v = r.header("content-type"); !v.isEmpty())
        env.insert("CONTENT_TYPE", QString::fromLatin1(v));
    // Without CONTENT_LENGTH (a chunked body) the CGI program reads stdin to its end.
    if (r.contentLength >= 0)
        env.insert("CONTENT_LENGTH", QString::number(r.contentLength));
    for (const auto &h : r.headers) {
        const QByteArray name = h.first.toLower();
        // Authorization never reaches a CGI program (RFC 3875 §4.1.18); the framing headers are ours.
        if (name == "authorization" || name == "content-type" || name == "content-length" || name == "proxy" ||
            name == "transfer-encoding" || name == "connection")
            continue;
        const QString var = "HTTP_" + QString::fromLatin1(h.first).toUpper().replace('-', '_');
        if (!env.contains(var))
            env.insert(var, QString::fromLatin1(h.second));
    }
    return env;
}

void DemoCgiExchange::onBody(QByteArrayView data)
{
    if (m_process.state() == QProcess::NotRunning)
        return; // it answered without reading all of the body: discard the rest
    m_process.write(data.constData(), data.size());
    if (m_process.bytesToWrite() > StdinHighWater)
        m_connection.setReadPaused(true);
}

void DemoCgiExchange::onStdinWritten()
{
    if (m_process.bytesToWrite() < StdinLowWater)
        m_connection.setReadPaused(false);
}

void DemoCgiExchange::onEnd()
{
    // Closes stdin once the buffered body is written.
    m_process.closeWriteChannel();
}

bool DemoCgiExchange::parseCgiHead()
{
    qsizetype end = m_head.indexOf("\r\n\r\n");
    qsizetype skip = 4;
    const qsizetype lf = m_head.indexOf("\n\n");
    if (lf >= 0 && (end < 0 || lf < end))
        end = lf, skip = 2;
    if (end < 0)
        return false;
    const QByteArray rest = m_head.mid(end + skip);
    int status = 200;
    qint64 length = -1;
    DemoHttpHeaders headers;
    bool hasLocation = false;
    bool hasStatus = false;
    for (QByteArray line : m_head.left(end).split('\n')) {
        line = line.trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name.compare("Status", Qt::CaseInsensitive) == 0) {
            status = value.split(' ').value(0).toInt();
            hasStatus = true;
        } else if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            length = value.toLongLong();
        } else {
            hasLocation = hasLocation || name.compare("Location", Qt::CaseInsensitive) == 0;
            headers.append({name, value});
        }
    }
    if (hasLocation && !hasStatus)
        status = 302;
    if (status < 200 || status > 599)
        status = 502;
    m_headDone = true;
    m_head.clear();
    m_connection.beginResponse(status, headers, length);
    m_connection.writeBody(rest);
    return true;
}

void DemoCgiExchange::handleOutput(QByteArrayView data)
{
    if (m_headDone) {
        m_connection.writeBody(data);
        return;
    }
    m_head.append(data);
    if (!parseCgiHead() && m_head.size() > MaxCgiHead) {
        qCWarning(lcDemo) << "CGI head too large";
        m_connection.respondText(502, "text/plain; charset=utf-8", "the CGI program sent a broken head\n");
        closeStdout();
        m_process.kill();
    }
}

void DemoCgiExchange::onStdout()
{
    char buf[64 * 1024];
    while (m_stdoutFd >= 0) {
        if (m_connection.bufferedOutput() >= DemoHttpConnection::HighWater) {
            m_stdoutNotifier->setEnabled(false); // onDrained() turns it back on
            return;
        }
        const ssize_t n = ::read(m_stdoutFd, buf, sizeof buf);
        if (n > 0) {
            handleOutput(QByteArrayView(buf, n));
        } else if (n == 0) {
            onStdoutEnd();
            return;
        } else if (errno != EINTR) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                onStdoutEnd();
            return;
        }
    }
}

void DemoCgiExchange::onDrained()
{
    if (m_stdoutNotifier && !m_stdoutNotifier->isEnabled()) {
        m_stdoutNotifier->setEnabled(true);
        onStdout();
    }
}

void DemoCgiExchange::onStdoutEnd()
{
    closeStdout();
    if (!m_headDone) {
        if (!m_connection.responseStarted())
            m_connection.respondText(502, "text/plain; charset=utf-8", "the CGI program sent no head\n");
        return;
    }
    m_connection.endResponse();
}

void DemoCgiExchange::onFinished()
{
    // The response ends at stdout's EOF, which may still hold unread output now.
    m_connection.setReadPaused(false); // any body still coming is discarded
}

} // namespace heyo::demo
