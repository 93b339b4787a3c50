// curl as a test client.
#include "Curl.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

QByteArray CurlResult::header(const QByteArray &name) const
{
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    return {};
}

QList<QByteArray> CurlResult::headerValues(const QByteArray &name) const
{
    QList<QByteArray> out;
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            out << h.second;
    return out;
}

CurlResult runCurl(const QString &caFile, const QStringList &args, const QByteArray &stdinData)
{
    QTemporaryDir dir;
    QString headerFile = dir.filePath("headers"), bodyFile = dir.filePath("body");
    QStringList all{"-sS", "--max-time", "60", "-D", headerFile, "-o", bodyFile, "-w", "%{http_code} %{http_version}"};
    if (!caFile.isEmpty())
        all << "--cacert" << caFile;
    all += args;
    QProcess p;
    p.start("curl", all);
    p.waitForStarted(10000);
    p.write(stdinData);
    p.closeWriteChannel();
    p.waitForFinished(90000);
    CurlResult r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    const QList<QByteArray> written = p.readAllStandardOutput().trimmed().split(' ');
    r.status = written.value(0).toInt();
    r.httpVersion = written.value(1);
    r.stderrText = p.readAllStandardError();
    QFile body(bodyFile);
    if (body.open(QIODevice::ReadOnly))
        r.body = body.readAll();
    QFile head(headerFile);
    if (head.open(QIODevice::ReadOnly)) {
        // Several blocks when curl followed a redirect or saw 100-continue: keep the last.
        for (const QByteArray &line : head.readAll().split('\n')) {
            QByteArray l = line.trimmed();
            if (l.startsWith("HTTP/")) {
                r.headers.clear();
                continue;
            }
            int colon = l.indexOf(':');
            if (colon > 0)
                r.headers.append({l.left(colon).trimmed(), l.mid(colon + 1).trimmed()});
        }
    }
    return r;
}
