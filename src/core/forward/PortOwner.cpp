// Finds a listening socket's inode in /proc/net/tcp{,6}, then the process whose fd points at it.
#include "core/forward/PortOwner.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <unistd.h>

namespace heyo::forward {

static QSet<QString> listeningInodes(quint16 port)
{
    QSet<QString> inodes;
    for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile f(table);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        f.readLine(); // header
        while (!f.atEnd()) {
            const QList<QByteArray> cols = f.readLine().simplified().split(' ');
            if (cols.size() < 10 || cols[3] != "0A") // 0A = LISTEN
                continue;
            bool ok = false;
            if (cols[1].split(':').last().toUInt(&ok, 16) == port && ok)
                inodes.insert(QString::fromLatin1(cols[9]));
        }
    }
    return inodes;
}

QString PortOwner::describe(quint16 port)
{
    const QSet<QString> inodes = listeningInodes(port);
    if (inodes.isEmpty())
        return {};
    const QStringList pids = QDir("/proc").entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pid : pids) {
        if (pid.toInt() <= 0)
            continue;
        QDir fds("/proc/" + pid + "/fd");
        for (const QString &fd : fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)) {
            char target[64] = {};
            ssize_t n = ::readlink(fds.filePath(fd).toLocal8Bit().constData(), target, sizeof target - 1);
            QString link = QString::fromLatin1(target, n > 0 ? n : 0);
            if (!link.startsWith("socket:["))
                continue;
            QString inode = link.mid(8).chopped(1);
            if (inodes.contains(inode)) {
                QFile comm("/proc/" + pid + "/comm");
                QString name = comm.open(QIODevice::ReadOnly) ? QString::fromUtf8(comm.readAll()).trimmed() : "?";
                return QString("%1 (pid %2)").arg(name, pid);
            }
        }
    }
    return {};
}

} // namespace heyo::forward
