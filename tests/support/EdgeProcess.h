// Test helper: a real heyo-edge (`serve` or `demo`) on an ephemeral port with a temporary data directory, its log
// kept, and its admin commands (account add, endpoint add, api-key issue/revoke) run against the same directory.
// Shared by every test that needs the service.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace heyo::test {

class EdgeProcess {
public:
    struct Run {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    // `extraArgs` go to `serve`/`demo`, e.g. {"--token-lifetime", "8"}; `demo` picks `heyo-edge demo`.
    explicit EdgeProcess(const QStringList &extraArgs = {}, bool demo = false);
    ~EdgeProcess();

    static QString binary(); // the heyo-edge built in this tree

    // Starts `heyo-edge serve|demo --data <tmp> --listen 127.0.0.1:0 <extraArgs>` and waits (up to 30 s) for its
    // "listening" line. On failure `*error` (when given) and error() say why, with the process output.
    bool start(QString *error = nullptr);
    // The same with the mode and arguments given here (they replace the constructor's).
    bool start(const QString &mode, const QStringList &extraArgs = {});
    // Stops, then starts another instance on the same data directory.
    bool restart(const QString &mode = QStringLiteral("serve"), const QStringList &extraArgs = {});
    void stop();
    qint64 pid() const { return m_process ? m_process->processId() : 0; }

    QString error() const { return m_error; }
    int port() const { return m_port; }
    QString dataDir() const { return m_dataDir.path(); }
    QString caFile() const { return m_dataDir.filePath(QStringLiteral("tls/ca.pem")); }
    QString domain() const { return QStringLiteral("heyo.localhost"); }
    QString apiUrl() const { return QStringLiteral("https://localhost:%1").arg(m_port); }
    QUrl baseUrl() const { return QUrl(apiUrl()); }
    // https://<slug>.heyo.localhost:PORT (no trailing slash)
    QString endpointUrl(const QString &slug) const;
    // Everything the service printed so far (stdout and stderr), e.g. to check that no secret was logged.
    QByteArray log();

    // `heyo-edge <args> --data <dir>` with `input` on stdin (the service may be running).
    Run admin(const QStringList &args, const QByteArray &input = {}) const;
    // Admin conveniences; false (and `*error`) on failure.
    bool addAccount(const QString &email, const QByteArray &password, const QString &name = {},
                    QString *error = nullptr) const;
    bool addEndpoint(const QString &accountEmail, const QString &slug, const QString &target,
                     const QString &device = QStringLiteral("laptop"), bool isPublic = false,
                     QString *error = nullptr) const;
    QByteArray issueApiKey(const QString &accountEmail, const QString &label, QString *error = nullptr) const;
    bool revokeApiKey(const QByteArray &prefix, QString *error = nullptr) const;

private:
    QString m_mode;
    QStringList m_extraArgs;
    QTemporaryDir m_dataDir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_log;
    QString m_error;
    int m_port = 0;
};

} // namespace heyo::test
