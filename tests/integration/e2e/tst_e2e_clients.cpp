// Real clients through `heyo forward`: a 1 GiB download and a 256 MiB upload with the forwarder's memory sampled,
// git clone and push, a Node `ws` WebSocket client, Server-Sent Events with curl -N, and headless Chromium loading
// the demo page. Ends by scanning every output and log for secrets.
#include "E2eSession.h"
#include "Sanitizer.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace heyo::test;

namespace {
constexpr qint64 kRssLimitKiB = heyo::test::memoryLimit(64LL << 20) / 1024;

// The demo files app's bytes (DemoFilesApp::generate): byte i is (i mod 251) xor (i >> 20).
QByteArray demoBytes(qint64 offset, qint64 length)
{
    QByteArray out(length, Qt::Uninitialized);
    for (qint64 j = 0; j < length; ++j) {
        const qint64 i = offset + j;
        out[j] = char(quint8(i % 251) ^ quint8(i >> 20));
    }
    return out;
}
} // namespace

class TestE2eClients : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<E2eSession> m_s;
    std::unique_ptr<ForwardProcess> m_fwd; // demo-web, demo-files, demo-events, demo-ws, demo-git
    QString m_nodeModules;

    QString local(const QString &slug, const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_fwd->port(slug)).arg(path);
    }

    // Runs `program` to the end while sampling the forwarder's VmRSS every 100 ms; returns the output.
    QByteArray runSampled(const QString &program, const QStringList &args, qint64 *peakKiB)
    {
        QProcess p;
        p.setProcessEnvironment(m_s->env());
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(program, args);
        *peakKiB = 0;
        QElapsedTimer t;
        t.start();
        while (!p.waitForFinished(100) && t.elapsed() < 400000)
            *peakKiB = std::max(*peakKiB, E2eSession::rssKiB(m_fwd->pid()));
        *peakKiB = std::max(*peakKiB, E2eSession::rssKiB(m_fwd->pid()));
        const QByteArray out = p.readAll();
        m_s->record(out);
        return p.exitCode() == 0 ? out : QByteArray("failed: ") + out;
    }

private slots:
    void initTestCase()
    {
        m_s = std::make_unique<E2eSession>();
        QString error;
        QVERIFY2(m_s->start(&error), qPrintable(error));
        m_fwd = std::make_unique<ForwardProcess>(*m_s);
        QStringList specs;
        for (const char *slug : {"demo-web", "demo-files", "demo-events", "demo-ws", "demo-git"})
            specs << QStringLiteral("%1:%2").arg(QLatin1String(slug)).arg(E2eSession::freePort());
        QVERIFY2(m_fwd->start(specs, &error), qPrintable(error));
        // The Node `ws` client from the committed package.json/package-lock.json, installed (npm ci) in the build tree.
        const QString dir = QStringLiteral(HEYO_BINARY_DIR "/tests/integration/e2e/node");
        QDir().mkpath(dir);
        for (const char *f : {"package.json", "package-lock.json"}) {
            QFile::remove(dir + QLatin1Char('/') + QLatin1String(f));
            QVERIFY(QFile::copy(QStringLiteral(HEYO_SOURCE_DIR "/tests/integration/e2e/") + QLatin1String(f),
                                dir + QLatin1Char('/') + QLatin1String(f)));
        }
        m_nodeModules = dir + QStringLiteral("/node_modules");
        if (!QFile::exists(m_nodeModules + QStringLiteral("/ws/package.json"))) {
            const HeyoRun npm = m_s->run(
                QStringLiteral("npm"),
                {QStringLiteral("ci"), QStringLiteral("--no-audit"), QStringLiteral("--no-fund")}, {}, dir, 180000);
            QVERIFY2(npm.rc == 0, npm.out.constData());
        }
    }

    void gigabyteDownloadKeepsMemoryFlat()
    {
        // Content first, on a smaller body: the demo's formula, byte for byte.
        const HeyoRun small =
            m_s->run(QStringLiteral("curl"), {QStringLiteral("-sS"), local("demo-files", "/download?size=3000000")});
        QCOMPARE(small.rc, 0);
        QVERIFY(small.out == demoBytes(0, 3000000));
        qint64 peak = 0;
        const QByteArray out = runSampled(QStringLiteral("curl"),
                                          {QStringLiteral("-sS"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                                           QStringLiteral("-w"), QStringLiteral("%{http_code} %{size_download}"),
                                           local("demo-files", "/download?size=1073741824")},
                                          &peak);
        QCOMPARE(out, QByteArray("200 1073741824"));
        qInfo("forwarder peak VmRSS during 1 GiB download: %lld KiB", peak);
        QVERIFY(peak > 0);
        QVERIFY2(peak < kRssLimitKiB, qPrintable(QString::number(peak)));
    }

    void bigUploadKeepsMemoryFlat()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("upload.bin"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCryptographicHash hash(QCryptographicHash::Sha256);
        const qint64 total = 256ll << 20, chunk = 1 << 20;
        for (qint64 off = 0; off < total; off += chunk) {
            const QByteArray b = demoBytes(off * 7, chunk); // not what the server would generate
            hash.addData(b);
            QCOMPARE(f.write(b), chunk);
        }
        f.close();
        qint64 peak = 0;
        const QByteArray out = runSampled(QStringLiteral("curl"),
                                          {QStringLiteral("-sS"), QStringLiteral("-X"), QStringLiteral("POST"),
                                           QStringLiteral("-T"), path, local("demo-files", "/upload")},
                                          &peak);
        const QJsonObject o = QJsonDocument::fromJson(out).object();
        QVERIFY2(o.value("bytes").toInteger() == total, out.constData());
        QCOMPARE(o.value("sha256").toString().toLatin1(), hash.result().toHex());
        qInfo("forwarder peak VmRSS during 256 MiB upload: %lld KiB", peak);
        QVERIFY2(peak < kRssLimitKiB, qPrintable(QString::number(peak)));
    }

    void gitCloneAndPushWithoutCredentialHelper()
    {
        QTemporaryDir work;
        const QString repo = local("demo-git", "/demo.git");
        const QStringList noHelper{QStringLiteral("-c"), QStringLiteral("credential.helper="),
                                   QStringLiteral("-c"), QStringLiteral("user.name=T"),
                                   QStringLiteral("-c"), QStringLiteral("user.email=t@example.com")};
        HeyoRun r =
            m_s->run(QStringLiteral("git"),
                     noHelper + QStringList{QStringLiteral("clone"), repo, QStringLiteral("one")}, {}, work.path());
        QVERIFY2(r.rc == 0, r.out.constData());
        const QString one = work.filePath(QStringLiteral("one"));
        QVERIFY(!QDir(one).entryList(QDir::Files).isEmpty());
        QFile f(one + QStringLiteral("/through-forwarder.txt"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("pushed through heyo forward\n");
        f.close();
        QCOMPARE(
            m_s->run(QStringLiteral("git"), noHelper + QStringList{QStringLiteral("add"), QStringLiteral(".")}, {}, one)
                .rc,
            0);
        QCOMPARE(m_s->run(QStringLiteral("git"),
                          noHelper + QStringList{QStringLiteral("commit"), QStringLiteral("-m"), QStringLiteral("e2e")},
                          {}, one)
                     .rc,
                 0);
        r = m_s->run(QStringLiteral("git"),
                     noHelper + QStringList{QStringLiteral("push"), QStringLiteral("origin"), QStringLiteral("HEAD")},
                     {}, one);
        QVERIFY2(r.rc == 0, r.out.constData());
        r = m_s->run(QStringLiteral("git"),
                     noHelper + QStringList{QStringLiteral("clone"), repo, QStringLiteral("two")}, {}, work.path());
        QVERIFY2(r.rc == 0, r.out.constData());
        QVERIFY(QFile::exists(work.filePath(QStringLiteral("two/through-forwarder.txt"))));
    }

    void webSocketEchoesAndRefusesCrossSite()
    {
        QProcessEnvironment env = m_s->env();
        env.insert(QStringLiteral("NODE_PATH"), m_nodeModules);
        const QString script = QStringLiteral(HEYO_SOURCE_DIR "/tests/integration/e2e/ws-echo.js");
        const QString url = QStringLiteral("ws://127.0.0.1:%1/echo").arg(m_fwd->port(QStringLiteral("demo-ws")));
        const auto node = [&](const QStringList &args) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(QStringLiteral("node"), QStringList{script} + args);
            p.waitForFinished(90000);
            const QByteArray out = p.readAll();
            m_s->record(out);
            return qMakePair(p.exitCode(), out.trimmed());
        };
        auto r = node({url, QStringLiteral("1000")});
        QCOMPARE(r.second, QByteArray("echoed 1000"));
        QCOMPARE(r.first, 0);
        r = node({url, QStringLiteral("1"), QStringLiteral("https://evil.example")});
        QCOMPARE(r.second, QByteArray("refused 403"));
    }

    void serverSentEventsArriveOneByOne()
    {
        QProcess curl;
        curl.setProcessEnvironment(m_s->env());
        curl.start(QStringLiteral("curl"),
                   {QStringLiteral("-sSN"), local("demo-events", "/events?count=5&interval_ms=300")});
        QElapsedTimer t;
        t.start();
        QList<qint64> arrivals;
        QByteArray all;
        while (curl.state() != QProcess::NotRunning || curl.bytesAvailable()) {
            if (!curl.waitForReadyRead(100) && curl.state() == QProcess::NotRunning && !curl.bytesAvailable())
                break;
            const QByteArray chunk = curl.readAllStandardOutput();
            all += chunk;
            for (qsizetype i = 0; i < chunk.count("data:"); ++i)
                arrivals << t.elapsed();
            if (t.elapsed() > 30000)
                break;
        }
        curl.waitForFinished(5000);
        m_s->record(all);
        QCOMPARE(arrivals.size(), 5);
        // Spaced like the upstream sends them (4 × 300 ms), not all at once at the end.
        QVERIFY2(arrivals.last() - arrivals.first() >= 900,
                 qPrintable(QString::number(arrivals.last() - arrivals.first())));
        for (int i = 1; i < arrivals.size(); ++i)
            QVERIFY2(arrivals[i] - arrivals[i - 1] >= 150, qPrintable(QString::number(arrivals[i] - arrivals[i - 1])));
    }

    void chromiumLoadsTheDemoPage()
    {
        QTemporaryDir profile;
        const HeyoRun r = m_s->run(
            QStringLiteral("chromium"),
            {QStringLiteral("--headless"), QStringLiteral("--no-sandbox"), QStringLiteral("--disable-gpu"),
             QStringLiteral("--disable-background-networking"), QStringLiteral("--disable-component-update"),
             QStringLiteral("--disable-sync"), QStringLiteral("--no-first-run"),
             QStringLiteral("--user-data-dir=") + profile.path(), QStringLiteral("--virtual-time-budget=10000"),
             QStringLiteral("--dump-dom"), local("demo-web", "/")},
            {}, {}, 120000);
        QCOMPARE(r.rc, 0);
        // The page's script filled the email from /api/whoami, so the page, its JS and the API all came through.
        QVERIFY2(r.out.contains("id=\"email\">ada@demo.heyo<"), r.out.right(3000).constData());
        QVERIFY(r.out.contains("The edge vouched for you."));
    }

    void cleanupTestCase()
    {
        if (m_fwd)
            QCOMPARE(m_fwd->stop(SIGINT), 0);
        const QByteArray logs = m_s->allLogs();
        QVERIFY2(!logs.contains("eyJ"), "a JWT (or its masked prefix) in some output");
        QVERIFY2(!logs.contains("heyo_"), "an API key (or its masked prefix) in some output");
    }
};

QTEST_GUILESS_MAIN(TestE2eClients)
#include "tst_e2e_clients.moc"
