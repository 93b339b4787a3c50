// One heyo-access per user session: the first instance listens on a local socket; a later launch hands its request
// (activate, or `--open SLUG`) to it and exits. A stale socket left by a crash is taken over.
#pragma once

#include <QLocalServer>
#include <QObject>
#include <QStringList>

namespace heyo::ui {

class SingleInstance : public QObject {
    Q_OBJECT
public:
    // `name`: the socket name, see nameFor().
    explicit SingleInstance(const QString &name, QObject *parent = nullptr);

    // One instance per user and per settings file: test runs with throwaway HOMEs, and the demo with its own
    // HEYO_CONFIG_DIR, never meet each other or the user's instance.
    static QString nameFor(const QString &settingsFile);

    // True when another instance took `request` (this process should exit 0). False when this process is now the
    // first instance (listening), or when it can neither hand over nor listen (`*error`, then run on regardless).
    bool handOver(const QStringList &request, int timeoutMs = 3000, QString *error = nullptr);
    bool listen(QString *error);
    bool isListening() const { return m_server.isListening(); }

signals:
    // A later launch asked for something; an empty request means "show yourself".
    void requested(const QStringList &request);

private:
    void readClient(class QLocalSocket *socket);

    QString m_name;
    QLocalServer m_server;
};

} // namespace heyo::ui
