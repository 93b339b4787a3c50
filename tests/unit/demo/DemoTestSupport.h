// Helpers shared by the demo app tests: run a real client process, talk raw HTTP over a socket, read our RSS.
#pragma once

#include "Sanitizer.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

namespace heyo::demo::test {

struct ProcessResult {
    bool finished = false;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Runs a program while this thread's event loop keeps serving the apps under test.
inline ProcessResult run(const QString &program, const QStringList &args, int timeoutMs = 120000,
                         const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                         const QString &workDir = {})
{
    QProcess p;
    p.setProcessEnvironment(env);
    if (!workDir.isEmpty())
        p.setWorkingDirectory(workDir);
    QSignalSpy done(&p, &QProcess::finished);
    p.start(program, args);
    ProcessResult r;
    if (!p.waitForStarted(10000))
        return r;
    r.finished = done.wait(timeoutMs) || p.state() == QProcess::NotRunning;
    if (!r.finished) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

inline ProcessResult curl(const QStringList &args, int timeoutMs = 120000)
{
    return run("curl", QStringList{"-sS", "--max-time", "100"} + args, timeoutMs);
}

// Connects, writes `request` and reads until the server closes or `timeoutMs` passes without it closing.
struct RawResult {
    QByteArray data;
    bool closedByServer = false;
};

inline RawResult rawHttp(quint16 port, const QByteArray &request, int timeoutMs = 3000)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    RawResult r;
    if (!s.waitForConnected(5000))
        return r;
    s.write(request);
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (s.state() != QAbstractSocket::ConnectedState) {
            r.closedByServer = true;
            break;
        }
        QTest::qWait(10); // lets the server side of this same thread run
        r.data += s.readAll();
    }
    r.data += s.readAll();
    return r;
}

// Resident set size of this process, in bytes.
inline qint64 currentRss()
{
    QFile f("/proc/self/status");
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return -1;
}

// Samples our RSS while something runs, to prove the app streams rather than buffers.
class RssSampler {
public:
    RssSampler() : m_base(currentRss()), m_peak(m_base)
    {
        QObject::connect(&m_timer, &QTimer::timeout, [this] { m_peak = qMax(m_peak, currentRss()); });
        m_timer.start(20);
    }
    qint64 growth() const { return qMax(m_peak, currentRss()) - m_base; }

private:
    QTimer m_timer;
    qint64 m_base;
    qint64 m_peak;
};
} // namespace heyo::demo::test
