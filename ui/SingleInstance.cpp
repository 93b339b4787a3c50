// Local-socket hand-over between launches: one JSON line in; "ok", or "error <why>", back once it is carried out.
#include "SingleInstance.h"

#include "UiLogging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>

#include <unistd.h>

namespace heyo::ui {

SingleInstance::SingleInstance(const QString &name, QObject *parent) : QObject(parent), m_name(name)
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    connect(&m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *s = m_server.nextPendingConnection()) {
            connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
            connect(s, &QLocalSocket::readyRead, this, [this, s] { readClient(s); });
        }
    });
}

QString SingleInstance::nameFor(const QString &settingsFile)
{
    const QByteArray path = QDir::cleanPath(QDir::current().absoluteFilePath(settingsFile)).toUtf8();
    const QByteArray h = QCryptographicHash::hash(path, QCryptographicHash::Sha256).toHex().left(12);
    return QStringLiteral("heyo-access-%1-%2").arg(::getuid()).arg(QString::fromLatin1(h));
}

bool SingleInstance::handOver(const QStringList &request, int timeoutMs, QString *error, QString *refused)
{
    QLocalSocket socket;
    socket.connectToServer(m_name);
    if (socket.waitForConnected(timeoutMs)) {
        const QByteArray line =
            QJsonDocument(QJsonArray::fromStringList(request)).toJson(QJsonDocument::Compact) + '\n';
        socket.write(line);
        socket.flush();
        while (!socket.canReadLine() && socket.waitForReadyRead(kAnswerTimeoutMs)) {
        }
        const QByteArray answer = socket.readLine().trimmed();
        if (answer == "ok")
            return true;
        if (answer.startsWith("error ")) {
            if (refused)
                *refused = QString::fromUtf8(answer.mid(6));
            return true;
        }
        qCWarning(lcUi) << "the running instance did not answer; starting anyway";
    }
    if (!listen(error))
        return false;
    return false;
}

bool SingleInstance::listen(QString *error)
{
    if (m_server.isListening())
        return true;
    if (m_server.listen(m_name))
        return true;
    // Nobody answered above, so the socket file is stale (a crashed instance): take it over.
    QLocalServer::removeServer(m_name);
    if (m_server.listen(m_name))
        return true;
    if (error)
        *error = m_server.errorString();
    return false;
}

void SingleInstance::readClient(QLocalSocket *socket)
{
    if (!socket->canReadLine()) {
        if (socket->bytesAvailable() > 64 * 1024)
            socket->abort();
        return;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(socket->readLine());
    QStringList request;
    for (const auto &v : doc.array())
        request << v.toString();
    const quint64 id = m_nextId++;
    m_waiting.insert(id, socket);
    emit requested(request, id);
}

void SingleInstance::answer(quint64 id, const QString &error)
{
    const QPointer<QLocalSocket> socket = m_waiting.take(id);
    if (!socket) // the launch gave up waiting
        return;
    socket->write(error.isEmpty() ? QByteArray("ok\n") : "error " + error.simplified().toUtf8() + '\n');
    socket->flush();
}

} // namespace heyo::ui
