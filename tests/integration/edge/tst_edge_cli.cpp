// heyo-edge's command line: admin commands (also while `serve` runs), their errors and exit codes, demo seeding,
// TLS material on first start, and clear failures for a taken port, a bad data directory and a corrupt database.
#include "EdgeTestHelpers.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QtTest>

#include <csignal>

class EdgeCliTest : public QObject {
    Q_OBJECT

    static EdgeProcess::Run runEdge(const QStringList &args, const QByteArray &input = {})
    {
        QProcess p;
        p.start(HEYO_EDGE_BINARY, args);
        p.waitForStarted();
        p.write(input);
        p.closeWriteChannel();
        p.waitForFinished(30000);
        return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
    }

private slots:
    void usageAndHelp()
    {
        auto none = runEdge({});
        QCOMPARE(none.exitCode, 2);
        QVERIFY(none.err.contains("Usage: heyo-edge"));
        QCOMPARE(runEdge({"frobnicate"}).exitCode, 2);
        for (QStringList cmd : {QStringList{"serve"},
                                {"demo"},
                                {"account", "add"},
                                {"endpoint", "add"},
                                {"api-key", "issue"},
                                {"api-key", "revoke"}}) {
            auto help = runEdge(cmd + QStringList{"--help"});
            QCOMPARE(help.exitCode, 0);
            QVERIFY2(help.out.contains("--data"), qPrintable(cmd.join(' ')));
        }
        auto missing = runEdge({"account", "add", "--data", "/tmp"});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("--email is required"));
    }

    void adminCommandsAndTheirErrors()
    {
        EdgeProcess edge; // not started: admin commands work on the directory alone
        QVERIFY(edge.addAccount("carol@example.com", "carol-password", "Carol"));
        auto dup = edge.admin({"account", "add", "--email", "CAROL@example.com"}, "another-password\n");
        QCOMPARE(dup.exitCode, 1);
        QVERIFY2(dup.err.toLower().contains("carol@example.com"), dup.err.constData());
        auto shortPw = edge.admin({"account", "add", "--email", "dave@example.com"}, "short\n");
        QCOMPARE(shortPw.exitCode, 1);
        QVERIFY(shortPw.err.contains("at least 8"));

        auto noAccount = edge.admin({"endpoint", "add", "--account", "nobody@example.com", "--slug", "x", "--target",
                                     "http://127.0.0.1:1234", "--device", "d"});
        QCOMPARE(noAccount.exitCode, 1);
        QVERIFY(noAccount.err.contains("no account with email nobody@example.com"));
        auto badTarget = edge.admin({"endpoint", "add", "--account", "carol@example.com", "--slug", "x", "--target",
                                     "ftp://somewhere", "--device", "d"});
        QCOMPARE(badTarget.exitCode, 2);
        auto ok = edge.admin({"endpoint", "add", "--account", "carol@example.com", "--slug", "carol-app", "--target",
                              "http://127.0.0.1:1234", "--device", "laptop", "--sandbox", "box"});
        QCOMPARE(ok.exitCode, 0);
        auto dupSlug = edge.admin({"endpoint", "add", "--account", "carol@example.com", "--slug", "carol-app",
                                   "--target", "http://127.0.0.1:1235", "--device", "laptop"});
        QCOMPARE(dupSlug.exitCode, 1);
        auto badSlug = edge.admin({"endpoint", "add", "--account", "carol@example.com", "--slug", "Not A Label!",
                                   "--target", "http://127.0.0.1:1235", "--device", "laptop"});
        QCOMPARE(badSlug.exitCode, 1);

        auto issued = edge.admin({"api-key", "issue", "--account", "carol@example.com", "--label", "ci"});
        QCOMPARE(issued.exitCode, 0);
        QString key = QString::fromUtf8(issued.out).trimmed();
        QVERIFY(QRegularExpression("^heyo_[0-9a-f]{64}$").match(key).hasMatch());
        QVERIFY(!issued.err.contains(key.toUtf8())); // stderr shows only the prefix
        QVERIFY(issued.err.contains(key.left(12).toUtf8()));
        QCOMPARE(edge.admin({"api-key", "issue", "--account", "x@y", "--label", "ci"}).exitCode, 1);
        auto revoked = edge.admin({"api-key", "revoke", "--prefix", key.left(12)});
        QCOMPARE(revoked.exitCode, 0);
        QCOMPARE(edge.admin({"api-key", "revoke", "--prefix", key.left(12)}).exitCode, 1);

        // The whole lot is usable by a server started afterwards.
        QVERIFY2(edge.start("serve", {"--quiet"}), qPrintable(edge.error()));
        QVERIFY(!loginToken(edge, "carol@example.com", "carol-password").isEmpty());
    }

    void firstStartCreatesTlsMaterial()
    {
        EdgeProcess edge;
        QVERIFY2(edge.start("serve", {"--quiet"}), qPrintable(edge.error()));
        for (const char *f : {"tls/ca.pem", "tls/server.pem"})
            QVERIFY2(QFileInfo::exists(edge.dataDir() + "/" + f), f);
        for (const char *f : {"tls/ca-key.pem", "tls/server-key.pem", "keys/jwt-ed25519.pem"}) {
            QFileInfo info(edge.dataDir() + "/" + f);
            QVERIFY2(info.exists(), f);
            QCOMPARE(info.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                     QFile::Permissions());
        }
        // Without the CA curl refuses; with it, it connects: verification is real.
        QCOMPARE(runCurl({}, {edge.apiUrl() + "/healthz"}).exitCode, 60);
        QCOMPARE(runCurl(edge.caFile(), {edge.apiUrl() + "/healthz"}).status, 200);
        QByteArray caBefore;
        {
            QFile ca(edge.caFile());
            QVERIFY(ca.open(QIODevice::ReadOnly));
            caBefore = ca.readAll();
        }
        QVERIFY(edge.restart("serve", {"--quiet"}));
        QFile ca(edge.caFile());
        QVERIFY(ca.open(QIODevice::ReadOnly));
        QCOMPARE(ca.readAll(), caBefore); // reused, so clients keep trusting it
    }

    void demoSeedsOnceAndSurvivesRestart()
    {
        EdgeProcess edge;
        QVERIFY2(edge.start("demo", {"--quiet"}), qPrintable(edge.error()));
        QByteArray out = edge.log();
        QVERIFY(out.contains("ada@demo.heyo"));
        QVERIFY(out.contains("curl"));
        QString token = loginToken(edge, kAdaEmail, kAdaPassword);
        auto count = [&] {
            CurlResult r = runCurl(edge.caFile(), {"-H", bearer(token), edge.apiUrl() + "/api/endpoints"});
            return jsonOf(r).value("endpoints").toArray().size();
        };
        int before = count();
        QVERIFY(before >= 5);
        QVERIFY2(edge.restart("demo", {"--quiet"}), qPrintable(edge.error()));
        token = loginToken(edge, kAdaEmail, kAdaPassword);
        QCOMPARE(count(), before);
        // The demo apps moved to new ports; the endpoints follow them.
        CurlResult r = runCurl(edge.caFile(), {"-H", bearer(token), edge.endpointUrl("demo-web") + "/api/echo"});
        QCOMPARE(r.status, 200);
    }

    void takenPortIsAClearError()
    {
        QTcpServer holder;
        QVERIFY(holder.listen(QHostAddress::LocalHost, 0));
        QTemporaryDir dir;
        auto r = runEdge({"serve", "--data", dir.path(), "--listen", QString("127.0.0.1:%1").arg(holder.serverPort())});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("in use"), r.err.constData());
        QVERIFY2(r.err.contains(QByteArray::number(holder.serverPort())), r.err.constData());
    }

    void badDataDirectoryIsAClearError()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath("plain-file"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        auto r = runEdge({"serve", "--data", file.fileName(), "--listen", "127.0.0.1:0"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(file.fileName().toUtf8()), r.err.constData());
    }

    void corruptDatabaseIsAClearError()
    {
        QTemporaryDir dir;
        QFile db(dir.filePath("heyo-edge.db"));
        QVERIFY(db.open(QIODevice::WriteOnly));
        db.write(QByteArray(8192, 'x'));
        db.close();
        auto r = runEdge({"serve", "--data", dir.path(), "--listen", "127.0.0.1:0"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("heyo-edge.db"), r.err.constData());
        QVERIFY2(r.err.toLower().contains("corrupt") || r.err.contains("not a database"), r.err.constData());
        auto admin = runEdge({"account", "add", "--data", dir.path(), "--email", "a@b.c"}, "password1\n");
        QCOMPARE(admin.exitCode, 1);
    }

    void terminatesCleanlyOnSigterm()
    {
        QTemporaryDir dir;
        QProcess p;
        p.start(HEYO_EDGE_BINARY, {"serve", "--data", dir.path(), "--listen", "127.0.0.1:0"});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("listening on"), 20000);
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardError().contains("stopping"));
    }
};

QTEST_GUILESS_MAIN(EdgeCliTest)
#include "tst_edge_cli.moc"
