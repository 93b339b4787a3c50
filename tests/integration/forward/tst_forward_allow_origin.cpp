// `heyo forward --allow-origin` as a user runs it: real `heyo` processes signed in through the real keychain, a real
// heyo-edge demo, curl sending a browser's Origin, preflight and WebSocket headers, and headless Chromium loading a
// page from another origin that fetches and opens a WebSocket through the forwarder. The allowed origin is refused
// with the how-to before, passes once allowed, is still allowed after `heyo forward` restarts, and is refused again
// once removed; a page at any other origin cannot read a byte.
#include "E2eSession.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTest>

using namespace heyo::test;

namespace {

const QString kApp = QStringLiteral("https://app.example");

// The page a browser loads from its own origin (origin-page.html): it calls the forwarder's two ports and reports
// what it could read.
QByteArray pageHtml(int web, int ws)
{
    QFile f(QStringLiteral(HEYO_SOURCE_DIR "/tests/integration/forward/origin-page.html"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().replace("WEB_PORT", QByteArray::number(web)).replace("WS_PORT", QByteArray::number(ws));
}

} // namespace

class TestForwardAllowOrigin : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<E2eSession> m_s;

    HeyoRun curl(const QStringList &args)
    {
        return m_s->run(QStringLiteral("curl"), QStringList{"-sS", "--max-time", "20", "-w", "\n%{http_code}"} + args);
    }
    static int statusOf(const HeyoRun &r) { return r.out.mid(r.out.lastIndexOf('\n') + 1).toInt(); }
    static QStringList fromPage(const QString &origin)
    {
        return {"-H", "Origin: " + origin, "-H", "Sec-Fetch-Site: cross-site", "-H", "Sec-Fetch-Mode: cors"};
    }
    QString settingsText() const
    {
        QFile f(m_s->home() + QStringLiteral("/.config/heyo/heyo-access.ini"));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

    // Headless Chromium on the page at `origin`, served by its own server (origin-page-server.py) on `pagePort`:
    // the page's report, its lines joined by '|', or what went wrong.
    QString browse(const QString &origin, int pagePort, const QString &pageFile)
    {
        QProcess server;
        server.start(QStringLiteral("python3"),
                     {QStringLiteral(HEYO_SOURCE_DIR "/tests/integration/forward/origin-page-server.py"),
                      QString::number(pagePort), pageFile});
        const auto stopServer = qScopeGuard([&server] {
            server.kill();
            server.waitForFinished(5000);
        });
        const QString pageUrl = origin + QStringLiteral("/page.html");
        if (!QTest::qWaitFor([&] { return statusOf(curl({pageUrl})) == 200; }, 10000))
            return QStringLiteral("the page server did not come up: ") + server.readAllStandardError();
        QTemporaryDir profile;
        const HeyoRun r = m_s->run(QStringLiteral("chromium"),
                                   {"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run",
                                    "--user-data-dir=" + profile.path(), "--dump-dom", pageUrl},
                                   {}, {}, 120000);
        server.waitForReadyRead(2000);
        const QByteArray out = server.readAllStandardOutput();
        const qsizetype at = out.indexOf("report:");
        if (r.rc != 0 || at < 0)
            return QStringLiteral("no report (chromium exit %1): %2")
                .arg(r.rc)
                .arg(QString::fromUtf8(r.out.right(1500)));
        return QString::fromUtf8(out.mid(at + 7, out.indexOf('\n', at) - at - 7));
    }

private slots:
    void initTestCase()
    {
        m_s = std::make_unique<E2eSession>();
        QString error;
        QVERIFY2(m_s->start(&error), qPrintable(error));
    }

    void helpAndBadOrigins()
    {
        HeyoRun r = m_s->heyo({"forward", "--help"});
        QCOMPARE(r.rc, 0);
        QVERIFY(r.out.contains("--allow-origin <ORIGIN>") && r.out.contains("--disallow-origin <ORIGIN>"));
        QVERIFY(r.out.contains("Settings → Endpoints → Allowed"));
        // Refused before anything is fetched or saved: exit 2 with the reason.
        const QList<QPair<QString, QByteArray>> bad{{"null", "Origin: null"},
                                                    {"*", "wildcards"},
                                                    {"https://*.app.example", "wildcards"},
                                                    {"https://app.example/page", "path"},
                                                    {"app.example", "not an origin"},
                                                    {"file:///tmp", "only http:// and https://"}};
        for (const auto &[origin, why] : bad) {
            r = m_s->heyo({"forward", "demo-web", "--allow-origin", origin});
            QCOMPARE(r.rc, 2);
            QVERIFY2(r.err.contains("--allow-origin: ") && r.err.contains(why), r.err.constData());
        }
        r = m_s->heyo({"forward", "demo-web", "--disallow-origin", "null"});
        QCOMPARE(r.rc, 2);
        r = m_s->heyo({"forward", "--all", "--allow-origin", kApp});
        QCOMPARE(r.rc, 2);
        QVERIFY(r.err.contains("give their slugs"));
        QVERIFY(!settingsText().contains("allowedOrigins"));
    }

    void allowedSurvivesRestartAndCanBeRemoved()
    {
        const int web = E2eSession::freePort(), ws = E2eSession::freePort();
        const QString whoami = QStringLiteral("http://127.0.0.1:%1/api/whoami").arg(web);
        QString error;
        {
            // Not allowed yet: 403 with the exact command, and nothing granted.
            ForwardProcess fwd(*m_s);
            QVERIFY2(fwd.start({QStringLiteral("demo-web:%1").arg(web)}, &error), qPrintable(error));
            QVERIFY(!fwd.out().contains("allowed origins"));
            const HeyoRun r = curl(fromPage(kApp) + QStringList{"-D", "-", whoami});
            QCOMPARE(statusOf(r), 403);
            QVERIFY2(r.out.contains("heyo forward demo-web --allow-origin https://app.example, or in Heyo Access: "
                                    "Settings → Endpoints → Allowed origins\n"),
                     r.out.constData());
            QVERIFY(!r.out.contains("Access-Control-Allow-Origin"));
            QCOMPARE(fwd.stop(), 0);
        }
        {
            // Allowed as a user might type it, for both endpoints named.
            ForwardProcess fwd(*m_s);
            QVERIFY2(
                fwd.start({QStringLiteral("demo-web:%1").arg(web), QStringLiteral("demo-ws:%1").arg(ws),
                           "--allow-origin", "HTTPS://App.Example:443/", "--allow-origin", "http://localhost:5173"},
                          &error),
                qPrintable(error));
            QVERIFY2(
                fwd.out().contains(
                    QStringLiteral("→ https://demo-web.heyo.localhost:%1\n  allowed origins: http://localhost:5173, "
                                   "https://app.example (--disallow-origin ORIGIN removes one)\n")
                        .arg(m_s->edge().port())
                        .toUtf8()),
                fwd.out().constData());
            HeyoRun r = curl(fromPage(kApp) + QStringList{"-D", "-", whoami});
            QCOMPARE(statusOf(r), 200);
            QVERIFY2(r.out.contains("Access-Control-Allow-Origin: https://app.example\r\n"), r.out.constData());
            QVERIFY(r.out.contains("\"email\":\"ada@demo.heyo\""));
            // A preflight, then the POST it allows.
            r = curl(fromPage(kApp) + QStringList{"-X", "OPTIONS", "-D", "-", "-H",
                                                  "Access-Control-Request-Method: POST", "-H",
                                                  "Access-Control-Request-Headers: content-type",
                                                  QStringLiteral("http://127.0.0.1:%1/api/echo").arg(web)});
            QCOMPARE(statusOf(r), 204);
            QVERIFY(r.out.contains("Access-Control-Allow-Methods: POST\r\n"));
            QVERIFY(r.out.contains("Access-Control-Allow-Headers: content-type\r\n"));
            r = curl(fromPage(kApp) + QStringList{"-H", "Content-Type: application/json", "--data-binary", "{\"n\":1}",
                                                  QStringLiteral("http://127.0.0.1:%1/api/echo").arg(web)});
            QCOMPARE(statusOf(r), 200);
            QVERIFY2(r.out.contains("\"body\":\"{\\\"n\\\":1}\""), r.out.constData());
            // A WebSocket upgrade from the other allowed origin gets 101 (curl then waits on the tunnel until its
            // timeout); from an origin not allowed, 403 before the endpoint is dialled.
            const QStringList upgrade{"-D",         "-",
                                      "-H",         "Connection: Upgrade",
                                      "-H",         "Upgrade: websocket",
                                      "-H",         "Sec-WebSocket-Version: 13",
                                      "-H",         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                                      "--max-time", "2"};
            r = curl(fromPage("http://localhost:5173") + upgrade +
                     QStringList{QStringLiteral("http://127.0.0.1:%1/").arg(ws)});
            QVERIFY2(r.out.startsWith("HTTP/1.1 101 "), r.out.constData());
            r = curl(fromPage("https://evil.example") + upgrade +
                     QStringList{QStringLiteral("http://127.0.0.1:%1/").arg(ws)});
            QCOMPARE(statusOf(r), 403);
            QVERIFY(r.out.contains("heyo forward demo-ws --allow-origin https://evil.example"));
            QCOMPARE(fwd.stop(), 0);
        }
        // Kept in the settings file (per account and endpoint), never with a secret.
        const QString settings = settingsText();
        QVERIFY2(settings.contains("demo-web=http://localhost:5173, https://app.example"), qPrintable(settings));
        QVERIFY(!settings.contains("eyJ") && !settings.contains("heyo_"));
        {
            // A new run, no options: still allowed.
            ForwardProcess fwd(*m_s);
            QVERIFY2(fwd.start({QStringLiteral("demo-web:%1").arg(web)}, &error), qPrintable(error));
            QVERIFY(fwd.out().contains("  allowed origins: http://localhost:5173, https://app.example"));
            const HeyoRun r = curl(fromPage(kApp) + QStringList{"-D", "-", whoami});
            QCOMPARE(statusOf(r), 200);
            QVERIFY(r.out.contains("Access-Control-Allow-Origin: https://app.example\r\n"));
            QCOMPARE(fwd.stop(), 0);
        }
        {
            // Removed: refused again at once, the other origin kept.
            ForwardProcess fwd(*m_s);
            QVERIFY2(fwd.start({QStringLiteral("demo-web:%1").arg(web), "--disallow-origin", "https://app.example/"},
                               &error),
                     qPrintable(error));
            QVERIFY2(fwd.out().contains("  allowed origins: http://localhost:5173 ("), fwd.out().constData());
            QCOMPARE(statusOf(curl(fromPage(kApp) + QStringList{whoami})), 403);
            QCOMPARE(statusOf(curl(fromPage("http://localhost:5173") + QStringList{whoami})), 200);
            QCOMPARE(fwd.stop(), 0);
        }
    }

    void browserPageAtAnAllowedOrigin()
    {
        // "localhost:P" and "127.0.0.1:P" are two origins: the same page server gives an allowed page and one that
        // is not allowed.
        QTemporaryDir site;
        const int pagePort = E2eSession::freePort(), web = E2eSession::freePort(), ws = E2eSession::freePort();
        const QString pageFile = site.filePath("page.html");
        QFile page(pageFile);
        QVERIFY(page.open(QIODevice::WriteOnly));
        const QByteArray html = pageHtml(web, ws);
        QVERIFY(html.contains("fetch(") && !html.contains("WEB_PORT"));
        page.write(html);
        page.close();
        const QString allowed = QStringLiteral("http://localhost:%1").arg(pagePort);
        ForwardProcess fwd(*m_s);
        QString error;
        QVERIFY2(fwd.start({QStringLiteral("demo-web:%1").arg(web), QStringLiteral("demo-ws:%1").arg(ws),
                            "--allow-origin", allowed},
                           &error),
                 qPrintable(error));
        // Allowed: the page reads Ada's identity, its preflighted PUT is echoed, its WebSocket echoes.
        QString report = browse(allowed, pagePort, pageFile);
        QCOMPARE(report, QStringLiteral("whoami:ada@demo.heyo|echo:PUT:{\"hello\":\"page\"}|ws:ping from the page"));
        // Another origin (the same server under 127.0.0.1): the browser gets nothing it can read.
        report = browse(QStringLiteral("http://127.0.0.1:%1").arg(pagePort), pagePort, pageFile);
        QCOMPARE(report, QStringLiteral("fetch-error:TypeError|ws-error"));
        QCOMPARE(fwd.stop(), 0);
    }

    void cleanupTestCase()
    {
        const QByteArray logs = m_s->allLogs();
        QVERIFY(logs.size() > 1000);
        QVERIFY2(!logs.contains("eyJ"), "a JWT (or its masked prefix) in some output");
        QVERIFY2(!logs.contains("heyo_"), "an API key (or its masked prefix) in some output");
    }
};

QTEST_GUILESS_MAIN(TestForwardAllowOrigin)
#include "tst_forward_allow_origin.moc"
