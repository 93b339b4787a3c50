// Helpers for the fault and load tests: the endpoint's app (the engine on a loopback port), descriptor counts and
// limits of a process read from /proc, a soft descriptor limit lowered for the programs a test starts, and many
// concurrent keep-alive clients on their own threads.
#pragma once

#include "NetTestSupport.h"

#include "net/Http.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QTest>

#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace heyo::test {

// The app behind the test endpoints: answers every request with "fault app <target>\n" (so a client can tell that
// it got the answer to its own request).
class FaultApp {
public:
    FaultApp() : m_engine(2) {}
    bool start()
    {
        net::ListenerConfig config;
        config.address = "127.0.0.1";
        const net::ListenResult r = m_engine.listen(std::move(config), [](const net::ExchangePtr &ex) {
            net::Headers h;
            h.add("Content-Type", "text/plain");
            ex->respond(200, std::move(h), bodyFor(ex->request().target));
        });
        m_port = r.port;
        return r.ok;
    }
    static std::string bodyFor(const std::string &target) { return "fault app " + target + "\n"; }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }

private:
    net::Engine m_engine;
    uint16_t m_port = 0;
};

// Open descriptors of a process: the entries of /proc/<pid>/fd.
inline int fdCount(qint64 pid)
{
    DIR *d = ::opendir(QStringLiteral("/proc/%1/fd").arg(pid).toLocal8Bit().constData());
    if (!d)
        return -1;
    int n = 0;
    while (const dirent *e = ::readdir(d))
        if (e->d_name[0] != '.')
            ++n;
    ::closedir(d);
    return pid == ::getpid() ? n - 1 : n; // not the one opendir() holds
}

// A process's descriptors from /proc/<pid>/fd: each one's target ("socket:[inode]", "anon_inode:[eventpoll]", a
// file's name), and for a TCP socket its local and remote port and state from /proc/<pid>/net/tcp{,6}.
struct Descriptor {
    QString fd, target;
    int localPort = -1, remotePort = -1;
    bool listening = false;
};

inline std::vector<Descriptor> descriptors(qint64 pid)
{
    struct Tcp {
        int local, remote;
        bool listening;
    };
    QHash<QString, Tcp> tcp; // "socket:[inode]" -> ports
    for (const char *table : {"tcp", "tcp6"}) {
        QFile f(QStringLiteral("/proc/%1/net/%2").arg(pid).arg(QLatin1String(table)));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = f.readAll().split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> cols = lines[i].simplified().split(' ');
            if (cols.size() < 10)
                continue;
            const auto port = [](const QByteArray &hostPort) {
                return hostPort.mid(hostPort.indexOf(':') + 1).toInt(nullptr, 16);
            };
            tcp.insert(QStringLiteral("socket:[%1]").arg(QString::fromLatin1(cols[9])),
                       Tcp{port(cols[1]), port(cols[2]), cols[3] == "0A"});
        }
    }
    std::vector<Descriptor> out;
    const QString dir = QStringLiteral("/proc/%1/fd").arg(pid);
    for (const QString &fd : QDir(dir).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)) {
        Descriptor d{fd, QFileInfo(QFile::symLinkTarget(dir + QLatin1Char('/') + fd)).fileName()};
        if (auto it = tcp.constFind(d.target); it != tcp.cend()) {
            d.localPort = it->local;
            d.remotePort = it->remote;
            d.listening = it->listening;
        }
        out.push_back(d);
    }
    return out;
}

// Connections (not listening sockets) of a process with `port` at either end.
inline int connectionsWith(qint64 pid, int port)
{
    const std::vector<Descriptor> all = descriptors(pid);
    return static_cast<int>(std::count_if(all.begin(), all.end(), [port](const Descriptor &d) {
        return !d.listening && (d.localPort == port || d.remotePort == port);
    }));
}

// The engine's event loops in a process (one epoll instance each; Qt's own loop polls without one).
inline int engineLoops(qint64 pid)
{
    const std::vector<Descriptor> all = descriptors(pid);
    return static_cast<int>(std::count_if(all.begin(), all.end(), [](const Descriptor &d) {
        return d.target == QLatin1String("anon_inode:[eventpoll]");
    }));
}

// For a failure message: "fd -> target" per descriptor, a TCP socket with its ports ("tcp 7001->41234").
inline QString fdDescription(qint64 pid)
{
    QStringList out;
    for (const Descriptor &d : descriptors(pid))
        out << d.fd + QStringLiteral(" -> ") +
                   (d.localPort < 0 ? d.target
                                    : QStringLiteral("tcp %1->%2%3")
                                          .arg(d.localPort)
                                          .arg(d.remotePort)
                                          .arg(d.listening ? QStringLiteral(" listening") : QString()));
    return out.join(QStringLiteral("; "));
}

// "Max open files" of a process from /proc/<pid>/limits: {soft, hard}; {-1, -1} when unreadable.
inline std::pair<qint64, qint64> fileLimits(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/limits").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return {-1, -1};
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("Max open files")) {
            const QList<QByteArray> w = line.mid(14).simplified().split(' ');
            return {w.value(0).toLongLong(), w.value(1).toLongLong()};
        }
    return {-1, -1};
}

// While alive, this process's soft descriptor limit is `soft`, so that the programs it starts inherit it (the
// common default the issue measured); restored on destruction.
class LoweredSoftFdLimit {
public:
    explicit LoweredSoftFdLimit(rlim_t soft)
    {
        getrlimit(RLIMIT_NOFILE, &m_saved);
        rlimit low = m_saved;
        low.rlim_cur = std::min(soft, m_saved.rlim_max);
        setrlimit(RLIMIT_NOFILE, &low);
    }
    ~LoweredSoftFdLimit() { setrlimit(RLIMIT_NOFILE, &m_saved); }
    LoweredSoftFdLimit(const LoweredSoftFdLimit &) = delete;
    LoweredSoftFdLimit &operator=(const LoweredSoftFdLimit &) = delete;

private:
    rlimit m_saved{};
};

// What a crowd of keep-alive clients got. `busy` are the clean refusals: 503 with the engine's "out of file
// descriptors" line. Everything else (no answer, a reset before the answer, another status, a wrong body) is a
// failure, the first few described.
struct LoadResult {
    int ok = 0;
    int busy = 0;
    int failed = 0;
    int closed = 0;     // answers that closed the connection ("Connection: close")
    int reconnects = 0; // new connections made after those
    QStringList failures;
};

// `connections` clients connect to 127.0.0.1:`port`, wait until all are connected, then each sends `rounds` GET
// requests one after the other on its keep-alive connection (a new connection only after "Connection: close").
// `whileOpen` runs once every client has its first answer and still holds its connection (to measure the server).
inline LoadResult keepAliveLoad(uint16_t port, int connections, int rounds, const std::function<void()> &whileOpen)
{
    LoadResult result;
    std::mutex mutex;
    auto fail = [&](const std::string &why) {
        std::lock_guard lock(mutex);
        ++result.failed;
        if (result.failures.size() < 8)
            result.failures << QString::fromStdString(why);
    };
    std::atomic<int> ok{0}, busy{0}, closed{0}, reconnects{0};
    std::latch connected(connections), firstRound(connections), measured(1);
    std::vector<std::thread> threads;
    threads.reserve(static_cast<size_t>(connections));
    const std::string host = "127.0.0.1:" + std::to_string(port);
    for (int i = 0; i < connections; ++i) {
        threads.emplace_back([&, i] {
            auto c = std::make_unique<RawClient>(port);
            connected.count_down();
            connected.wait();
            bool reconnect = false;
            for (int r = 0; r < rounds; ++r) {
                if (reconnect) {
                    c = std::make_unique<RawClient>(port);
                    ++reconnects;
                }
                reconnect = true;
                const std::string target = "/load/" + std::to_string(i) + "/" + std::to_string(r);
                if (!c->ok()) {
                    fail("connect failed: " + std::string(std::strerror(errno)));
                } else {
                    c->setTimeout(60000);
                    // A refusal may come before the request is read: its answer is then still there to read.
                    const bool sent = c->send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
                    const RawResponse resp = c->readResponse();
                    if (!resp.ok)
                        fail(target + (sent ? ": no complete answer" : ": send failed and no answer"));
                    else if (resp.status == 200 && resp.body == FaultApp::bodyFor(target))
                        ++ok;
                    else if (resp.status == 503 && resp.body.find("out of file descriptors") != std::string::npos &&
                             !resp.header("retry-after").empty())
                        ++busy;
                    else
                        fail(target + ": " + std::to_string(resp.status) + " " + resp.body.substr(0, 200));
                    const bool closes = lower(resp.header("connection")) == "close";
                    closed += resp.ok && closes;
                    reconnect = !resp.ok || closes;
                }
                if (r == 0) {
                    firstRound.count_down();
                    measured.wait();
                }
            }
        });
    }
    // This thread keeps its event loop turning meanwhile: the QProcess objects of the programs under test must go on
    // reading their output, or a full pipe would stall them.
    if (!QTest::qWaitFor([&] { return firstRound.try_wait(); }, 120000))
        qWarning("the first round did not finish in 120 s");
    if (whileOpen)
        whileOpen();
    measured.count_down();
    std::atomic<bool> joined{false};
    std::thread joiner([&] {
        for (auto &t : threads)
            t.join();
        joined = true;
    });
    while (!joined)
        QTest::qWait(20);
    joiner.join();
    result.ok = ok;
    result.busy = busy;
    result.closed = closed;
    result.reconnects = reconnects;
    return result;
}

} // namespace heyo::test
