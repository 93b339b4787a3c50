// One heyo-access per user session: the first instance listens on a local socket; a later launch hands its request
// (activate, `--open SLUG`, `--forward SLUG`) to it, waits for the answer and exits with it. A stale socket left by a
// crash is taken over.
#pragma once

#include <QHash>
#include <QLocalServer>
#include <QLocalSocket>
#include <QObject>
#include <QPointer>
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

    // True when another instance took `request`: then `*refused` is empty when it was done (this process should exit
    // 0), else why not (exit 1). False when this process is now the first instance (listening), or when it can neither
    // hand over nor listen (`*error`, then run on regardless). `timeoutMs` bounds the connection; the answer may take
    // up to kAnswerTimeoutMs (a forward waits for the endpoint list).
    bool handOver(const QStringList &request, int timeoutMs = 3000, QString *error = nullptr,
                  QString *refused = nullptr);
    bool listen(QString *error);
    bool isListening() const { return m_server.isListening(); }
    // Answers request `id` (from requested()): empty `error` when it was done. Every request must be answered.
    void answer(quint64 id, const QString &error);

    static constexpr int kAnswerTimeoutMs = 30000;

signals:
    // A later launch asked for something; an empty request means "show yourself". Answer it with answer(id, …).
    void requested(const QStringList &request, quint64 id);

private:
    void readClient(class QLocalSocket *socket);

    QString m_name;
    QLocalServer m_server;
    QHash<quint64, QPointer<QLocalSocket>> m_waiting; // requests not answered yet
    quint64 m_nextId = 1;
};

} // namespace heyo::ui
