// Starts and drives a real heyo-edge for tests.
#include "EdgeProcess.h"

#include <QDeadlineTimer>
#include <QRegularExpression>

namespace heyo::test {

EdgeProcess::EdgeProcess(const QStringList &extraArgs, bool demo) : m_extraArgs(extraArgs), m_demo(demo) {}

EdgeProcess::~EdgeProcess()
{
    stop();
}

QString EdgeProcess::binary()
{
    return QStringLiteral(HEYO_BINARY_DIR "/app/heyo-edge/heyo-edge");
}

bool EdgeProcess::start(QString *error)
{
    if (!m_dataDir.isValid()) {
        *error = QStringLiteral("no temporary directory");
        return false;
    }
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    QStringList args{m_demo ? QStringLiteral("demo") : QStringLiteral("serve"), QStringLiteral("--data"),
                     m_dataDir.path(), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")};
    args += m_extraArgs;
    m_process->start(binary(), args);
    if (!m_process->waitForStarted(10000)) {
        *error = QStringLiteral("cannot start %1: %2").arg(binary(), m_process->errorString());
        return false;
    }
    static const QRegularExpression listening(QStringLiteral("heyo-edge: listening on (https://localhost:\\d+)"));
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        if (!m_process->waitForReadyRead(static_cast<int>(qMax<qint64>(1, deadline.remainingTime())))) {
            if (m_process->state() != QProcess::Running)
                break;
            continue;
        }
        m_output += m_process->readAll();
        const auto m = listening.match(QString::fromUtf8(m_output));
        if (m.hasMatch()) {
            m_baseUrl = QUrl(m.captured(1));
            return true;
        }
    }
    m_output += m_process->readAll();
    *error = QStringLiteral("heyo-edge did not report listening: %1").arg(QString::fromUtf8(m_output.right(2000)));
    return false;
}

void EdgeProcess::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(8000)) {
            m_process->kill();
            m_process->waitForFinished(3000);
        }
    }
    m_output += m_process->readAll();
    m_process.reset();
}

QUrl EdgeProcess::endpointUrl(const QString &slug) const
{
    QUrl u;
    u.setScheme(QStringLiteral("https"));
    u.setHost(slug + QLatin1Char('.') + domain());
    u.setPort(port());
    u.setPath(QStringLiteral("/"));
    return u;
}

QByteArray EdgeProcess::output()
{
    if (m_process)
        m_output += m_process->readAll();
    return m_output;
}

int EdgeProcess::runAdmin(const QStringList &args, const QByteArray &stdinData, QByteArray *out, QByteArray *err)
{
    QProcess p;
    p.start(binary(), args);
    if (!p.waitForStarted(10000))
        return -1;
    p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished(3000);
        return -1;
    }
    if (out)
        *out = p.readAllStandardOutput();
    if (err)
        *err = p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

namespace {
bool report(int rc, const QByteArray &err, QString *error)
{
    if (rc == 0)
        return true;
    if (error)
        *error = QStringLiteral("heyo-edge exited %1: %2").arg(rc).arg(QString::fromUtf8(err).trimmed());
    return false;
}
} // namespace

bool EdgeProcess::addAccount(const QString &email, const QByteArray &password, const QString &name, QString *error)
{
    QStringList args{QStringLiteral("account"), QStringLiteral("add"), QStringLiteral("--data"), dataDir(),
                     QStringLiteral("--email"), email};
    if (!name.isEmpty())
        args << QStringLiteral("--name") << name;
    QByteArray err;
    return report(runAdmin(args, password + '\n', nullptr, &err), err, error);
}

bool EdgeProcess::addEndpoint(const QString &accountEmail, const QString &slug, const QString &target,
                              const QString &device, bool isPublic, QString *error)
{
    QStringList args{QStringLiteral("endpoint"), QStringLiteral("add"), QStringLiteral("--data"), dataDir(),
                     QStringLiteral("--account"), accountEmail, QStringLiteral("--slug"), slug,
                     QStringLiteral("--target"), target, QStringLiteral("--device"), device};
    if (isPublic)
        args << QStringLiteral("--public");
    QByteArray err;
    return report(runAdmin(args, {}, nullptr, &err), err, error);
}

QByteArray EdgeProcess::issueApiKey(const QString &accountEmail, const QString &label, QString *error)
{
    QByteArray out, err;
    const int rc = runAdmin({QStringLiteral("api-key"), QStringLiteral("issue"), QStringLiteral("--data"), dataDir(),
                             QStringLiteral("--account"), accountEmail, QStringLiteral("--label"), label},
                            {}, &out, &err);
    if (!report(rc, err, error))
        return {};
    static const QRegularExpression key(QStringLiteral("heyo_[0-9a-f]{64}"));
    const auto m = key.match(QString::fromUtf8(out));
    if (!m.hasMatch()) {
        if (error)
            *error = QStringLiteral("no API key in heyo-edge's output");
        return {};
    }
    return m.captured(0).toUtf8();
}

bool EdgeProcess::revokeApiKey(const QByteArray &prefix, QString *error)
{
    QByteArray err;
    return report(runAdmin({QStringLiteral("api-key"), QStringLiteral("revoke"), QStringLiteral("--data"), dataDir(),
                            QStringLiteral("--prefix"), QString::fromUtf8(prefix)},
                           {}, nullptr, &err),
                  err, error);
}

} // namespace heyo::test
