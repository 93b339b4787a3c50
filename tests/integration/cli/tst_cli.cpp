// Every `heyo` command against a real heyo-edge and the real keychain (gnome-keyring in the private D-Bus session the
// test command starts): sign-in by password and by API key, secrets only in the keychain (read back with secret-tool,
// scanned for in files and logs), no keychain → clear error and no file, expiry and refresh with a kept key, a
// revoked key, two accounts whose tokens never cross, and git clone/push through the edge with `heyo git-credential`
// (also set up exactly as the README says). Plus what the CLI says when used wrongly: --service without https, each
// command's usage line, `heyo open` of an unknown slug, `logout --all`, git-credential run by hand.
#include "EdgeProcess.h"

#include "core/auth/JwtClaims.h"

#include <QDateTime>
#include <QDirIterator>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace heyo;

namespace {

struct Run {
    int rc = -1;
    QByteArray out;
    QByteArray err;
};

QString heyoBinary()
{
    return QStringLiteral(HEYO_BINARY_DIR "/app/heyo/heyo");
}

QStringList filesContaining(const QString &root, const QByteArray &needle)
{
    QStringList hits;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle))
            hits << f.fileName();
    }
    return hits;
}

QStringList allFiles(const QString &root)
{
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    return files;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_home; // the HOME of the `heyo` processes: fresh per test
    QByteArray m_logs;                     // everything heyo printed that is not a deliberate secret output

    QProcessEnvironment env(const QHash<QString, QString> &extra = {}) const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("HOME"), m_home->path());
        for (const char *v : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"})
            e.remove(QString::fromLatin1(v));
        for (auto it = extra.cbegin(); it != extra.cend(); ++it) {
            if (it.value().isNull())
                e.remove(it.key());
            else
                e.insert(it.key(), it.value());
        }
        return e;
    }

    Run heyo(const QStringList &args, const QByteArray &input = {}, bool stdoutIsSecret = false,
             const QHash<QString, QString> &extraEnv = {})
    {
        QProcess p;
        p.setProcessEnvironment(env(extraEnv));
        p.start(heyoBinary(), args);
        Run r;
        if (!p.waitForStarted(10000))
            return r;
        p.write(input);
        p.closeWriteChannel();
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
            return r;
        }
        r.rc = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        m_logs += r.err;
        if (!stdoutIsSecret)
            m_logs += r.out;
        return r;
    }

    QStringList service(const test::EdgeProcess &edge) const
    {
        return {QStringLiteral("--service"), edge.baseUrl().toString(), QStringLiteral("--ca-file"), edge.caFile()};
    }

    QString accountIdOf(const QByteArray &token) const
    {
        const auto c = auth::JwtClaims::decode(token);
        return c ? c->accountId : QString();
    }

    // secret-tool reads the same Secret Service entry qtkeychain wrote (service "heyo-access", key "<id>/<purpose>").
    QByteArray keychainLookup(const QString &accountId, const QString &purpose) const
    {
        QProcess p;
        p.start(QStringLiteral("secret-tool"),
                {QStringLiteral("lookup"), QStringLiteral("user"), accountId + QLatin1Char('/') + purpose,
                 QStringLiteral("server"), QStringLiteral("heyo-access")});
        p.waitForFinished(20000);
        return p.readAllStandardOutput().trimmed();
    }

    void assertNowhereOnDisk(const QByteArray &secret)
    {
        QVERIFY(!secret.isEmpty());
        // The heyo processes' HOME and the HOME of the test run (where the keyring keeps its encrypted file).
        for (const QString &root : {m_home->path(), QDir::homePath()}) {
            const QStringList hits = filesContaining(root, secret);
            QVERIFY2(hits.isEmpty(), qPrintable(QStringLiteral("secret found in ") + hits.join(QStringLiteral(", "))));
        }
    }

    void assertNotLogged(const QByteArray &secret, test::EdgeProcess &edge)
    {
        QVERIFY(!secret.isEmpty());
        QVERIFY2(!m_logs.contains(secret), "a secret appeared in heyo's output");
        QVERIFY2(!edge.log().contains(secret), "a secret appeared in heyo-edge's log");
    }

private slots:
    void init()
    {
        m_home = std::make_unique<QTemporaryDir>();
        QVERIFY(m_home->isValid());
        m_logs.clear();
    }

    void helpVersionAndUsage()
    {
        Run r = heyo({QStringLiteral("--help")});
        QCOMPARE(r.rc, 0);
        for (const char *word : {"login", "logout", "whoami", "accounts", "token", "api-key", "git-credential",
                                 "Exit codes", "3  not signed in"})
            QVERIFY2(r.out.contains(word), word);
        r = heyo({QStringLiteral("--version")});
        QCOMPARE(r.rc, 0);
        QVERIFY(r.out.startsWith("heyo "));
        QCOMPARE(heyo({}).rc, 2);
        QCOMPARE(heyo({QStringLiteral("frobnicate")}).rc, 2);
        QCOMPARE(heyo({QStringLiteral("login"), QStringLiteral("--no-such-option")}).rc, 2);
        QCOMPARE(heyo({QStringLiteral("api-key"), QStringLiteral("create")}).rc, 2); // --label missing
        QCOMPARE(heyo({QStringLiteral("login"), QStringLiteral("--keep-key")}).rc, 2);
        r = heyo({QStringLiteral("token")});
        QCOMPARE(r.rc, 3);
        QVERIFY(r.err.contains("not signed in"));
        QCOMPARE(heyo({QStringLiteral("whoami")}).rc, 3);
        QCOMPARE(heyo({QStringLiteral("accounts")}).rc, 3);
        r = heyo({QStringLiteral("login"), QStringLiteral("--browser")});
        QCOMPARE(r.rc, 1);
        QVERIFY(r.err.contains("tray app"));
        QVERIFY(allFiles(m_home->path()).isEmpty());
    }

    void eachCommandHelpSaysHeyoCommand()
    {
        // Qt's usage line named the binary's full path (with a trailing space) and added an "Arguments:" section
        // that held only the command's own name.
        for (const char *c : {"login", "logout", "whoami", "accounts", "token", "api-key", "git-credential", "list",
                              "forward", "open"}) {
            const QString command = QString::fromLatin1(c);
            const Run r = heyo({command, QStringLiteral("--help")});
            QCOMPARE(r.rc, 0);
            const QByteArray usage = r.out.left(r.out.indexOf('\n'));
            QVERIFY2(usage.startsWith("Usage: heyo " + command.toUtf8() + " [options]"), usage.constData());
            QVERIFY2(!usage.contains('/') && !usage.endsWith(' '), usage.constData());
            QVERIFY2(!r.out.contains("Arguments:"), r.out.constData());
            QVERIFY2(!r.out.contains(HEYO_BINARY_DIR), r.out.constData());
            QVERIFY2(r.out.contains("\nOptions:\n") && r.out.contains("--service <URL>"), r.out.constData());
        }
        QVERIFY(heyo({QStringLiteral("forward"), QStringLiteral("--help")})
                    .out.startsWith("Usage: heyo forward [options] SLUG[:PORT]..."));
    }

    void serviceWithoutHttpsNamesTheUrlToUse()
    {
        test::EdgeProcess edge({}, true);
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        const QString hostPort = QStringLiteral("localhost:%1").arg(edge.port());
        // Both ways in: `login`, and any command's --no-store sign-in (that one said "Connection closed").
        for (const QString &given : {hostPort, QStringLiteral("http://") + hostPort}) {
            for (const QStringList &command :
                 {QStringList{QStringLiteral("login"), QStringLiteral("--email"), QStringLiteral("ada@demo.heyo"),
                              QStringLiteral("--password-stdin")},
                  QStringList{QStringLiteral("--no-store"), QStringLiteral("list"), QStringLiteral("--email"),
                              QStringLiteral("ada@demo.heyo"), QStringLiteral("--password-stdin")}}) {
                const Run r =
                    heyo(QStringList{QStringLiteral("--service"), given, QStringLiteral("--ca-file"), edge.caFile()} +
                             command,
                         "ada-demo-password\n");
                QCOMPARE(r.rc, 2);
                QVERIFY2(r.err.contains("https") && r.err.contains("use --service https://" + hostPort.toUtf8() + "\n"),
                         r.err.constData());
                QVERIFY2(!r.err.contains("Connection closed"), r.err.constData());
                QCOMPARE(r.err.count('\n'), 1);
            }
        }
        // The URL it names works.
        const Run r =
            heyo({QStringLiteral("--service"), QStringLiteral("https://") + hostPort, QStringLiteral("--ca-file"),
                  edge.caFile(), QStringLiteral("--no-store"), QStringLiteral("list"), QStringLiteral("--email"),
                  QStringLiteral("ada@demo.heyo"), QStringLiteral("--password-stdin")},
                 "ada-demo-password\n");
        QVERIFY2(r.rc == 0 && r.out.contains("demo-web"), r.err.constData());
    }

    void openTellsAnUnknownSlugFromOneNeverForwarded()
    {
        QCOMPARE(heyo({QStringLiteral("open"), QStringLiteral("nosuch")}).rc, 3); // nobody signed in: no list to ask
        test::EdgeProcess edge({}, true);
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        const Run login =
            heyo(service(edge) + QStringList{QStringLiteral("login"), QStringLiteral("--email"),
                                             QStringLiteral("ada@demo.heyo"), QStringLiteral("--password-stdin")},
                 "ada-demo-password\n");
        QVERIFY2(login.rc == 0, login.err.constData());
        Run r = heyo({QStringLiteral("open"), QStringLiteral("nosuch")});
        QCOMPARE(r.rc, 1);
        QVERIFY2(r.err.startsWith("heyo: no endpoint nosuch ") && r.err.contains("demo-web") &&
                     r.err.contains("demo-git"),
                 r.err.constData());
        QVERIFY2(!r.err.contains("no local port"), r.err.constData());
        r = heyo({QStringLiteral("open"), QStringLiteral("demo-ws")});
        QCOMPARE(r.rc, 1);
        QVERIFY2(r.err.contains("demo-ws has no local port yet") && r.err.contains("heyo forward demo-ws"),
                 r.err.constData());
        QCOMPARE(heyo({QStringLiteral("logout")}).rc, 0);
    }

    void logoutAllSignsOutEveryAccount()
    {
        test::EdgeProcess edge({}, true);
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QStringList ids;
        for (const char *who : {"ada", "bob"}) {
            const Run r = heyo(service(edge) + QStringList{QStringLiteral("login"), QStringLiteral("--email"),
                                                           QStringLiteral("%1@demo.heyo").arg(QLatin1String(who)),
                                                           QStringLiteral("--password-stdin")},
                               QByteArray(who) + "-demo-password\n");
            QVERIFY2(r.rc == 0, r.err.constData());
            ids << QRegularExpression(QStringLiteral("acc_[0-9a-f]+")).match(QString::fromUtf8(r.out)).captured(0);
        }
        for (const QString &id : ids)
            QVERIFY(!keychainLookup(id, QStringLiteral("jwt")).isEmpty());
        QCOMPARE(heyo({QStringLiteral("logout"), QStringLiteral("--all"), QStringLiteral("--account"),
                       QStringLiteral("ada@demo.heyo")})
                     .rc,
                 2);
        const Run r = heyo({QStringLiteral("logout"), QStringLiteral("--all")});
        QVERIFY2(r.rc == 0, r.err.constData());
        QVERIFY(r.out.contains("Signed out ada@demo.heyo") && r.out.contains("Signed out bob@demo.heyo"));
        for (const QString &id : ids)
            QVERIFY2(keychainLookup(id, QStringLiteral("jwt")).isEmpty(), qPrintable(id));
        QCOMPARE(heyo({QStringLiteral("accounts")}).rc, 3);
        QCOMPARE(heyo({QStringLiteral("logout"), QStringLiteral("--all")}).rc, 3);
    }

    void gitCredentialByHandSaysHowGitUsesIt()
    {
        // On a terminal (a pseudo-terminal here) it explains itself, then reads as git would; from git (a pipe) it
        // says nothing.
        const QString driver = QStringLiteral("import os, pty, sys\n"
                                              "pid, fd = pty.fork()\n"
                                              "if pid == 0:\n"
                                              "    os.execv(sys.argv[1], sys.argv[1:])\n"
                                              "out = b''\n"
                                              "while b'an empty line ends them' not in out:\n"
                                              "    d = os.read(fd, 1024)\n"
                                              "    if not d: break\n"
                                              "    out += d\n"
                                              "os.write(fd, b'\\n')\n"
                                              "try:\n"
                                              "    while True:\n"
                                              "        d = os.read(fd, 1024)\n"
                                              "        if not d: break\n"
                                              "        out += d\n"
                                              "except OSError: pass\n"
                                              "_, st = os.waitpid(pid, 0)\n"
                                              "sys.stdout.buffer.write(out)\n"
                                              "sys.exit(os.waitstatus_to_exitcode(st))\n");
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(QStringLiteral("python3"),
                {QStringLiteral("-c"), driver, heyoBinary(), QStringLiteral("git-credential"), QStringLiteral("get")});
        QVERIFY(p.waitForFinished(30000));
        const QByteArray transcript = p.readAllStandardOutput();
        QVERIFY2(p.exitCode() == 0, transcript.constData());
        QVERIFY2(transcript.contains("git credential helper") && transcript.contains(".sslCAInfo ") &&
                     transcript.contains("credential.https://SLUG.heyo.localhost:8443.helper '!heyo git-credential'"),
                 transcript.constData());
        const Run piped = heyo({QStringLiteral("git-credential"), QStringLiteral("get")}, "protocol=https\nhost=x\n\n");
        QCOMPARE(piped.rc, 0);
        QCOMPARE(piped.err, QByteArray());
    }

    void readmeGitSetupClonesThroughTheEdge()
    {
        // The README's git lines, run as written (only the port is the test edge's), in a HOME where the demo's CA
        // sits where the README says and heyo is on PATH. Without the sslCAInfo line git failed with "certificate
        // verification failed".
        test::EdgeProcess edge({}, true);
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY(QDir(m_home->path()).mkpath(QStringLiteral(".local/share/heyo-edge-demo/tls")));
        QVERIFY(QFile::copy(edge.caFile(), m_home->filePath(QStringLiteral(".local/share/heyo-edge-demo/tls/ca.pem"))));
        const Run login =
            heyo(service(edge) + QStringList{QStringLiteral("login"), QStringLiteral("--email"),
                                             QStringLiteral("ada@demo.heyo"), QStringLiteral("--password-stdin")},
                 "ada-demo-password\n");
        QVERIFY2(login.rc == 0, login.err.constData());

        QFile readme(QStringLiteral(HEYO_SOURCE_DIR "/README.md"));
        QVERIFY(readme.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(readme.readAll());
        const qsizetype section = text.indexOf(QLatin1String("### Tokens for scripts and git"));
        QVERIFY(section > 0);
        const QString block = text.mid(section, text.indexOf(QLatin1String("\n```\n"), section) - section);
        QStringList lines;
        for (const QString &line : block.split(QLatin1Char('\n')))
            if (line.startsWith(QLatin1String("git ")))
                lines << QString(line).replace(QLatin1String(":8443"), QStringLiteral(":%1").arg(edge.port()));
        QCOMPARE(lines.size(), 3); // credential helper, CA, clone
        QVERIFY2(lines.at(1).contains(QLatin1String(".sslCAInfo ")), qPrintable(lines.at(1)));

        QTemporaryDir work;
        QProcessEnvironment e = env({{QStringLiteral("GIT_TERMINAL_PROMPT"), QStringLiteral("0")},
                                     {QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1")},
                                     {QStringLiteral("GIT_SSL_CAINFO"), QString()}}); // it would override the config
        e.insert(QStringLiteral("PATH"),
                 QStringLiteral(HEYO_BINARY_DIR "/app/heyo:") + e.value(QStringLiteral("PATH")));
        for (const QString &line : std::as_const(lines)) {
            QProcess sh;
            sh.setProcessEnvironment(e);
            sh.setWorkingDirectory(work.path());
            sh.setProcessChannelMode(QProcess::MergedChannels);
            sh.start(QStringLiteral("bash"), {QStringLiteral("-c"), line});
            QVERIFY(sh.waitForFinished(60000));
            const QByteArray out = sh.readAll();
            m_logs += out;
            QVERIFY2(sh.exitCode() == 0, qPrintable(line + QStringLiteral(": ") + QString::fromUtf8(out)));
        }
        QVERIFY(QDir(work.filePath(QStringLiteral("demo"))).exists(QStringLiteral(".git")));
        const QByteArray token = heyo({QStringLiteral("token")}, {}, true).out.trimmed();
        assertNotLogged(token, edge);
    }

    void passwordLoginKeepsTheTokenInTheKeychainOnly()
    {
        test::EdgeProcess edge;
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        const QByteArray password = "pw-Ann-9321-secret";
        QVERIFY2(edge.addAccount(QStringLiteral("ann@example.com"), password, QStringLiteral("Ann"), &error),
                 qPrintable(error));

        Run r = heyo(service(edge) + QStringList{QStringLiteral("login"), QStringLiteral("--email"),
                                                 QStringLiteral("ann@example.com"), QStringLiteral("--password-stdin")},
                     password + "\n");
        QVERIFY2(r.rc == 0, r.err.constData());
        QVERIFY(r.out.contains("ann@example.com"));

        r = heyo({QStringLiteral("token")}, {}, true);
        QCOMPARE(r.rc, 0);
        const QByteArray token = r.out.trimmed();
        const QString id = accountIdOf(token);
        QVERIFY(id.startsWith(QLatin1String("acc_")));
        QCOMPARE(keychainLookup(id, QStringLiteral("jwt")), token);

        r = heyo({QStringLiteral("whoami")});
        QVERIFY2(r.rc == 0, r.err.constData());
        QVERIFY(r.out.contains("ann@example.com"));
        QVERIFY(r.out.contains(id.toUtf8()));
        QVERIFY(r.out.contains("active"));
        r = heyo({QStringLiteral("accounts")});
        QCOMPARE(r.rc, 0);
        QVERIFY(r.out.contains("* ann@example.com"));

        // Account list on disk, secrets not.
        QVERIFY(!filesContaining(m_home->path(), "ann@example.com").isEmpty());
        assertNowhereOnDisk(token);
        assertNowhereOnDisk(password);
        assertNotLogged(token, edge);
        assertNotLogged(password, edge);

        // A wrong password: clear message, exit 1, nothing changes.
        r = heyo(service(edge) + QStringList{QStringLiteral("login"), QStringLiteral("--email"),
                                             QStringLiteral("ann@example.com"), QStringLiteral("--password-stdin")},
                 "wrong\n");
        QCOMPARE(r.rc, 1);
        QVERIFY(r.err.contains("incorrect"));
        QCOMPARE(r.err.count('\n'), 1);

        r = heyo({QStringLiteral("logout")});
        QVERIFY2(r.rc == 0, r.err.constData());
        QVERIFY(keychainLookup(id, QStringLiteral("jwt")).isEmpty());
        QCOMPARE(heyo({QStringLiteral("token")}).rc, 3);
        QVERIFY(filesContaining(m_home->path(), "ann@example.com").isEmpty());
    }

    void passwordFromTheTerminalIsNotEchoed()
    {
        test::EdgeProcess edge;
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        const QByteArray password = "pw-tty-5550-quiet";
        QVERIFY(edge.addAccount(QStringLiteral("tty@example.com"), password, {}, &error));
        // A real pseudo-terminal: heyo prompts on /dev/tty, the email is echoed, the password must not be.
        const QString driver = QStringLiteral("import os, pty, sys\n"
                                              "pw = sys.stdin.buffer.read()\n"
                                              "pid, fd = pty.fork()\n"
                                              "if pid == 0:\n"
                                              "    os.execv(sys.argv[1], sys.argv[1:])\n"
                                              "out = b''\n"
                                              "def until(s):\n"
                                              "    global out\n"
                                              "    while s not in out:\n"
                                              "        try: d = os.read(fd, 1024)\n"
                                              "        except OSError: return\n"
                                              "        if not d: return\n"
                                              "        out += d\n"
                                              "until(b'Email: '); os.write(fd, b'tty@example.com\\n')\n"
                                              "until(b'Password for tty@example.com: '); os.write(fd, pw + b'\\n')\n"
                                              "until(b'\\x00')\n"
                                              "_, st = os.waitpid(pid, 0)\n"
                                              "sys.stdout.buffer.write(out)\n"
                                              "sys.exit(os.waitstatus_to_exitcode(st))\n");
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(QStringLiteral("python3"), QStringList{QStringLiteral("-c"), driver, heyoBinary()} + service(edge) +
                                               QStringList{QStringLiteral("login")});
        QVERIFY(p.waitForStarted());
        p.write(password);
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(60000));
        const QByteArray transcript = p.readAllStandardOutput();
        QVERIFY2(p.exitCode() == 0, (transcript + p.readAllStandardError()).constData());
        QVERIFY2(transcript.contains("Signed in as tty@example.com"), transcript.constData());
        QVERIFY(transcript.contains("Email: tty@example.com")); // echo on for the email
        QVERIFY2(!transcript.contains(password), "the password was echoed");
        QCOMPARE(heyo({QStringLiteral("token")}, {}, true).rc, 0);
    }

    void apiKeyLoginAndApiKeyCommands()
    {
        test::EdgeProcess edge;
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY(edge.addAccount(QStringLiteral("bea@example.com"), "pw-bea-123", {}, &error));
        const QByteArray key = edge.issueApiKey(QStringLiteral("bea@example.com"), QStringLiteral("laptop"), &error);
        QVERIFY2(!key.isEmpty(), qPrintable(error));

        Run r = heyo(service(edge) + QStringList{QStringLiteral("login"), QStringLiteral("--api-key-stdin"),
                                                 QStringLiteral("--keep-key")},
                     key + "\n");
        QVERIFY2(r.rc == 0, r.err.constData());
        r = heyo({QStringLiteral("token")}, {}, true);
        QCOMPARE(r.rc, 0);
        const QByteArray token = r.out.trimmed();
        const QString id = accountIdOf(token);
        QCOMPARE(keychainLookup(id, QStringLiteral("jwt")), token);
        QCOMPARE(keychainLookup(id, QStringLiteral("api-key")), key);
        QVERIFY(heyo({QStringLiteral("whoami")}).out.contains("kept API key"));

        // create: the key on stdout, once; list shows its id and prefix, never the key; revoke removes it.
        r = heyo({QStringLiteral("api-key"), QStringLiteral("create"), QStringLiteral("--label"), QStringLiteral("ci")},
                 {}, true);
        QVERIFY2(r.rc == 0, r.err.constData());
        const QByteArray created = r.out.trimmed();
        QVERIFY(QRegularExpression(QStringLiteral("^heyo_[0-9a-f]{64}$")).match(QString::fromUtf8(created)).hasMatch());
        const QString createdId =
            QRegularExpression(QStringLiteral("key_[0-9a-f]+")).match(QString::fromUtf8(r.err)).captured(0);
        QVERIFY(!createdId.isEmpty());
        r = heyo({QStringLiteral("api-key"), QStringLiteral("list")});
        QCOMPARE(r.rc, 0);
        QVERIFY(r.out.contains(createdId.toUtf8()));
        QVERIFY(r.out.contains(created.left(12)));
        QVERIFY(!r.out.contains(created));
        r = heyo({QStringLiteral("api-key"), QStringLiteral("revoke"), createdId});
        QVERIFY2(r.rc == 0, r.err.constData());
        QVERIFY(!heyo({QStringLiteral("api-key"), QStringLiteral("list")}).out.contains(createdId.toUtf8()));
        r = heyo({QStringLiteral("api-key"), QStringLiteral("revoke"), QStringLiteral("key_doesnotexist")});
        QCOMPARE(r.rc, 1);
        // The revoked key no longer signs in (the service promises within 30 s).
        QElapsedTimer clock;
        clock.start();
        int rc = 0;
        while (clock.elapsed() < 30000) {
            rc = heyo(service(edge) + QStringList{QStringLiteral("--no-store"), QStringLiteral("token"),
                                                  QStringLiteral("--api-key-stdin")},
                      created, true)
                     .rc;
            if (rc != 0)
                break;
            QTest::qWait(1000);
        }
        QCOMPARE(rc, 1);

        for (const QByteArray &secret : {token, key, created})
            assertNowhereOnDisk(secret);
        assertNotLogged(token, edge);
        assertNotLogged(key, edge);
        assertNotLogged(created, edge);
    }

    void keychainAbsentIsAClearErrorAndWritesNothing_data()
    {
        QTest::addColumn<QString>("desktop");
        QTest::newRow("plain") << QString();
        // On a KDE-looking desktop qtkeychain's insecure fallback would write ~/.config/heyo-access.conf: it is off.
        QTest::newRow("kde") << QStringLiteral("KDE");
    }
    void keychainAbsentIsAClearErrorAndWritesNothing()
    {
        QFETCH(QString, desktop);
        test::EdgeProcess edge;
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY(edge.addAccount(QStringLiteral("cy@example.com"), "pw-cy-4567", {}, &error));
        QHash<QString, QString> noBus{{QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                                       QStringLiteral("unix:path=") + m_home->filePath(QStringLiteral("no-bus"))},
                                      {QStringLiteral("DISPLAY"), QString()}};
        if (!desktop.isEmpty())
            noBus.insert(QStringLiteral("XDG_CURRENT_DESKTOP"), desktop);
        Run r = heyo(service(edge) + QStringList{QStringLiteral("login"), QStringLiteral("--email"),
                                                 QStringLiteral("cy@example.com"), QStringLiteral("--password-stdin")},
                     "pw-cy-4567\n", false, noBus);
        QCOMPARE(r.rc, 1);
        QVERIFY2(r.err.contains("keychain"), r.err.constData());
        QVERIFY2(r.err.startsWith("heyo: cannot store the session"), r.err.constData());
        const QStringList files = allFiles(m_home->path());
        QVERIFY2(files.isEmpty(), qPrintable(files.join(QStringLiteral(", "))));
        QCOMPARE(heyo({QStringLiteral("token")}, {}, false, noBus).rc, 3);

        // --no-store: a session in memory for this one process, still nothing on disk.
        r = heyo(service(edge) + QStringList{QStringLiteral("--no-store"), QStringLiteral("token"),
                                             QStringLiteral("--email"), QStringLiteral("cy@example.com"),
                                             QStringLiteral("--password-stdin")},
                 "pw-cy-4567\n", true, noBus);
        QVERIFY2(r.rc == 0, r.err.constData());
        QCOMPARE(accountIdOf(r.out.trimmed()).left(4), QStringLiteral("acc_"));
        QVERIFY(allFiles(m_home->path()).isEmpty());
        assertNotLogged(r.out.trimmed(), edge);
    }

    void keptKeyRefreshesBeforeExpiry()
    {
        test::EdgeProcess edge({QStringLiteral("--token-lifetime"), QStringLiteral("8")});
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY(edge.addAccount(QStringLiteral("dee@example.com"), "pw-dee-123", {}, &error));
        const QByteArray key = edge.issueApiKey(QStringLiteral("dee@example.com"), QStringLiteral("k"), &error);
        QVERIFY2(!key.isEmpty(), qPrintable(error));
        QCOMPARE(heyo(service(edge) + QStringList{QStringLiteral("login"), QStringLiteral("--api-key-stdin"),
                                                  QStringLiteral("--keep-key")},
                      key)
                     .rc,
                 0);
        const QByteArray first = heyo({QStringLiteral("token")}, {}, true).out.trimmed();
        const auto claims = auth::JwtClaims::decode(first);
        QVERIFY(claims);
        QCOMPARE(claims->lifetimeSeconds(), 8);
        // Still fresh: the same token.
        QCOMPARE(heyo({QStringLiteral("token")}, {}, true).out.trimmed(), first);
        // Inside the refresh margin (a fifth of the lifetime, at least 2 s) but before exp: a new token.
        while (QDateTime::currentSecsSinceEpoch() < claims->expiresAt - 2)
            QTest::qWait(200);
        QVERIFY(QDateTime::currentSecsSinceEpoch() < claims->expiresAt);
        const Run r = heyo({QStringLiteral("token")}, {}, true);
        QVERIFY2(r.rc == 0, r.err.constData());
        const QByteArray second = r.out.trimmed();
        QVERIFY(second != first);
        QVERIFY(auth::JwtClaims::decode(second)->expiresAt > claims->expiresAt);
        QCOMPARE(keychainLookup(claims->accountId, QStringLiteral("jwt")), second);
        assertNotLogged(first, edge);
        assertNotLogged(second, edge);
    }

    void withoutKeyTheSessionExpires()
    {
        test::EdgeProcess edge({QStringLiteral("--token-lifetime"), QStringLiteral("2")});
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY(edge.addAccount(QStringLiteral("eve@example.com"), "pw-eve-123", {}, &error));
        QCOMPARE(
            heyo(service(edge) + QStringList{QStringLiteral("login"), QStringLiteral("--email"),
                                             QStringLiteral("eve@example.com"), QStringLiteral("--password-stdin")},
                 "pw-eve-123")
                .rc,
            0);
        QTest::qWait(3000);
        Run r = heyo({QStringLiteral("token")});
        QCOMPARE(r.rc, 3);
        QVERIFY2(r.err.contains("expired") && r.err.contains("heyo login"), r.err.constData());
        r = heyo({QStringLiteral("accounts")});
        QVERIFY(r.out.contains("expired"));
    }

    void revokedKeyEndsTheSessionWithin30s()
    {
        test::EdgeProcess edge({QStringLiteral("--token-lifetime"), QStringLiteral("4")});
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY(edge.addAccount(QStringLiteral("fay@example.com"), "pw-fay-123", {}, &error));
        const QByteArray key = edge.issueApiKey(QStringLiteral("fay@example.com"), QStringLiteral("k"), &error);
        QVERIFY2(!key.isEmpty(), qPrintable(error));
        QCOMPARE(heyo(service(edge) + QStringList{QStringLiteral("login"), QStringLiteral("--api-key-stdin"),
                                                  QStringLiteral("--keep-key")},
                      key)
                     .rc,
                 0);
        QCOMPARE(heyo({QStringLiteral("whoami")}).rc, 0);
        QVERIFY2(edge.revokeApiKey(key.left(12), &error), qPrintable(error));
        QElapsedTimer clock;
        clock.start();
        Run r;
        while (clock.elapsed() < 30000) {
            r = heyo({QStringLiteral("whoami")});
            if (r.rc != 0)
                break;
            QTest::qWait(1000);
        }
        QCOMPARE(r.rc, 3);
        QVERIFY2(r.err.contains("refused") || r.err.contains("heyo login"), r.err.constData());
        QVERIFY(clock.elapsed() < 30000);
    }

    void twoAccountsTokensNeverCross()
    {
        // An upstream app that answers with what it received, and logs every request's headers.
        QTemporaryDir appDir;
        const QString logFile = appDir.filePath(QStringLiteral("requests.log"));
        QProcess app;
        app.setProcessChannelMode(QProcess::MergedChannels);
        app.start(QStringLiteral("python3"),
                  {QStringLiteral("-u"), QStringLiteral("-c"),
                   QStringLiteral("import http.server,sys\n"
                                  "log=open(sys.argv[1],'a')\n"
                                  "class H(http.server.BaseHTTPRequestHandler):\n"
                                  "  def do_GET(s):\n"
                                  "    log.write(str(s.headers)); log.flush()\n"
                                  "    b=('account=%s\\n' % s.headers.get('X-Heyo-Account-Id','')).encode()\n"
                                  "    s.send_response(200); s.send_header('Content-Length',str(len(b)));"
                                  " s.end_headers(); s.wfile.write(b)\n"
                                  "  def log_message(s,*a): pass\n"
                                  "srv=http.server.HTTPServer(('127.0.0.1',0),H)\n"
                                  "print('port',srv.server_address[1],flush=True)\n"
                                  "srv.serve_forever()\n"),
                   logFile});
        QByteArray banner;
        while (!banner.contains('\n') && app.waitForReadyRead(10000))
            banner += app.readAll();
        const int appPort =
            QRegularExpression(QStringLiteral("port (\\d+)")).match(QString::fromUtf8(banner)).captured(1).toInt();
        QVERIFY(appPort > 0);

        test::EdgeProcess edge;
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        const QString target = QStringLiteral("http://127.0.0.1:%1").arg(appPort);
        QVERIFY(edge.addAccount(QStringLiteral("a@example.com"), "pw-a-12345", {}, &error));
        QVERIFY(edge.addAccount(QStringLiteral("b@example.com"), "pw-b-12345", {}, &error));
        QVERIFY2(edge.addEndpoint(QStringLiteral("a@example.com"), QStringLiteral("a-app"), target,
                                  QStringLiteral("laptop"), false, &error),
                 qPrintable(error));
        QVERIFY2(edge.addEndpoint(QStringLiteral("b@example.com"), QStringLiteral("b-app"), target,
                                  QStringLiteral("desk"), false, &error),
                 qPrintable(error));
        for (const char *who : {"a", "b"}) {
            const QString email = QStringLiteral("%1@example.com").arg(QLatin1String(who));
            QCOMPARE(heyo(service(edge) + QStringList{QStringLiteral("login"), QStringLiteral("--email"), email,
                                                      QStringLiteral("--password-stdin")},
                          QStringLiteral("pw-%1-12345").arg(QLatin1String(who)).toUtf8())
                         .rc,
                     0);
        }
        const QByteArray tokenA =
            heyo({QStringLiteral("--account"), QStringLiteral("a@example.com"), QStringLiteral("token")}, {}, true)
                .out.trimmed();
        const QByteArray tokenB =
            heyo({QStringLiteral("--account"), QStringLiteral("b@example.com"), QStringLiteral("token")}, {}, true)
                .out.trimmed();
        const QString idA = accountIdOf(tokenA), idB = accountIdOf(tokenB);
        QVERIFY(!idA.isEmpty() && !idB.isEmpty() && idA != idB);
        QCOMPARE(heyo({QStringLiteral("accounts"), QStringLiteral("--default"), QStringLiteral("a@example.com")}).rc,
                 0);

        // git-credential answers each endpoint host with its owner's token, whatever the default account is.
        const auto credential = [&](const QString &host, const QString &protocol = QStringLiteral("https")) {
            return heyo({QStringLiteral("git-credential"), QStringLiteral("get")},
                        QStringLiteral("protocol=%1\nhost=%2\n\n").arg(protocol, host).toUtf8(), true);
        };
        const QString hostA = QStringLiteral("a-app.%1:%2").arg(edge.domain()).arg(edge.port());
        const QString hostB = QStringLiteral("b-app.%1:%2").arg(edge.domain()).arg(edge.port());
        Run r = credential(hostB);
        QCOMPARE(r.rc, 0);
        QVERIFY(r.out.contains("username=heyo\n"));
        const QByteArray passB =
            QRegularExpression(QStringLiteral("password=(\\S+)")).match(QString::fromUtf8(r.out)).captured(1).toUtf8();
        QCOMPARE(accountIdOf(passB), idB);
        r = credential(hostA);
        const QByteArray passA =
            QRegularExpression(QStringLiteral("password=(\\S+)")).match(QString::fromUtf8(r.out)).captured(1).toUtf8();
        QCOMPARE(accountIdOf(passA), idA);
        // Hosts that are not endpoints of a signed-in account, or not https: nothing at all.
        QCOMPARE(credential(QStringLiteral("github.com")).out, QByteArray());
        QCOMPARE(credential(QStringLiteral("c-app.%1:%2").arg(edge.domain()).arg(edge.port())).out, QByteArray());
        QCOMPARE(credential(QStringLiteral("b-app.%1:1").arg(edge.domain())).out, QByteArray());
        QCOMPARE(credential(hostB, QStringLiteral("http")).out, QByteArray());
        QCOMPARE(heyo({QStringLiteral("git-credential"), QStringLiteral("store")}, "protocol=https\nhost=x\n\n").rc, 0);
        QCOMPARE(heyo({QStringLiteral("git-credential"), QStringLiteral("erase")}, "protocol=https\nhost=x\n\n").rc, 0);

        // Through the edge: B's endpoint with B's token reaches the app as B; with A's token it is refused (403) and
        // the app never sees a request carrying A's token.
        const auto curl = [&](const QString &slug, const QByteArray &token) {
            QProcess c;
            c.start(QStringLiteral("curl"),
                    {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("-"), QStringLiteral("-w"),
                     QStringLiteral("\n%{http_code}"), QStringLiteral("--cacert"), edge.caFile(), QStringLiteral("-K"),
                     QStringLiteral("-"), edge.endpointUrl(slug) + QStringLiteral("/")});
            c.write("header = \"Authorization: Bearer " + token + "\"\n"); // via stdin: never in argv
            c.closeWriteChannel();
            c.waitForFinished(30000);
            return c.readAllStandardOutput();
        };
        QByteArray out = curl(QStringLiteral("b-app"), passB);
        QVERIFY2(out.endsWith("\n200"), out.constData());
        QVERIFY(out.contains("account=" + idB.toUtf8()));
        out = curl(QStringLiteral("b-app"), passA);
        QVERIFY2(out.endsWith("\n403"), out.constData());
        out = curl(QStringLiteral("a-app"), passA);
        QVERIFY2(out.endsWith("\n200"), out.constData());
        QVERIFY(out.contains("account=" + idA.toUtf8()));
        app.terminate();
        app.waitForFinished(5000);
        QFile log(logFile);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray seen = log.readAll();
        QCOMPARE(seen.count("X-Heyo-Account-Id"), 2); // only the two allowed requests reached the app
        QVERIFY(!seen.contains(tokenA) && !seen.contains(tokenB));
        assertNotLogged(tokenA, edge);
        assertNotLogged(tokenB, edge);
    }

    void gitCloneAndPushWithTheCredentialHelper()
    {
        test::EdgeProcess edge({}, true); // demo: Ada's demo-git endpoint serves demo.git over smart HTTP
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        const Run login =
            heyo(service(edge) + QStringList{QStringLiteral("login"), QStringLiteral("--email"),
                                             QStringLiteral("ada@demo.heyo"), QStringLiteral("--password-stdin")},
                 "ada-demo-password\n");
        QVERIFY2(login.rc == 0, login.err.constData());
        QTemporaryDir work;
        const QString repoUrl = edge.endpointUrl(QStringLiteral("demo-git")) + QStringLiteral("/demo.git");
        const auto git = [&](const QStringList &args, const QString &dir) {
            QProcess g;
            QProcessEnvironment e = env({{QStringLiteral("GIT_TERMINAL_PROMPT"), QStringLiteral("0")},
                                         {QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1")},
                                         // git's gnutls build ignores -c http.sslCAInfo here; the variable works.
                                         {QStringLiteral("GIT_SSL_CAINFO"), edge.caFile()},
                                         {QStringLiteral("GIT_AUTHOR_NAME"), QStringLiteral("T")},
                                         {QStringLiteral("GIT_AUTHOR_EMAIL"), QStringLiteral("t@example.com")},
                                         {QStringLiteral("GIT_COMMITTER_NAME"), QStringLiteral("T")},
                                         {QStringLiteral("GIT_COMMITTER_EMAIL"), QStringLiteral("t@example.com")}});
            g.setProcessEnvironment(e);
            g.setWorkingDirectory(dir);
            g.setProcessChannelMode(QProcess::MergedChannels);
            g.start(QStringLiteral("git"),
                    QStringList{QStringLiteral("-c"), QStringLiteral("credential.helper="), QStringLiteral("-c"),
                                QStringLiteral("credential.helper=!%1 git-credential").arg(heyoBinary())} +
                        args);
            g.waitForFinished(60000);
            Run r{g.exitCode(), g.readAll(), {}};
            m_logs += r.out;
            return r;
        };
        Run r = git({QStringLiteral("clone"), repoUrl, QStringLiteral("clone")}, work.path());
        QVERIFY2(r.rc == 0, r.out.constData());
        const QString clone = work.filePath(QStringLiteral("clone"));
        QVERIFY(QFile::exists(clone + QStringLiteral("/README.md")) || !QDir(clone).entryList(QDir::Files).isEmpty());
        QFile f(clone + QStringLiteral("/pushed.txt"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("pushed through heyo-edge\n");
        f.close();
        QCOMPARE(git({QStringLiteral("add"), QStringLiteral("pushed.txt")}, clone).rc, 0);
        QCOMPARE(git({QStringLiteral("commit"), QStringLiteral("-m"), QStringLiteral("push test")}, clone).rc, 0);
        r = git({QStringLiteral("push"), QStringLiteral("origin"), QStringLiteral("HEAD")}, clone);
        QVERIFY2(r.rc == 0, r.out.constData());
        // A second clone sees the pushed commit.
        r = git({QStringLiteral("clone"), repoUrl, QStringLiteral("again")}, work.path());
        QVERIFY2(r.rc == 0, r.out.constData());
        QVERIFY(QFile::exists(work.filePath(QStringLiteral("again/pushed.txt"))));
        // Without the helper the private endpoint refuses git.
        QProcess bare;
        bare.setProcessEnvironment(env({{QStringLiteral("GIT_TERMINAL_PROMPT"), QStringLiteral("0")},
                                        {QStringLiteral("GIT_SSL_CAINFO"), edge.caFile()}}));
        bare.setProcessChannelMode(QProcess::MergedChannels);
        bare.start(QStringLiteral("git"),
                   {QStringLiteral("-c"), QStringLiteral("credential.helper="), QStringLiteral("ls-remote"), repoUrl});
        bare.waitForFinished(60000);
        QVERIFY(bare.exitCode() != 0);
        const QByteArray refused = bare.readAll();
        QVERIFY2(refused.contains("Username") || refused.contains("Authentication failed") || refused.contains("401"),
                 refused.constData());
        const QByteArray token = heyo({QStringLiteral("token")}, {}, true).out.trimmed();
        assertNotLogged(token, edge);
        assertNowhereOnDisk(token);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
