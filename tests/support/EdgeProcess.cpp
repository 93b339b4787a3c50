// Starting and driving a real heyo-edge process.
#include "EdgeProcess.h"

#include <QDeadlineTimer>
#include <QRegularExpression>

bool EdgeProcess::start(const QString &mode, const QStringList &extra)
{
    m_log.clear(); // a restart must not find the previous run's "listening" line
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->start(HEYO_EDGE_BINARY,
                     QStringList{mode, "--data", m_dir.path(), "--listen", "127.0.0.1:0"} + extra);
    if (!m_process->waitForStarted(10000)) {
        m_error = "heyo-edge did not start: " + m_process->errorString();
        return false;
    }
    static const QRegularExpression listening("listening on https://[^:]+:(\\d+)");
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        m_process->waitForReadyRead(100);
        m_log += m_process->readAll();
        auto match = listening.match(QString::fromUtf8(m_log));
        if (match.hasMatch()) {
            m_port = match.captured(1).toInt();
            return true;
        }
        if (m_process->state() == QProcess::NotRunning)
            break;
    }
    m_error = "heyo-edge did not report listening; output:\n" + QString::fromUtf8(m_log);
    return false;
}

bool EdgeProcess::restart(const QString &mode, const QStringList &extra)
{
    stop();
    return start(mode, extra);
}

void EdgeProcess::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(10000))
            m_process->kill();
        m_process->waitForFinished(2000);
    }
    m_log += m_process->readAll();
    m_process.reset();
}

EdgeProcess::~EdgeProcess()
{
    stop();
}

QByteArray EdgeProcess::log()
{
    if (m_process) {
        m_process->waitForReadyRead(200); // what the server wrote may still be in the pipe
        m_log += m_process->readAll();
    }
    return m_log;
}

EdgeProcess::Run EdgeProcess::admin(const QStringList &args, const QByteArray &input) const
{
    QProcess p;
    p.start(HEYO_EDGE_BINARY, args + QStringList{"--data", m_dir.path()});
    p.waitForStarted(10000);
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(30000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

bool EdgeProcess::addAccount(const QString &email, const QString &password, const QString &name) const
{
    QStringList args{"account", "add", "--email", email};
    if (!name.isEmpty())
        args << "--name" << name;
    return admin(args, password.toUtf8() + "\n").exitCode == 0;
}
