// End-to-end fixture: a real `heyo-edge demo`, a throwaway HOME for real `heyo` processes signed in through the real
// keychain, `heyo forward` running in the background, and every byte they print kept to check that no secret leaks.
#pragma once

#include "EdgeProcess.h"

#include <QHash>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>

#include <memory>

namespace heyo::test {

struct HeyoRun {
    int rc = -1;
    QByteArray out;
    QByteArray err;
};

class E2eSession;

// One `heyo forward …` process: started, its "Forwarding" lines parsed, stopped with a signal.
class ForwardProcess {
public:
    explicit ForwardProcess(E2eSession &session) : m_session(session) {}
    ~ForwardProcess();
    // Starts `heyo forward <args>` and waits until it listens (its "Press Ctrl-C" line) or exits; false with
    // `*error` (its output) when it did not come up.
    bool start(const QStringList &args, QString *error);
    int port(const QString &slug) const { return m_ports.value(slug); } // 127.0.0.1 port
    int routerPort() const { return m_routerPort; }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    // Sends `sig`, waits for the exit; the exit code (-1 when it crashed or hung).
    int stop(int sig = SIGINT);
    QByteArray out() const { return m_out; }
    QByteArray err();

private:
    E2eSession &m_session;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_out, m_err;
    QHash<QString, int> m_ports;
    int m_routerPort = 0;
};

class E2eSession {
public:
    explicit E2eSession(const QStringList &edgeArgs = {}); // extra `heyo-edge demo` arguments
    ~E2eSession();
    // The demo service, then `heyo login` as Ada (and Bob when `withBob`) into the keychain.
    bool start(QString *error, bool withBob = false);
    EdgeProcess &edge() { return m_edge; }
    QString home() const { return m_home.path(); }
    QProcessEnvironment env() const;
    static QString heyoBinary();

    HeyoRun heyo(const QStringList &args, const QByteArray &input = {}, const QProcessEnvironment &env = {});
    bool signIn(const QString &email, const QByteArray &password, QString *error);
    // Records output of any process of the run (heyo, curl, git, node) for the secret scan.
    void record(const QByteArray &text) { m_logs += text; }
    // Everything recorded plus the edge's log.
    QByteArray allLogs();
    // Runs a program with the session's environment; stdout+stderr merged.
    HeyoRun run(const QString &program, const QStringList &args, const QByteArray &input = {},
                const QString &workDir = {}, int timeoutMs = 120000);

    static int freePort();            // a port nobody listens on right now (bind 0, close)
    static qint64 rssKiB(qint64 pid); // VmRSS from /proc

private:
    EdgeProcess m_edge;
    QTemporaryDir m_home;
    QByteArray m_logs;
};

} // namespace heyo::test
