// `heyo list`, `heyo forward` and `heyo open` as a user runs them: real heyo processes signed in through the real
// keychain, a real heyo-edge demo, and curl as the client. Ends by scanning every output and log for secrets.
#include "E2eSession.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTest>

using namespace heyo::test;

class TestE2eForward : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<E2eSession> m_s; // Ada and Bob signed in, one HOME for the whole test
    QByteArray m_logs;               // of sessions already gone

    HeyoRun curl(const QStringList &args, const QByteArray &input = {})
    {
        return m_s->run(QStringLiteral("curl"),
                        QStringList{QStringLiteral("-sS"), QStringLiteral("--max-time"), QStringLiteral("60")} + args,
                        input);
    }
    static QString local(int port, const QString &path)
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path);
    }

private slots:
    void initTestCase()
    {
        m_s = std::make_unique<E2eSession>();
        QString error;
        QVERIFY2(m_s->start(&error, true), qPrintable(error));
    }

    void helpNamesTheCommands()
    {
        HeyoRun r = m_s->heyo({QStringLiteral("--help")});
        QCOMPARE(r.rc, 0);
        for (const char *c : {"list", "forward", "open"})
            QVERIFY2(r.out.contains(QByteArray("\n  ") + c + ' '), c);
        r = m_s->heyo({QStringLiteral("forward"), QStringLiteral("--help")});
        QCOMPARE(r.rc, 0);
        QVERIFY(r.out.contains("SLUG:PORT") && r.out.contains("--router") && r.out.contains("never silently moved"));
        r = m_s->heyo({QStringLiteral("open"), QStringLiteral("--help")});
        QVERIFY(r.out.contains("does not start a forwarder in the background"));
        QCOMPARE(m_s->heyo({QStringLiteral("forward")}).rc, 2);
        QCOMPARE(m_s->heyo({QStringLiteral("forward"), QStringLiteral("--all"), QStringLiteral("demo-web")}).rc, 2);
        QCOMPARE(m_s->heyo({QStringLiteral("forward"), QStringLiteral("demo-web:99999")}).rc, 2);
        QCOMPARE(m_s->heyo({QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("xml")}).rc, 2);
    }

    void listTextGroupsByDevice()
    {
        const HeyoRun r =
            m_s->heyo({QStringLiteral("list"), QStringLiteral("--account"), QStringLiteral("ada@demo.heyo")});
        QVERIFY2(r.rc == 0, r.err.constData());
        const QString text = QString::fromUtf8(r.out);
        // One heading per device, each followed by its own table.
        const QStringList blocks = text.split(QStringLiteral("\n\n"));
        QCOMPARE(blocks.size(), 3);
        const auto blockOf = [&](const QString &device) {
            for (const QString &b : blocks)
                if (b.startsWith(device + QStringLiteral(" (dev_")))
                    return b;
            return QString();
        };
        QVERIFY(blockOf("ada-laptop").contains(QLatin1String("demo-web")));
        QVERIFY(blockOf("ada-laptop").contains(QLatin1String("demo-files")));
        QVERIFY(!blockOf("ada-laptop").contains(QLatin1String("demo-git")));
        QVERIFY(blockOf("build-server").contains(QLatin1String("demo-git")));
        QVERIFY(blockOf("build-server").contains(QLatin1String("demo-ws")));
        QVERIFY(blockOf("build-server").contains(QLatin1String("demo-events")));
        QVERIFY(blockOf("raspberry-pi").contains(QRegularExpression(QStringLiteral("demo-docs +public +running"))));
        QVERIFY(text.contains(
            QRegularExpression(QStringLiteral("demo-web +private +running +https://demo-web\\.heyo\\.localhost:%1 ")
                                   .arg(m_s->edge().port()))));
        QVERIFY(text.contains(QLatin1String("SLUG")) && text.contains(QLatin1String("LOCAL")));
        QVERIFY2(!text.contains(QLatin1String("bob")), "another account's endpoints in Ada's list");
    }

    void listJsonHasStableFields()
    {
        HeyoRun r = m_s->heyo({QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.rc == 0, r.err.constData());
        QJsonParseError pe;
        const QJsonArray list =
            QJsonDocument::fromJson(r.out, &pe).object().value(QStringLiteral("endpoints")).toArray();
        QCOMPARE(pe.error, QJsonParseError::NoError);
        QCOMPARE(list.size(), 8); // Ada's seven and Bob's one: both signed in
        QHash<QString, QJsonObject> bySlug;
        for (const auto &v : list) {
            const QJsonObject o = v.toObject();
            QStringList keys = o.keys();
            keys.sort();
            QCOMPARE(keys, (QStringList{"account", "device", "local_port", "private", "sandbox", "slug", "status",
                                        "upstream_port", "url"}));
            QCOMPARE(o.value("device").toObject().keys(), (QStringList{"id", "name"}));
            QCOMPARE(o.value("account").toObject().keys(), (QStringList{"email", "id"}));
            bySlug.insert(o.value("slug").toString(), o);
        }
        QCOMPARE(bySlug.value("demo-web").value("url").toString(),
                 QStringLiteral("https://demo-web.heyo.localhost:%1").arg(m_s->edge().port()));
        QCOMPARE(bySlug.value("demo-web").value("private").toBool(), true);
        QCOMPARE(bySlug.value("demo-docs").value("private").toBool(), false);
        QCOMPARE(bySlug.value("demo-web").value("device").toObject().value("name").toString(),
                 QStringLiteral("ada-laptop"));
        QCOMPARE(bySlug.value("demo-web").value("account").toObject().value("email").toString(),
                 QStringLiteral("ada@demo.heyo"));
        QCOMPARE(bySlug.value("bob-notes").value("account").toObject().value("email").toString(),
                 QStringLiteral("bob@demo.heyo"));
        QVERIFY(bySlug.value("bob-notes").value("account").toObject().value("id") !=
                bySlug.value("demo-web").value("account").toObject().value("id"));
        QVERIFY(bySlug.value("demo-web").value("upstream_port").toInt() > 0);
        QCOMPARE(bySlug.value("demo-web").value("status").toString(), QStringLiteral("running"));
        // Only Ada: Bob's endpoint is absent.
        r = m_s->heyo({QStringLiteral("--account"), QStringLiteral("ada@demo.heyo"), QStringLiteral("list"),
                       QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.rc, 0);
        QVERIFY(!r.out.contains("bob-notes"));
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value("endpoints").toArray().size(), 7);
    }

    void curlThroughTheForwarder()
    {
        const int port = E2eSession::freePort();
        ForwardProcess fwd(*m_s);
        QString error;
        QVERIFY2(fwd.start({QStringLiteral("demo-web:%1").arg(port), QStringLiteral("demo-files")}, &error),
                 qPrintable(error));
        QCOMPARE(fwd.port(QStringLiteral("demo-web")), port);
        QVERIFY(
            fwd.out().contains(QStringLiteral("Forwarding http://127.0.0.1:%1 → https://demo-web.heyo.localhost:%2\n")
                                   .arg(port)
                                   .arg(m_s->edge().port())
                                   .toUtf8()));
        // GET: the edge saw Ada's token.
        HeyoRun r = curl({local(port, "/api/whoami")});
        QVERIFY2(r.rc == 0, r.out.constData());
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value("email").toString(), QStringLiteral("ada@demo.heyo"));
        // POST and PUT with bodies: echoed back.
        for (const char *method : {"POST", "PUT"}) {
            r = curl({QStringLiteral("-X"), QString::fromLatin1(method), QStringLiteral("--data-binary"),
                      QStringLiteral("hello from curl ") + method, local(port, "/api/echo")});
            QVERIFY2(r.rc == 0, r.out.constData());
            QVERIFY2(r.out.contains(QByteArray("hello from curl ") + method), r.out.constData());
            QVERIFY2(r.out.contains(method), r.out.constData());
        }
        // Chunked upload (body from stdin, no Content-Length) to demo-files: hashed upstream.
        QByteArray body;
        for (int i = 0; i < 200000; ++i)
            body += char('a' + i % 23);
        const int files = fwd.port(QStringLiteral("demo-files"));
        QVERIFY(files >= 7001 && files <= 7999);
        r = curl({QStringLiteral("-H"), QStringLiteral("Transfer-Encoding: chunked"), QStringLiteral("--data-binary"),
                  QStringLiteral("@-"), local(files, "/upload")},
                 body);
        QVERIFY2(r.rc == 0, r.out.constData());
        const QJsonObject up = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(up.value("bytes").toInteger(), body.size());
        QCOMPARE(up.value("sha256").toString().toLatin1(),
                 QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
        // Keep-alive: one connection for several requests.
        QStringList keepAlive{QStringLiteral("-w"), QStringLiteral("%{num_connects} ")};
        for (const char *path : {"/", "/static/app.css", "/static/app.js", "/api/whoami"})
            keepAlive << QStringLiteral("-o") << QStringLiteral("/dev/null") << local(port, QString::fromLatin1(path));
        r = curl(keepAlive);
        QCOMPARE(r.out, QByteArray("1 0 0 0 "));
        // -L follows the redirect and stays on the forwarder.
        r = curl({QStringLiteral("-L"), QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
                  QStringLiteral("%{url_effective} %{http_code} %{num_redirects}"),
                  local(port, "/redirect?to=/api/whoami")});
        QVERIFY2(r.out.startsWith(local(port, "/").toUtf8()) && r.out.endsWith(" 200 1"), r.out.constData());
        QCOMPARE(fwd.stop(SIGINT), 0);
        // Gone after the stop.
        QVERIFY(curl({local(port, "/api/whoami")}).rc != 0);
    }

    void eachEndpointUsesItsOwnersToken()
    {
        ForwardProcess fwd(*m_s);
        QString error;
        const int a = E2eSession::freePort(), b = E2eSession::freePort();
        QVERIFY2(fwd.start({QStringLiteral("demo-web:%1").arg(a), QStringLiteral("bob-notes:%1").arg(b)}, &error),
                 qPrintable(error));
        HeyoRun r = curl({local(a, "/api/whoami")});
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value("email").toString(), QStringLiteral("ada@demo.heyo"));
        r = curl({local(b, "/api/whoami")});
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value("email").toString(), QStringLiteral("bob@demo.heyo"));
        QCOMPARE(fwd.stop(SIGTERM), 0);
    }

    void portsAreStable()
    {
        // An assigned port is kept for the next run; an explicit one is saved too.
        QString error;
        int first = 0;
        {
            ForwardProcess fwd(*m_s);
            QVERIFY2(fwd.start({QStringLiteral("demo-events")}, &error), qPrintable(error));
            first = fwd.port(QStringLiteral("demo-events"));
            QVERIFY(first >= 7001 && first <= 7999);
            QCOMPARE(fwd.stop(), 0);
        }
        {
            ForwardProcess fwd(*m_s);
            QVERIFY2(fwd.start({QStringLiteral("demo-events")}, &error), qPrintable(error));
            QCOMPARE(fwd.port(QStringLiteral("demo-events")), first);
            QCOMPARE(fwd.stop(), 0);
        }
        const int chosen = E2eSession::freePort();
        {
            ForwardProcess fwd(*m_s);
            QVERIFY2(fwd.start({QStringLiteral("demo-docs:%1").arg(chosen)}, &error), qPrintable(error));
            QCOMPARE(fwd.stop(), 0);
        }
        ForwardProcess fwd(*m_s);
        QVERIFY2(fwd.start({QStringLiteral("demo-docs")}, &error), qPrintable(error));
        QCOMPARE(fwd.port(QStringLiteral("demo-docs")), chosen);
        // heyo list shows the local port.
        const HeyoRun r = m_s->heyo({QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        bool seen = false;
        for (const auto &v : QJsonDocument::fromJson(r.out).object().value("endpoints").toArray())
            if (v.toObject().value("slug").toString() == QLatin1String("demo-docs")) {
                QCOMPARE(v.toObject().value("local_port").toInt(), chosen);
                seen = true;
            }
        QVERIFY(seen);
        QVERIFY(m_s->heyo({QStringLiteral("list")})
                    .out.contains(QStringLiteral("http://127.0.0.1:%1").arg(chosen).toUtf8()));
        QCOMPARE(fwd.stop(), 0);
    }

    void busyPortNamesTheHolder()
    {
        // Another process (python) holds the port: error naming it, exit 1, nothing moved.
        QProcess holder;
        holder.start(QStringLiteral("python3"),
                     {QStringLiteral("-c"),
                      QStringLiteral("import socket,sys\ns=socket.socket()\ns.bind(('127.0.0.1',0))\n"
                                     "s.listen()\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()")});
        QVERIFY(holder.waitForReadyRead(10000));
        const int port = holder.readLine().trimmed().toInt();
        QVERIFY(port > 0);
        const HeyoRun r = m_s->heyo({QStringLiteral("forward"), QStringLiteral("demo-web:%1").arg(port)});
        QCOMPARE(r.rc, 1);
        QVERIFY2(r.err.contains(QStringLiteral("python3 (pid %1)").arg(holder.processId()).toUtf8()),
                 r.err.constData());
        QVERIFY(r.out.isEmpty());
        holder.closeWriteChannel();
        QVERIFY(holder.waitForFinished(5000));
    }

    void unknownSlugListsKnownOnes()
    {
        const HeyoRun r = m_s->heyo({QStringLiteral("forward"), QStringLiteral("no-such-thing")});
        QCOMPARE(r.rc, 1);
        QVERIFY(r.err.contains("unknown endpoint 'no-such-thing'"));
        for (const char *slug : {"demo-web", "demo-files", "demo-git", "bob-notes"})
            QVERIFY2(r.err.contains(slug), slug);
        QCOMPARE(r.err.count('\n'), 1);
    }

    void interruptLetsInFlightRequestsFinish()
    {
        const int port = E2eSession::freePort();
        ForwardProcess fwd(*m_s);
        QString error;
        QVERIFY2(fwd.start({QStringLiteral("demo-events:%1").arg(port)}, &error), qPrintable(error));
        // A stream of 4 events, 400 ms apart, still running when Ctrl-C arrives.
        QProcess stream;
        stream.setProcessEnvironment(m_s->env());
        stream.start(QStringLiteral("curl"), {QStringLiteral("-sSN"), local(port, "/events?count=4&interval_ms=400")});
        QVERIFY(stream.waitForReadyRead(10000));
        QCOMPARE(fwd.stop(SIGINT), 0);
        QVERIFY(stream.waitForFinished(20000));
        const QByteArray events = stream.readAll();
        m_s->record(events);
        QCOMPARE(stream.exitCode(), 0);
        QCOMPARE(events.count("data:"), 4);
        QVERIFY(fwd.err().contains("Stopping"));
        QVERIFY(curl({local(port, "/")}).rc != 0); // nobody listens any more
    }

    void routerRoutesBySlug()
    {
        ForwardProcess fwd(*m_s);
        QString error;
        QVERIFY2(fwd.start({QStringLiteral("demo-web:%1").arg(E2eSession::freePort()),
                            QStringLiteral("demo-files:%1").arg(E2eSession::freePort()), QStringLiteral("--router"),
                            QStringLiteral("0")},
                           &error),
                 qPrintable(error));
        const int router = fwd.routerPort();
        QVERIFY(router > 0);
        QVERIFY(
            fwd.out().contains(QStringLiteral("Forwarding http://demo-files.localhost:%1 → ").arg(router).toUtf8()));
        HeyoRun r = curl({QStringLiteral("http://demo-web.localhost:%1/api/whoami").arg(router)});
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value("email").toString(), QStringLiteral("ada@demo.heyo"));
        r = curl({QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
                  QStringLiteral("%{http_code} %{size_download}"),
                  QStringLiteral("http://demo-files.localhost:%1/download?size=12345").arg(router)});
        QCOMPARE(r.out, QByteArray("200 12345"));
        // A slug that is not forwarded is not reached through the router.
        r = curl({QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
                  QStringLiteral("%{http_code}"), QStringLiteral("http://demo-git.localhost:%1/").arg(router)});
        QVERIFY2(r.out != "200", r.out.constData());
        QCOMPARE(fwd.stop(), 0);
    }

    void openUsesTheSlugOrigin()
    {
        // Not forwarded: says what to run.
        HeyoRun r = m_s->heyo({QStringLiteral("open"), QStringLiteral("demo-ws")});
        QCOMPARE(r.rc, 1);
        QVERIFY2(r.err.contains("heyo forward demo-ws"), r.err.constData());
        const int port = E2eSession::freePort();
        ForwardProcess fwd(*m_s);
        QString error;
        QVERIFY2(fwd.start({QStringLiteral("demo-ws:%1").arg(port)}, &error), qPrintable(error));
        const QString url = QStringLiteral("http://demo-ws.localhost:%1/").arg(port);
        // No display: the URL is printed.
        QProcessEnvironment env = m_s->env();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        r = m_s->heyo({QStringLiteral("open"), QStringLiteral("demo-ws")}, {}, env);
        QCOMPARE(r.rc, 0);
        QCOMPARE(r.out, (url + QLatin1Char('\n')).toUtf8());
        // A display: xdg-open (here a stand-in on PATH that records its argument) gets the URL.
        QTemporaryDir bin;
        const QString record = bin.filePath(QStringLiteral("opened"));
        QFile opener(bin.filePath(QStringLiteral("xdg-open")));
        QVERIFY(opener.open(QIODevice::WriteOnly));
        opener.write(QStringLiteral("#!/bin/sh\nprintf %s \"$1\" > %1\n").arg(record).toUtf8());
        opener.close();
        opener.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        env.insert(QStringLiteral("DISPLAY"), QStringLiteral(":99"));
        env.insert(QStringLiteral("PATH"), bin.path() + QLatin1Char(':') + env.value(QStringLiteral("PATH")));
        r = m_s->heyo({QStringLiteral("open"), QStringLiteral("demo-ws")}, {}, env);
        QCOMPARE(r.rc, 0);
        QTRY_VERIFY(QFile::exists(record));
        QFile f(record);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QTRY_COMPARE(QFile(record).size(), qint64(url.size()));
        QCOMPARE(QString::fromUtf8(f.readAll()), url);
        QCOMPARE(fwd.stop(), 0);
        // The port is kept, but nothing listens now: the hint again.
        r = m_s->heyo({QStringLiteral("open"), QStringLiteral("demo-ws")}, {}, env);
        QCOMPARE(r.rc, 1);
        QVERIFY(r.err.contains("heyo forward demo-ws"));
    }

    void noticesOnStderr()
    {
        // Its own service with 3-second tokens: a password session cannot be renewed, so the forwarder must say
        // that Ada has to sign in again; then the service goes away: an upstream notice and a 502.
        E2eSession s({QStringLiteral("--token-lifetime"), QStringLiteral("3")});
        QString error;
        QVERIFY2(s.start(&error), qPrintable(error));
        const int port = E2eSession::freePort();
        ForwardProcess fwd(s);
        QVERIFY2(fwd.start({QStringLiteral("demo-web:%1").arg(port)}, &error), qPrintable(error));
        HeyoRun r = s.run(QStringLiteral("curl"), {QStringLiteral("-sS"), local(port, "/api/whoami")});
        QVERIFY2(r.out.contains("ada@demo.heyo"), r.out.constData());
        QTest::qWait(4500);
        r = s.run(QStringLiteral("curl"), {QStringLiteral("-sS"), QStringLiteral("-w"),
                                           QStringLiteral("\n%{http_code}"), local(port, "/api/whoami")});
        QVERIFY2(r.out.endsWith("\n401") && r.out.contains("ada@demo.heyo"), r.out.constData());
        QTRY_VERIFY_WITH_TIMEOUT(fwd.err().contains("heyo: ada@demo.heyo must sign in again"), 5000);
        QCOMPARE(fwd.stop(), 0);
        for (const QByteArray &line : fwd.err().split('\n'))
            QVERIFY2(line.isEmpty() || line.startsWith("heyo: ") || line.startsWith("Press") ||
                         line.startsWith("Stopping"),
                     line.constData());
        QVERIFY(!s.allLogs().contains("eyJ") && !s.allLogs().contains("heyo_"));

        // A service that went away: 502 with a one-line answer, and a notice naming the endpoint.
        E2eSession gone;
        QVERIFY2(gone.start(&error), qPrintable(error));
        ForwardProcess fwd2(gone);
        QVERIFY2(fwd2.start({QStringLiteral("demo-web:%1").arg(E2eSession::freePort())}, &error), qPrintable(error));
        const int port2 = fwd2.port(QStringLiteral("demo-web"));
        QVERIFY(gone.run(QStringLiteral("curl"), {QStringLiteral("-sS"), local(port2, "/api/whoami")})
                    .out.contains("ada@demo.heyo"));
        gone.edge().stop();
        r = gone.run(QStringLiteral("curl"),
                     {QStringLiteral("-sS"), QStringLiteral("-w"), QStringLiteral("%{http_code}"), local(port2, "/")});
        QVERIFY2(r.out.endsWith("\n502") && r.out.count('\n') == 1, r.out.constData());
        QTRY_VERIFY_WITH_TIMEOUT(fwd2.err().contains("heyo: demo-web: cannot reach endpoint"), 5000);
        QCOMPARE(fwd2.stop(), 0);
        QVERIFY(!gone.allLogs().contains("eyJ") && !gone.allLogs().contains("heyo_"));
    }

    void cleanupTestCase()
    {
        // Every output of every heyo, curl and git run of this test, and the edge's log.
        const QByteArray logs = m_s->allLogs();
        QVERIFY(logs.size() > 1000);
        QVERIFY2(!logs.contains("eyJ"), "a JWT (or its masked prefix) in some output");
        QVERIFY2(!logs.contains("heyo_"), "an API key (or its masked prefix) in some output");
    }
};

QTEST_GUILESS_MAIN(TestE2eForward)
#include "tst_e2e_forward.moc"
