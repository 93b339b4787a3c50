// The demo git app: serves the bare repositories under a root over smart HTTP through `git http-backend` (CGI).
#include "DemoGitApp.h"

#include "DemoCgiExchange.h"

#include <QDir>
#include <QProcess>
#include <QStandardPaths>

namespace heyo::demo {

namespace {
const char DemoReadme[] = "# Heyo demo repository\n\n"
                          "This bare repository is served by heyo-edge's demo git app through `git http-backend`.\n"
                          "Clone it through the edge or the forwarder, commit, and push: pushes are accepted.\n";
} // namespace

DemoGitApp::DemoGitApp(QObject *parent)
    : QObject(parent), m_server([this](DemoHttpConnection &c) { return handle(c); }, this),
      m_git(QStandardPaths::findExecutable("git"))
{
}

bool DemoGitApp::listen(quint16 port, QString *error)
{
    return m_server.listen(port, error);
}

bool DemoGitApp::git(const QStringList &args, const QByteArray &input, QByteArray *output, QString *error) const
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // A fixed identity and no user config: the demo commit must not depend on who runs the service.
    env.insert("GIT_CONFIG_NOSYSTEM", "1");
    env.insert("GIT_CONFIG_GLOBAL", "/dev/null");
    env.insert("GIT_AUTHOR_NAME", "Heyo Demo");
    env.insert("GIT_AUTHOR_EMAIL", "demo@heyo.localhost");
    env.insert("GIT_COMMITTER_NAME", "Heyo Demo");
    env.insert("GIT_COMMITTER_EMAIL", "demo@heyo.localhost");
    p.setProcessEnvironment(env);
    p.start(m_git, args);
    if (!input.isNull())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        if (error)
            *error = QStringLiteral("git %1 failed: %2")
                         .arg(args.join(' '), QString::fromLocal8Bit(p.readAllStandardError()).trimmed());
        return false;
    }
    if (output)
        *output = p.readAllStandardOutput().trimmed();
    return true;
}

bool DemoGitApp::prepare(const QString &root, QString *error)
{
    if (m_git.isEmpty()) {
        if (error)
            *error = QStringLiteral("git is not installed (apt-get install git)");
        return false;
    }
    QDir dir(root);
    if (!dir.mkpath(".")) {
        if (error)
            *error = QStringLiteral("cannot create the git root %1").arg(root);
        return false;
    }
    m_root = dir.absolutePath();
    if (!dir.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).isEmpty())
        return true;

    const QString repo = dir.filePath("demo.git");
    QByteArray blob, tree, commit;
    // Plumbing writes the commit straight into the bare repository, no work tree needed.
    return git({"init", "--quiet", "--bare", "--initial-branch=main", repo}, {}, nullptr, error) &&
           git({"-C", repo, "config", "http.receivepack", "true"}, {}, nullptr, error) &&
           git({"-C", repo, "hash-object", "-w", "--stdin"}, DemoReadme, &blob, error) &&
           git({"-C", repo, "mktree"}, "100644 blob " + blob + "\tREADME.md\n", &tree, error) &&
           git({"-C", repo, "commit-tree", QString::fromLatin1(tree), "-m", "Add the README"}, {}, &commit, error) &&
           git({"-C", repo, "update-ref", "refs/heads/main", QString::fromLatin1(commit)}, {}, nullptr, error);
}

std::unique_ptr<DemoExchange> DemoGitApp::handle(DemoHttpConnection &c)
{
    if (m_root.isEmpty() || m_git.isEmpty()) {
        c.respondText(503, "text/plain; charset=utf-8", "the git app has no repository root\n");
        return nullptr;
    }
    const DemoHttpRequest &r = c.request();
    QProcessEnvironment env = DemoCgiExchange::cgiEnvironment(r);
    env.insert("GIT_PROJECT_ROOT", m_root);
    env.insert("GIT_HTTP_EXPORT_ALL", "1");
    // Bodies of chunked (often gzipped) pushes are buffered by http-backend up to this size.
    env.insert("GIT_HTTP_MAX_REQUEST_BUFFER", "1G");
    env.insert("GIT_CONFIG_NOSYSTEM", "1");
    if (const QByteArray email = r.header("x-heyo-email"); !email.isEmpty())
        env.insert("REMOTE_USER", QString::fromUtf8(email));
    if (const QByteArray enc = r.header("content-encoding"); !enc.isEmpty())
        env.insert("HTTP_CONTENT_ENCODING", QString::fromLatin1(enc));
    if (const QByteArray proto = r.header("git-protocol"); !proto.isEmpty())
        env.insert("GIT_PROTOCOL", QString::fromLatin1(proto));
    return std::make_unique<DemoCgiExchange>(c, m_git, QStringList{"http-backend"}, env);
}

} // namespace heyo::demo
