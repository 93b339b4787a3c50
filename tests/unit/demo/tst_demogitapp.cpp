// Tests DemoGitApp with the git CLI: clone the demo repository over smart HTTP, push a new commit, see it arrive.
#include "DemoTestSupport.h"

#include "demo/DemoGitApp.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

using namespace heyo::demo;
using namespace heyo::demo::test;

class TestDemoGitApp : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void preparesDemoRepository();
    void keepsExistingRoot();
    void cloneAndPush();
    void largePushIsChunked();
    void slowReaderOfLargeCgiOutputKeepsMemoryFlat();
    void unknownRepository();

private:
    ProcessResult git(const QStringList &args, const QString &workDir = {}, bool traceHttp = false);
    QString cloneUrl() const { return QStringLiteral("http://127.0.0.1:%1/demo.git").arg(m_app->port()); }

    QTemporaryDir m_dir;
    std::unique_ptr<DemoGitApp> m_app;
    QString m_root;
};

ProcessResult TestDemoGitApp::git(const QStringList &args, const QString &workDir, bool traceHttp)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("GIT_CONFIG_NOSYSTEM", "1");
    env.insert("GIT_CONFIG_GLOBAL", "/dev/null");
    env.insert("GIT_TERMINAL_PROMPT", "0");
    env.insert("GIT_AUTHOR_NAME", "Tester");
    env.insert("GIT_AUTHOR_EMAIL", "tester@example.com");
    env.insert("GIT_COMMITTER_NAME", "Tester");
    env.insert("GIT_COMMITTER_EMAIL", "tester@example.com");
    if (traceHttp) {
        env.insert("GIT_TRACE_CURL", "1");
        env.insert("GIT_TRACE_CURL_NO_DATA", "1");
    }
    return run("git", args, 120000, env, workDir);
}

void TestDemoGitApp::init()
{
    QVERIFY(m_dir.isValid());
    m_root = QDir(m_dir.path()).filePath("root-" + QString::number(QRandomGenerator::global()->generate()));
    m_app = std::make_unique<DemoGitApp>();
    QString error;
    QVERIFY2(m_app->prepare(m_root, &error), qPrintable(error));
    QVERIFY2(m_app->listen(0, &error), qPrintable(error));
}

void TestDemoGitApp::cleanup()
{
    m_app.reset();
}

void TestDemoGitApp::preparesDemoRepository()
{
    const QString repo = QDir(m_root).filePath("demo.git");
    auto log = git({"--git-dir", repo, "log", "--format=%s", "main"});
    QCOMPARE(log.exitCode, 0);
    QCOMPARE(log.out, QByteArray("Add the README\n"));
    auto readme = git({"--git-dir", repo, "show", "main:README.md"});
    QVERIFY(readme.out.startsWith("# Heyo demo repository"));
    auto cfg = git({"--git-dir", repo, "config", "--bool", "http.receivepack"});
    QCOMPARE(cfg.out.trimmed(), QByteArray("true"));
    QVERIFY(git({"--git-dir", repo, "rev-parse", "--is-bare-repository"}).out.startsWith("true"));
}

void TestDemoGitApp::keepsExistingRoot()
{
    // A second app on the same, non-empty root leaves it alone.
    const QString repo = QDir(m_root).filePath("demo.git");
    const QByteArray before = git({"--git-dir", repo, "rev-parse", "main"}).out;
    DemoGitApp other;
    QVERIFY(other.prepare(m_root, nullptr));
    QCOMPARE(git({"--git-dir", repo, "rev-parse", "main"}).out, before);
    QCOMPARE(QDir(m_root).entryList(QDir::NoDotAndDotDot | QDir::AllEntries), QStringList{"demo.git"});
}

void TestDemoGitApp::cloneAndPush()
{
    const QString work = QDir(m_dir.path()).filePath("clone");
    auto clone = git({"clone", cloneUrl(), work});
    QVERIFY2(clone.exitCode == 0, clone.err.constData());
    QFile readme(QDir(work).filePath("README.md"));
    QVERIFY(readme.open(QIODevice::ReadOnly));
    QVERIFY(readme.readAll().startsWith("# Heyo demo repository"));

    QFile note(QDir(work).filePath("note.txt"));
    QVERIFY(note.open(QIODevice::WriteOnly));
    note.write("pushed through the demo git app\n");
    note.close();
    QCOMPARE(git({"add", "note.txt"}, work).exitCode, 0);
    QCOMPARE(git({"commit", "-q", "-m", "Add a note"}, work).exitCode, 0);
    const QByteArray head = git({"rev-parse", "HEAD"}, work).out.trimmed();
    const QString repo = QDir(m_root).filePath("demo.git");
    // A reflog on the server records who pushed: REMOTE_USER, from the edge's X-Heyo-Email.
    QCOMPARE(git({"--git-dir", repo, "config", "core.logAllRefUpdates", "always"}).exitCode, 0);
    auto push = git({"-c", "http.extraHeader=X-Heyo-Email: tester@example.com", "push", "origin", "main"}, work);
    QVERIFY2(push.exitCode == 0, push.err.constData());

    QCOMPARE(git({"--git-dir", repo, "log", "-g", "-1", "--format=%gn", "main"}).out,
             QByteArray("tester@example.com\n"));
    QCOMPARE(git({"--git-dir", repo, "rev-parse", "main"}).out.trimmed(), head);
    QCOMPARE(git({"--git-dir", repo, "show", "main:note.txt"}).out, QByteArray("pushed through the demo git app\n"));

    // A fresh clone sees the pushed commit as well.
    const QString second = QDir(m_dir.path()).filePath("second");
    QCOMPARE(git({"clone", "-q", cloneUrl(), second}).exitCode, 0);
    QCOMPARE(git({"log", "-1", "--format=%s"}, second).out, QByteArray("Add a note\n"));
}

void TestDemoGitApp::largePushIsChunked()
{
    const QString work = QDir(m_dir.path()).filePath("big");
    QCOMPARE(git({"clone", "-q", cloneUrl(), work}).exitCode, 0);
    QFile blob(QDir(work).filePath("random.bin"));
    QVERIFY(blob.open(QIODevice::WriteOnly));
    QByteArray data(6 << 20, Qt::Uninitialized);
    QRandomGenerator(7).fillRange(reinterpret_cast<quint32 *>(data.data()), data.size() / 4);
    blob.write(data);
    blob.close();
    QCOMPARE(git({"add", "random.bin"}, work).exitCode, 0);
    QCOMPARE(git({"commit", "-q", "-m", "Add random bytes"}, work).exitCode, 0);
    // A pack over http.postBuffer (1 MiB by default) goes out chunked, without Content-Length.
    auto push = git({"-c", "http.postBuffer=65536", "push", "-q", "origin", "main"}, work, true);
    QVERIFY2(push.exitCode == 0, push.err.right(3000).constData());
    QVERIFY(push.err.contains("Transfer-Encoding: chunked"));
    const QString repo = QDir(m_root).filePath("demo.git");
    QCOMPARE(git({"--git-dir", repo, "log", "-1", "--format=%s", "main"}).out, QByteArray("Add random bytes\n"));
    QCOMPARE(qsizetype(git({"--git-dir", repo, "cat-file", "-s", "main:random.bin"}).out.trimmed().toLongLong()),
             data.size());
}

void TestDemoGitApp::slowReaderOfLargeCgiOutputKeepsMemoryFlat()
{
    // Put a 48 MiB incompressible object into the repository...
    const QString work = QDir(m_dir.path()).filePath("slow");
    QCOMPARE(git({"clone", "-q", cloneUrl(), work}).exitCode, 0);
    QFile blob(QDir(work).filePath("big.bin"));
    QVERIFY(blob.open(QIODevice::WriteOnly));
    QByteArray data(48 << 20, Qt::Uninitialized);
    QRandomGenerator(11).fillRange(reinterpret_cast<quint32 *>(data.data()), data.size() / 4);
    blob.write(data);
    blob.close();
    data.clear();
    data.squeeze();
    QCOMPARE(git({"add", "big.bin"}, work).exitCode, 0);
    QCOMPARE(git({"commit", "-q", "-m", "Add a big blob"}, work).exitCode, 0);
    QCOMPARE(git({"push", "-q", "origin", "main"}, work).exitCode, 0);

    // ...then read its largest file over the dumb protocol (http-backend streams it) at a crawl.
    const QString repo = QDir(m_root).filePath("demo.git");
    QString largest;
    qint64 largestSize = 0;
    const QString objects = QDir(repo).filePath("objects");
    QDirIterator it(objects, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo fi(it.next());
        if (fi.size() > largestSize)
            largest = fi.filePath(), largestSize = fi.size();
    }
    QVERIFY(largestSize > (40 << 20));
    QFile file(largest);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray expected = QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
    file.close();
    const QString url = QStringLiteral("http://127.0.0.1:%1/demo.git/objects/%2")
                            .arg(m_app->port())
                            .arg(QDir(objects).relativeFilePath(largest));
    RssSampler rss;
    auto r = run("sh", {"-c", QStringLiteral("curl -sS --fail --limit-rate 24M '%1' | sha256sum").arg(url)});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.left(64), expected);
    // Without back-pressure the whole object would sit in this process while curl dawdles.
    QVERIFY2(rss.growth() < heyo::test::memoryLimit(16 << 20),
             qPrintable(QString("RSS grew by %1 bytes").arg(rss.growth())));
}

void TestDemoGitApp::unknownRepository()
{
    auto r =
        curl({"-o", "/dev/null", "-w", "%{http_code}",
              QStringLiteral("http://127.0.0.1:%1/nope.git/info/refs?service=git-upload-pack").arg(m_app->port())});
    QCOMPARE(r.out, QByteArray("404"));
    auto refs =
        curl({"-D", "-", "-o", "/dev/null",
              QStringLiteral("http://127.0.0.1:%1/demo.git/info/refs?service=git-upload-pack").arg(m_app->port())});
    QVERIFY2(refs.out.startsWith("HTTP/1.1 200 OK"), refs.out.constData());
    QVERIFY(refs.out.contains("Content-Type: application/x-git-upload-pack-advertisement"));
}

QTEST_GUILESS_MAIN(TestDemoGitApp)
#include "tst_demogitapp.moc"
