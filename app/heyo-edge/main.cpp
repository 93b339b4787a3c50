// heyo-edge: the reference service (control-plane API + authenticating edge) and its admin commands.
#include "edge/DemoData.h"
#include "edge/EdgeServer.h"
#include "edge/Secrets.h"
#include "edge/Store.h"
#include "edge/demo/DemoApps.h"
#include "net/FdLimit.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QTextStream>
#include <QUrl>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <pthread.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

using namespace heyo::edge;

namespace {

enum Exit { Ok = 0, Failure = 1, Usage = 2 };

const char *kUsage = R"(Usage: heyo-edge <command> [options]

The Heyo reference service: the control-plane API, the browser sign-in page and the authenticating edge proxy,
with a SQLite store and its own local TLS certificate authority.

Commands:
  serve    --data DIR [--listen 127.0.0.1:8443] [--domain heyo.localhost]
  demo     --data DIR [--listen 127.0.0.1:8443]   seeds demo data if absent, starts the demo apps, then serves
  account add      --data DIR --email E [--name N]          (password read from stdin)
  endpoint add     --data DIR --account E --slug S --target http://127.0.0.1:PORT --device NAME
                   [--sandbox NAME] [--public]
  api-key issue    --data DIR --account E --label L         (prints the key once, on stdout)
  api-key revoke   --data DIR --prefix PREFIX

Run 'heyo-edge <command> --help' for a command's options.
Exit codes: 0 ok, 1 failure, 2 usage error.
)";

int fail(const QString &message, int code = Failure)
{
    QTextStream(stderr) << "heyo-edge: " << message << Qt::endl;
    return code;
}

struct Command {
    QCommandLineParser parser;
    explicit Command(const QString &description)
    {
        parser.setApplicationDescription(description);
        parser.addHelpOption();
        parser.addOption({"data", "The data directory (database, keys, TLS material).", "DIR"});
    }
    // Parses; prints help or a usage error. Returns -1 to go on, else the exit code.
    int parse(const QStringList &args, const QStringList &required)
    {
        if (!parser.parse(args))
            return fail(parser.errorText() + " (see --help)", Usage);
        if (parser.isSet("help")) {
            QTextStream(stdout) << parser.helpText();
            return Ok;
        }
        if (!parser.positionalArguments().isEmpty())
            return fail("unexpected argument: " + parser.positionalArguments().first(), Usage);
        for (const QString &name : required)
            if (parser.value(name).isEmpty())
                return fail("--" + name + " is required (see --help)", Usage);
        return -1;
    }
    std::string value(const QString &name) const { return parser.value(name).toStdString(); }
};

std::unique_ptr<Store> open(const Command &cmd, int *code)
{
    std::string error;
    auto store = openStore(cmd.value("data"), &error);
    if (!store)
        *code = fail(QString::fromStdString(error));
    return store;
}

// The password: prompted without echo on a terminal, else the first line of stdin.
std::string readPassword()
{
    bool tty = isatty(STDIN_FILENO);
    termios saved{};
    if (tty) {
        std::fprintf(stderr, "Password: ");
        tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::fprintf(stderr, "\n");
    }
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return line;
}

int accountAdd(const QStringList &args)
{
    Command cmd("Creates an account. The password is read from stdin (without echo on a terminal).");
    cmd.parser.addOption({"email", "The account's email.", "E"});
    cmd.parser.addOption({"name", "The account's display name.", "N"});
    if (int code = cmd.parse(args, {"data", "email"}); code >= 0)
        return code;
    int code = Ok;
    auto store = open(cmd, &code);
    if (!store)
        return code;
    std::string password = readPassword();
    if (password.size() < 8)
        return fail("the password must have at least 8 characters");
    std::string name = cmd.value("name").empty() ? cmd.value("email") : cmd.value("name");
    std::string hash = bcryptHash(password);
    if (hash.empty())
        return fail("the password cannot be used (it contains a NUL character)");
    std::string error;
    auto account = store->createAccount(cmd.value("email"), name, hash, &error);
    if (!account)
        return fail(QString::fromStdString(error));
    std::cout << "created account " << account->id << " (" << account->email << ")\n";
    return Ok;
}

int endpointAdd(const QStringList &args)
{
    Command cmd("Adds an endpoint <slug>.<domain> in front of an app.");
    cmd.parser.addOption({"account", "The owner's email.", "E"});
    cmd.parser.addOption({"slug", "The endpoint's name: a DNS label.", "S"});
    cmd.parser.addOption({"target", "Where the app listens: http://127.0.0.1:PORT.", "URL"});
    cmd.parser.addOption({"device", "The device the app runs on.", "NAME"});
    cmd.parser.addOption({"sandbox", "The sandbox the app runs in.", "NAME"});
    cmd.parser.addOption({"public", "Anyone may reach it (default: private to the account)."});
    if (int code = cmd.parse(args, {"data", "account", "slug", "target", "device"}); code >= 0)
        return code;
    QUrl target(cmd.parser.value("target"), QUrl::StrictMode);
    if (!target.isValid() || target.scheme() != "http" || target.host().isEmpty() || target.port() <= 0 ||
        (!target.path().isEmpty() && target.path() != "/"))
        return fail("--target must look like http://127.0.0.1:PORT", Usage);
    int code = Ok;
    auto store = open(cmd, &code);
    if (!store)
        return code;
    auto account = store->accountByEmail(cmd.value("account"));
    if (!account)
        return fail("no account with email " + cmd.parser.value("account"));
    Endpoint e;
    e.slug = cmd.value("slug");
    e.accountId = account->id;
    e.device = store->deviceFor(account->id, cmd.value("device"));
    e.sandbox = cmd.value("sandbox");
    e.target = "http://" + target.host().toStdString() + ":" + std::to_string(target.port());
    e.port = target.port();
    e.isPrivate = !cmd.parser.isSet("public");
    e.createdAt = std::time(nullptr);
    std::string error;
    if (!store->addEndpoint(e, &error))
        return fail(QString::fromStdString(error));
    std::cout << "added " << (e.isPrivate ? "private" : "public") << " endpoint " << e.slug << " → " << e.target
              << "\n";
    return Ok;
}

int apiKeyIssue(const QStringList &args)
{
    Command cmd("Issues an API key for an account and prints it once. Only its hash is stored.");
    cmd.parser.addOption({"account", "The owner's email.", "E"});
    cmd.parser.addOption({"label", "What the key is for.", "L"});
    if (int code = cmd.parse(args, {"data", "account", "label"}); code >= 0)
        return code;
    int code = Ok;
    auto store = open(cmd, &code);
    if (!store)
        return code;
    auto account = store->accountByEmail(cmd.value("account"));
    if (!account)
        return fail("no account with email " + cmd.parser.value("account"));
    std::string key = newApiKey();
    auto record = store->addApiKey(account->id, cmd.value("label"), apiKeyPrefix(key), bcryptHash(key));
    if (!record)
        return fail("the key could not be stored");
    std::cout << key << std::endl;
    std::cerr << "heyo-edge: issued API key " << record->id << " (prefix " << record->prefix
              << "); it is shown only this once\n";
    return Ok;
}

int apiKeyRevoke(const QStringList &args)
{
    Command cmd("Revokes the API keys whose shown prefix matches. Tokens exchanged from them stop working too.");
    cmd.parser.addOption({"prefix", "The key's 12-character prefix (heyo_…).", "PREFIX"});
    if (int code = cmd.parse(args, {"data", "prefix"}); code >= 0)
        return code;
    int code = Ok;
    auto store = open(cmd, &code);
    if (!store)
        return code;
    int revoked = store->revokeApiKeysByPrefix(cmd.value("prefix"));
    if (revoked == 0)
        return fail("no live API key with prefix " + cmd.parser.value("prefix"));
    std::cout << "revoked " << revoked << " API key" << (revoked == 1 ? "" : "s") << "\n";
    return Ok;
}

// SIGINT/SIGTERM are blocked in every thread (block before any thread starts: threads inherit the mask) and taken
// by one thread of their own, which turns them into a clean quit of the event loop.
sigset_t terminationSignals()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

// The thread that takes those signals. Joined when serve ends (LeakSanitizer saw the detached one as a leak at exit):
// if no signal came, the loop ended for another reason and a SIGTERM sent to that thread alone wakes it.
class SignalWaiter {
public:
    SignalWaiter()
        : m_thread([this] {
              sigset_t set = terminationSignals();
              int sig = 0;
              sigwait(&set, &sig);
              if (!m_stopping)
                  QMetaObject::invokeMethod(qApp, &QCoreApplication::quit, Qt::QueuedConnection);
          })
    {
    }
    ~SignalWaiter()
    {
        m_stopping = true;
        // Blocked in every thread, so only the waiter's sigwait takes it (a waiter that already ended ignores it).
        pthread_kill(m_thread.native_handle(), SIGTERM);
        m_thread.join();
    }
    SignalWaiter(const SignalWaiter &) = delete;
    SignalWaiter &operator=(const SignalWaiter &) = delete;

private:
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

int serve(const QStringList &args, bool demo)
{
    Command cmd(demo ? "Seeds the demo data (if absent), starts the built-in demo apps and serves."
                     : "Serves the API, the sign-in page and the edge over TLS.");
    cmd.parser.addOption({"listen", "Address and port to listen on (port 0: any free port).", "ADDR:PORT",
                          "127.0.0.1:8443"});
    cmd.parser.addOption({"domain", "Endpoints are <slug>.<domain>.", "DOMAIN", "heyo.localhost"});
    cmd.parser.addOption({"api-host", "The host name of the API.", "HOST", "localhost"});
    cmd.parser.addOption({"token-lifetime", "Lifetime of issued tokens in seconds.", "SECONDS", "3600"});
    cmd.parser.addOption({"api-key-cache", "How long the edge may trust that an API key is still live (s).",
                          "SECONDS", "5"});
    cmd.parser.addOption({"threads", "Engine threads.", "N", "2"});
    cmd.parser.addOption({"quiet", "No per-request log lines."});
    if (int code = cmd.parse(args, {"data"}); code >= 0)
        return code;

    QString listen = cmd.parser.value("listen");
    qsizetype colon = listen.lastIndexOf(':');
    bool portOk = false;
    int port = colon > 0 ? listen.mid(colon + 1).toInt(&portOk) : 0;
    if (!portOk || port < 0 || port > 65535)
        return fail("--listen must be ADDRESS:PORT, e.g. 127.0.0.1:8443", Usage);
    QString address = listen.left(colon);
    if (address.startsWith('[') && address.endsWith(']'))
        address = address.mid(1, address.size() - 2);
    bool lifetimeOk = false, cacheOk = false, threadsOk = false;
    int64_t lifetime = cmd.parser.value("token-lifetime").toLongLong(&lifetimeOk);
    int64_t keyCache = cmd.parser.value("api-key-cache").toLongLong(&cacheOk);
    int threads = cmd.parser.value("threads").toInt(&threadsOk);
    if (!lifetimeOk || lifetime < 1 || !cacheOk || keyCache < 0 || keyCache > 30 || !threadsOk || threads < 1 ||
        threads > 64)
        return fail("--token-lifetime ≥ 1, 0 ≤ --api-key-cache ≤ 30, 1 ≤ --threads ≤ 64", Usage);

    EdgeServerOptions options;
    options.config.dataDir = cmd.value("data");
    options.config.domain = cmd.parser.value("domain").toLower().toStdString();
    options.config.apiHost = cmd.parser.value("api-host").toLower().toStdString();
    options.config.tokenLifetimeSeconds = lifetime;
    options.config.apiKeyCacheSeconds = keyCache;
    options.listenAddress = address.toStdString();
    options.listenPort = static_cast<uint16_t>(port);
    options.threads = threads;
    if (!cmd.parser.isSet("quiet")) {
        options.log = [](const std::string &line) {
            static std::mutex mutex;
            std::lock_guard lock(mutex);
            std::fprintf(stderr, "heyo-edge: %s\n", line.c_str());
        };
    }

    sigset_t blocked = terminationSignals();
    pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
    heyo::demo::DemoApps apps;
    if (demo) {
        QString error;
        if (!apps.start(QDir(QString::fromStdString(options.config.dataDir)).filePath("demo-apps"), &error))
            return fail("cannot start the demo apps: " + error);
        int code = Ok;
        auto store = open(cmd, &code);
        if (!store)
            return code;
        std::map<std::string, int> ports;
        for (const char *app : {"web", "files", "events", "ws", "git"})
            ports[app] = apps.port(app);
        bool created = false;
        std::string error2;
        if (!DemoData::seed(*store, ports, &created, &error2))
            return fail("cannot seed the demo data: " + QString::fromStdString(error2));
    }

    std::string error;
    auto server = EdgeServer::start(options, &error);
    if (!server)
        return fail(QString::fromStdString(error));
    const EdgeConfig &config = server->config();
    std::printf("heyo-edge: listening on %s\n", config.apiUrl().c_str());
    std::printf("heyo-edge: endpoints at https://<slug>.%s%s, sign-in page %s\n", config.domain.c_str(),
                config.portSuffix().c_str(), config.loginUrl().c_str());
    std::printf("heyo-edge: CA certificate %s (point clients at it with --ca-file)\n",
                server->tlsFiles().caCert.c_str());
    if (demo) {
        const auto &ada = DemoData::ada(), &bob = DemoData::bob();
        std::string url = config.endpointUrl("demo-web"), ca = server->tlsFiles().caCert;
        std::string api = config.apiUrl();
        std::printf("\nDemo accounts: %s / %s   and   %s / %s\n", ada.email.c_str(), ada.password.c_str(),
                    bob.email.c_str(), bob.password.c_str());
        std::printf("Ada's private endpoints: demo-web, demo-files, demo-events, demo-ws, demo-git; public: "
                    "demo-docs. Bob's: bob-notes.\n\nTry:\n");
        std::printf("  curl --cacert %s %s/api/whoami                      # 401: no token\n", ca.c_str(),
                    url.c_str());
        std::printf("  TOKEN=$(curl -s --cacert %s %s/api/auth/login -d '{\"email\":\"%s\",\"password\":\"%s\"}' "
                    "| sed 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/')\n",
                    ca.c_str(), api.c_str(), ada.email.c_str(), ada.password.c_str());
        std::printf("  curl --cacert %s -H \"Authorization: Bearer $TOKEN\" %s/api/whoami   # 200\n", ca.c_str(),
                    url.c_str());
        std::printf("  curl --cacert %s -H \"Authorization: Bearer $TOKEN\" %s/   # 403: Bob's\n\n", ca.c_str(),
                    config.endpointUrl("bob-notes").c_str());
    }
    std::fflush(stdout);

    int rc = 0;
    {
        SignalWaiter waiter;
        rc = QCoreApplication::exec();
    }
    std::fprintf(stderr, "heyo-edge: stopping\n");
    server->stop(std::chrono::seconds(5));
    apps.stop();
    return rc;
}

} // namespace

int main(int argc, char **argv)
{
    heyo::net::raiseFdLimit(); // the common soft limit of 1,024 is too low for a proxy (DECISIONS.md)
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("heyo-edge");
    QCoreApplication::setApplicationVersion(HEYO_VERSION);
    std::signal(SIGPIPE, SIG_IGN);

    QStringList args = app.arguments();
    QString first = args.value(1), second = args.value(2);
    auto rest = [&](int from) { return QStringList{args.first()} + args.mid(from); };

    if (first.isEmpty() || first == "--help" || first == "-h" || first == "help") {
        std::fputs(kUsage, first.isEmpty() ? stderr : stdout);
        return first.isEmpty() ? Usage : Ok;
    }
    if (first == "--version")
        return std::printf("heyo-edge %s\n", HEYO_VERSION), Ok;
    if (first == "serve" || first == "demo")
        return serve(rest(2), first == "demo");
    if (first == "account" && second == "add")
        return accountAdd(rest(3));
    if (first == "endpoint" && second == "add")
        return endpointAdd(rest(3));
    if (first == "api-key" && second == "issue")
        return apiKeyIssue(rest(3));
    if (first == "api-key" && second == "revoke")
        return apiKeyRevoke(rest(3));
    std::fputs(kUsage, stderr);
    return fail("unknown command: " + args.mid(1).join(' '), Usage);
}
