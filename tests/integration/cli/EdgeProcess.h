// Test helper: runs a real heyo-edge (`serve` or `demo`) on an ephemeral port with a temporary data directory, and
// its admin commands (account add, endpoint add, api-key issue/revoke). Shared by every test that needs the service.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace heyo::test {

class EdgeProcess {
public:
    // `extraArgs` go to `serve`/`demo`, e.g. {"--token-lifetime", "8"}.
    explicit EdgeProcess(const QStringList &extraArgs = {}, bool demo = false);
    ~EdgeProcess();

    static QString binary(); // <build>/app/heyo-edge/heyo-edge

    // Starts the service and waits (up to 30 s) for its "listening on https://localhost:PORT" line.
    bool start(QString *error);
    void stop();

    QUrl baseUrl() const { return m_baseUrl; } // https://localhost:PORT
    int port() const { return m_baseUrl.port(); }
    QString caFile() const { return m_dataDir.filePath(QStringLiteral("tls/ca.pem")); }
    QString dataDir() const { return m_dataDir.path(); }
    QString domain() const { return QStringLiteral("heyo.localhost"); }
    QUrl endpointUrl(const QString &slug) const;
    // Everything the service printed so far (stdout and stderr), to check that no secret was logged.
    QByteArray output();

    // Admin commands against the same data directory (the service may be running). Return false and fill `*error`.
    bool addAccount(const QString &email, const QByteArray &password, const QString &name = {}, QString *error = nullptr);
    bool addEndpoint(const QString &accountEmail, const QString &slug, const QString &target,
                     const QString &device = QStringLiteral("laptop"), bool isPublic = false, QString *error = nullptr);
    QByteArray issueApiKey(const QString &accountEmail, const QString &label, QString *error = nullptr);
    bool revokeApiKey(const QByteArray &prefix, QString *error = nullptr);

    // Runs `heyo-edge <args>` with `stdinData`; returns the exit code, stdout in *out, stderr in *err.
    int runAdmin(const QStringList &args, const QByteArray &stdinData, QByteArray *out, QByteArray *err);

private:
    QStringList m_extraArgs;
    bool m_demo = false;
    QTemporaryDir m_dataDir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
    QUrl m_baseUrl;
};

} // namespace heyo::test
