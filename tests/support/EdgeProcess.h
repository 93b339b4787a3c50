// A real heyo-edge for tests: `serve` or `demo` in a temporary data directory on an ephemeral port, its log kept,
// and the admin commands run against the same directory.
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

class EdgeProcess {
public:
    struct Run {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    // Starts `heyo-edge <mode> --data <tmp> --listen 127.0.0.1:0 <extra>` and waits for its "listening" line.
    // On failure `error()` says why (and the process output).
    bool start(const QString &mode = "serve", const QStringList &extra = {});
    // Starts another instance on the same data directory (after stop()).
    bool restart(const QString &mode = "serve", const QStringList &extra = {});
    void stop();
    ~EdgeProcess();

    QString error() const { return m_error; }
    int port() const { return m_port; }
    QString dataDir() const { return m_dir.path(); }
    QString caFile() const { return m_dir.filePath("tls/ca.pem"); }
    QString apiUrl() const { return QString("https://localhost:%1").arg(m_port); }
    QString endpointUrl(const QString &slug) const { return QString("https://%1.heyo.localhost:%2").arg(slug).arg(m_port); }
    // Everything the server printed so far (stdout + stderr).
    QByteArray log();

    // `heyo-edge <args> --data <dir>` with `input` on stdin.
    Run admin(const QStringList &args, const QByteArray &input = {}) const;
    // Convenience: creates an account (password via stdin) and returns true on success.
    bool addAccount(const QString &email, const QString &password, const QString &name = {}) const;

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_log;
    QString m_error;
    int m_port = 0;
};
