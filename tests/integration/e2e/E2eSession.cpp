// The end-to-end fixture's processes.
#include "E2eSession.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTcpServer>

#include <csignal>

namespace heyo::test {

ForwardProcess::~ForwardProcess()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    err();
}

bool ForwardProcess::start(const QStringList &args, QString *error)
{
    m_process = std::make_unique<QProcess>();
    m_process->setProcessEnvironment(m_session.env());
    m_process->start(E2eSession::heyoBinary(), QStringList{QStringLiteral("forward")} + args);
    if (!m_process->waitForStarted(10000)) {
        *error = m_process->errorString();
        return false;
    }
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired() && !m_err.contains("Press Ctrl-C")) {
        if (m_process->state() == QProcess::NotRunning)
            break;
        m_process->waitForReadyRead(100);
        m_out += m_process->readAllStandardOutput();
        m_err += m_process->readAllStandardError();
    }
    m_out += m_process->readAllStandardOutput();
    m_err += m_process->readAllStandardError();
    static const QRegularExpression line(QStringLiteral(
        "Forwarding http://(127\\.0\\.0\\.1|([a-z0-9-]+)\\.localhost):(\\d+) → https://([a-z0-9-]+)\\."));
    for (auto it = line.globalMatch(QString::fromUtf8(m_out)); it.hasNext();) {
        const auto m = it.next();
        if (m.captured(2).isEmpty())
            m_ports.insert(m.captured(4), m.captured(3).toInt());
        else
            m_routerPort = m.captured(3).toInt();
    }
    if (!m_err.contains("Press Ctrl-C")) {
        if (m_process->state() != QProcess::NotRunning) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
        *error = QStringLiteral("heyo forward did not come up (exit %1): %2 %3")
                     .arg(m_process->exitCode())
                     .arg(QString::fromUtf8(m_out), QString::fromUtf8(err()));
        return false;
    }
    return true;
}

int ForwardProcess::stop(int sig)
{
    if (!m_process)
        return -1;
    if (m_process->state() != QProcess::NotRunning)
        ::kill(pid_t(m_process->processId()), sig);
    if (!m_process->waitForFinished(20000)) {
        m_process->kill();
        m_process->waitForFinished(5000);
        err();
        return -1;
    }
    err();
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

QByteArray ForwardProcess::err()
{
    if (m_process) {
        const QByteArray out = m_process->readAllStandardOutput(), err = m_process->readAllStandardError();
        m_out += out;
        m_err += err;
        m_session.record(out + err);
    }
    return m_err;
}

E2eSession::E2eSession(const QStringList &edgeArgs) : m_edge(edgeArgs, true) {}
E2eSession::~E2eSession() = default;

QString E2eSession::heyoBinary()
{
    return QStringLiteral(HEYO_BINARY_DIR "/app/heyo/heyo");
}

QProcessEnvironment E2eSession::env() const
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(QStringLiteral("HOME"), m_home.path());
    for (const char *v : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"})
        e.remove(QString::fromLatin1(v));
    e.insert(QStringLiteral("NO_PROXY"), QStringLiteral("*"));
    e.remove(QStringLiteral("http_proxy"));
    e.remove(QStringLiteral("HTTP_PROXY"));
    return e;
}

bool E2eSession::start(QString *error, bool withBob)
{
    if (!m_home.isValid()) {
        *error = QStringLiteral("no temporary HOME");
        return false;
    }
    if (!m_edge.start(error))
        return false;
    if (!signIn(QStringLiteral("ada@demo.heyo"), "ada-demo-password", error))
        return false;
    return !withBob || signIn(QStringLiteral("bob@demo.heyo"), "bob-demo-password", error);
}

bool E2eSession::signIn(const QString &email, const QByteArray &password, QString *error)
{
    const HeyoRun r =
        heyo({QStringLiteral("--service"), m_edge.apiUrl(), QStringLiteral("--ca-file"), m_edge.caFile(),
              QStringLiteral("login"), QStringLiteral("--email"), email, QStringLiteral("--password-stdin")},
             password + '\n');
    if (r.rc != 0)
        *error = QStringLiteral("heyo login %1 failed (%2): %3").arg(email).arg(r.rc).arg(QString::fromUtf8(r.err));
    return r.rc == 0;
}

HeyoRun E2eSession::heyo(const QStringList &args, const QByteArray &input, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env.isEmpty() ? this->env() : env);
    p.start(heyoBinary(), args);
    HeyoRun r;
    if (!p.waitForStarted(10000))
        return r;
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
    }
    r.rc = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    m_logs += r.out + r.err;
    return r;
}

HeyoRun E2eSession::run(const QString &program, const QStringList &args, const QByteArray &input,
                        const QString &workDir, int timeoutMs)
{
    QProcess p;
    p.setProcessEnvironment(env());
    p.setProcessChannelMode(QProcess::MergedChannels);
    if (!workDir.isEmpty())
        p.setWorkingDirectory(workDir);
    p.start(program, args);
    HeyoRun r;
    if (!p.waitForStarted(10000))
        return r;
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    r.rc = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAll();
    m_logs += r.out;
    return r;
}

QByteArray E2eSession::allLogs()
{
    return m_logs + m_edge.log();
}

int E2eSession::freePort()
{
    // The kernel may hand the same ephemeral port to two listen-and-close probes in a row; a test asking for two
    // ports must get two (demo-web and bob-notes once got one port in a 20-times loop).
    static QSet<int> handedOut;
    for (int attempt = 0; attempt < 50; ++attempt) {
        QTcpServer s;
        if (!s.listen(QHostAddress::LocalHost, 0))
            return 0;
        const int port = s.serverPort();
        if (!handedOut.contains(port)) {
            handedOut.insert(port);
            return port;
        }
    }
    return 0;
}

qint64 E2eSession::rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    return -1;
}

} // namespace heyo::test
