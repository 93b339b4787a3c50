// Starting and driving a real heyo-edge process.
#include "EdgeProcess.h"

#include <QDeadlineTimer>
#include <QRegularExpression>

namespace heyo::test {

EdgeProcess::EdgeProcess(const QStringList &extraArgs, bool demo)
    : m_mode(demo ? QStringLiteral("demo") : QStringLiteral("serve")), m_extraArgs(extraArgs)
{
}

EdgeProcess::~EdgeProcess()
{
    stop();
}

QString EdgeProcess::binary()
{
    return QStringLiteral(HEYO_EDGE_BINARY);
}

bool EdgeProcess::start(const QString &mode, const QStringList &extraArgs)
{
    m_mode = mode;
    m_extraArgs = extraArgs;
    return start();
}

bool EdgeProcess::start(QString *error)
{
    const auto failed = [&](const QString &why) {
        m_error = why;
        if (error)
            *error = why;
        return false;
    };
    if (!m_dataDir.isValid())
        return failed(QStringLiteral("no temporary directory"));
    m_log.clear(); // a restart must not find the previous run's "listening" line
    m_port = 0;
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->start(binary(), QStringList{m_mode, QStringLiteral("--data"), m_dataDir.path(),
                                           QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")} +
                                   m_extraArgs);
    if (!m_process->waitForStarted(10000))
        return failed(QStringLiteral("cannot start %1: %2").arg(binary(), m_process->errorString()));
    static const QRegularExpression listening(QStringLiteral("listening on https://[^:]+:(\\d+)"));
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        m_process->waitForReadyRead(100);
        m_log += m_process->readAll();
        const auto match = listening.match(QString::fromUtf8(m_log));
        if (match.hasMatch()) {
            m_port = match.captured(1).toInt();
            return true;
        }
        if (m_process->state() == QProcess::NotRunning)
            break;
    }
    m_log += m_process->readAll();
    return failed(QStringLiteral("heyo-edge did not report listening; output:\n") +
                  QString::fromUtf8(m_log.right(4000)));
}

bool EdgeProcess::restart(const QString &mode, const QStringList &extraArgs)
{
    stop();
    return start(mode, extraArgs);
}

void EdgeProcess::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(10000)) {
            m_process->kill();
            m_process->waitForFinished(3000);
        }
    }
    m_log += m_process->readAll();
    m_process.reset();
}

QString EdgeProcess::endpointUrl(const QString &slug) const
{
    return QStringLiteral("https://%1.%2:%3").arg(slug, domain()).arg(m_port);
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
    p.start(binary(), args + QStringList{QStringLiteral("--data"), m_dataDir.path()});
    if (!p.waitForStarted(10000))
        return {};
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished(3000);
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

namespace {
bool report(const EdgeProcess::Run &r, QString *error)
{
    if (r.exitCode == 0)
        return true;
    if (error)
        *error = QStringLiteral("heyo-edge exited %1: %2").arg(r.exitCode).arg(QString::fromUtf8(r.err).trimmed());
    return false;
}
} // namespace

bool EdgeProcess::addAccount(const QString &email, const QByteArray &password, const QString &name,
                             QString *error) const
{
    QStringList args{QStringLiteral("account"), QStringLiteral("add"), QStringLiteral("--email"), email};
    if (!name.isEmpty())
        args << QStringLiteral("--name") << name;
    return report(admin(args, password + '\n'), error);
}

bool EdgeProcess::addEndpoint(const QString &accountEmail, const QString &slug, const QString &target,
                              const QString &device, bool isPublic, QString *error) const
{
    QStringList args{QStringLiteral("endpoint"),  QStringLiteral("add"),
                     QStringLiteral("--account"), accountEmail,
                     QStringLiteral("--slug"),    slug,
                     QStringLiteral("--target"),  target,
                     QStringLiteral("--device"),  device};
    if (isPublic)
        args << QStringLiteral("--public");
    return report(admin(args), error);
}

QByteArray EdgeProcess::issueApiKey(const QString &accountEmail, const QString &label, QString *error) const
{
    const Run r = admin({QStringLiteral("api-key"), QStringLiteral("issue"), QStringLiteral("--account"), accountEmail,
                         QStringLiteral("--label"), label});
    if (!report(r, error))
        return {};
    static const QRegularExpression key(QStringLiteral("heyo_[0-9a-f]{64}"));
    const auto m = key.match(QString::fromUtf8(r.out));
    if (!m.hasMatch()) {
        if (error)
            *error = QStringLiteral("no API key in heyo-edge's output");
        return {};
    }
    return m.captured(0).toUtf8();
}

bool EdgeProcess::revokeApiKey(const QByteArray &prefix, QString *error) const
{
    return report(admin({QStringLiteral("api-key"), QStringLiteral("revoke"), QStringLiteral("--prefix"),
                         QString::fromUtf8(prefix)}),
                  error);
}

} // namespace heyo::test
