// Helpers for the forwarder's integration tests: curl run without blocking the event loop (the forwarder asks the
// sessions on this thread for tokens), sign-in with a memory secret store, counting what reached heyo-edge in its
// request log, and a capture of every Qt log line so the tests can prove that no secret was printed.
#pragma once

#include "EdgeProcess.h"

#include "core/api/ServiceSettings.h"
#include "core/auth/SessionManager.h"

#include <QFile>
#include <QMutex>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

namespace heyo::test {

struct CurlRun {
    int exitCode = -1;
    int status = 0;
    QString effectiveUrl;
    QList<QPair<QByteArray, QByteArray>> headers; // of the last response
    QByteArray body;
    QByteArray stderrText;
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers)
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        return {};
    }
    QList<QByteArray> headerValues(const QByteArray &name) const
    {
        QList<QByteArray> out;
        for (const auto &h : headers)
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                out << h.second;
        return out;
    }
};

// Every Qt message of the test process, for the "no secret in any log" check.
inline QByteArray &capturedLog()
{
    static QByteArray log;
    return log;
}
inline QMutex &capturedLogMutex()
{
    static QMutex m;
    return m;
}
inline QtMessageHandler &previousHandler()
{
    static QtMessageHandler h = nullptr;
    return h;
}
inline void captureQtLog()
{
    previousHandler() = qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &ctx, const QString &msg) {
        {
            QMutexLocker lock(&capturedLogMutex());
            capturedLog() += msg.toUtf8() + '\n';
        }
        if (previousHandler())
            previousHandler()(type, ctx, msg);
    });
}

// Everything curl printed on stderr in this process, for the same check.
inline QByteArray &curlStderr()
{
    static QByteArray all;
    return all;
}

// What the process logged and what curl printed, together: the text the "no secret anywhere" checks scan.
inline QByteArray capturedOutput()
{
    QMutexLocker lock(&capturedLogMutex());
    return capturedLog() + curlStderr();
}

// Real curl, with the event loop running while it works. `args` must not contain -o/-D/-w for the single-URL form.
inline CurlRun curl(const QStringList &args, int timeoutMs = 60000, const QString &program = QStringLiteral("curl"),
                    const QStringList &prefix = {})
{
    QTemporaryDir dir;
    const QString headerFile = dir.filePath("headers"), bodyFile = dir.filePath("body");
    QStringList all = prefix;
    // Another user cannot write our temporary files (and curl 7.88 crashes on an unwritable -D file): stdout only.
    if (prefix.isEmpty())
        all += QStringList{"-D", headerFile, "-o", bodyFile};
    else
        all += QStringList{"-o", "/dev/null"};
    all += QStringList{"-sS", "--max-time", QString::number(timeoutMs / 1000), "-w", "%{http_code} %{url_effective}"};
    all += args;
    QProcess p;
    QSignalSpy done(&p, &QProcess::finished);
    p.start(program, all);
    CurlRun r;
    if (!p.waitForStarted(10000)) {
        r.stderrText = "cannot start " + program.toUtf8() + ": " + p.errorString().toUtf8();
        return r;
    }
    p.closeWriteChannel();
    if (done.isEmpty() && !done.wait(timeoutMs + 5000)) {
        p.kill();
        p.waitForFinished(2000);
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    const QList<QByteArray> out = p.readAllStandardOutput().trimmed().split(' ');
    r.status = out.value(0).toInt();
    r.effectiveUrl = QString::fromUtf8(out.value(1));
    r.stderrText = p.readAllStandardError();
    curlStderr() += r.stderrText;
    QFile body(bodyFile);
    if (body.open(QIODevice::ReadOnly))
        r.body = body.readAll();
    QFile head(headerFile);
    if (head.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : head.readAll().split('\n')) {
            const QByteArray l = line.trimmed();
            if (l.startsWith("HTTP/")) {
                r.headers.clear();
                continue;
            }
            const int colon = l.indexOf(':');
            if (colon > 0)
                r.headers.append({l.left(colon).trimmed(), l.mid(colon + 1).trimmed()});
        }
    }
    return r;
}

// `curl --parallel` over `urls`, each answer's status in order of completion.
inline QList<int> curlParallel(const QStringList &urls, int timeoutMs = 120000)
{
    QStringList args{"-sS",
                     "--max-time",
                     QString::number(timeoutMs / 1000),
                     "-Z",
                     "--parallel-immediate",
                     "--parallel-max",
                     QString::number(urls.size()),
                     "-w",
                     "%{http_code}\\n"};
    for (const QString &u : urls)
        args << "-o"
             << "/dev/null" << u;
    QProcess p;
    QSignalSpy done(&p, &QProcess::finished);
    p.start(QStringLiteral("curl"), args);
    QList<int> statuses;
    if (!p.waitForStarted(10000) || !done.wait(timeoutMs + 5000))
        return statuses;
    curlStderr() += p.readAllStandardError();
    for (const QByteArray &line : p.readAllStandardOutput().split('\n'))
        if (!line.trimmed().isEmpty())
            statuses << line.trimmed().toInt();
    return statuses;
}

inline api::ServiceSettings serviceOf(EdgeProcess &edge)
{
    api::ServiceSettings s;
    s.baseUrl = QUrl(edge.apiUrl());
    s.caFile = edge.caFile();
    return s;
}

inline std::optional<auth::SessionManager::SignInReply>
signInWithKey(auth::SessionManager &sm, const api::ServiceSettings &s, const QByteArray &key)
{
    std::optional<auth::SessionManager::SignInReply> out;
    sm.signInWithApiKey(s, key, true, [&](const auth::SessionManager::SignInReply &r) { out = r; });
    (void)QTest::qWaitFor([&] { return out.has_value(); }, 20000);
    return out;
}

inline std::optional<auth::SessionManager::SignInReply> signInWithPassword(auth::SessionManager &sm,
                                                                           const api::ServiceSettings &s,
                                                                           const QString &email,
                                                                           const QString &password)
{
    std::optional<auth::SessionManager::SignInReply> out;
    sm.signInWithPassword(s, email, password, [&](const auth::SessionManager::SignInReply &r) { out = r; });
    (void)QTest::qWaitFor([&] { return out.has_value(); }, 20000);
    return out;
}

// Requests heyo-edge logged for an endpoint host ("heyo-edge: GET demo-web.heyo.localhost:PORT /path 200 …"),
// optionally only those answered with `status`.
inline int edgeHits(EdgeProcess &edge, const QString &slug, int status = 0)
{
    const QString text = QString::fromUtf8(edge.log());
    const QRegularExpression re(QStringLiteral("^heyo-edge: [A-Z]+ %1\\.heyo\\.localhost:\\d+ \\S+ (\\d{3}) ")
                                    .arg(QRegularExpression::escape(slug)),
                                QRegularExpression::MultilineOption);
    int n = 0;
    for (auto it = re.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        if (!status || m.captured(1).toInt() == status)
            ++n;
    }
    return n;
}

// The paths of every request heyo-edge logged for an endpoint host, whatever its status: unlike edgeHits this also
// counts a request aborted once it reached the edge (an h2 stream reset by the forwarder is logged with status 0).
inline QStringList edgeLoggedPaths(EdgeProcess &edge, const QString &slug)
{
    const QRegularExpression re(QStringLiteral("^heyo-edge: [A-Z]+ %1\\.heyo\\.localhost:\\d+ (\\S+) \\d+ ")
                                    .arg(QRegularExpression::escape(slug)),
                                QRegularExpression::MultilineOption);
    QStringList paths;
    for (auto it = re.globalMatch(QString::fromUtf8(edge.log())); it.hasNext();)
        paths << it.next().captured(1);
    return paths;
}

} // namespace heyo::test
