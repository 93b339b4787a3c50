// Persisted slug → port table.
#include "core/forward/PortAssignments.h"

#include <QSettings>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace heyo::forward {

namespace {
const QString kGroup = QStringLiteral("forward/ports");
const QString kRouterKey = QStringLiteral("forward/routerPort");
} // namespace

PortAssignments::PortAssignments(QSettings *settings) : m_settings(settings)
{
    if (!m_settings)
        return;
    m_settings->beginGroup(kGroup);
    for (const QString &slug : m_settings->childKeys()) {
        uint port = m_settings->value(slug).toUInt();
        if (port > 0 && port <= 65535)
            m_ports.insert(slug, quint16(port));
    }
    m_settings->endGroup();
    m_routerPort = quint16(m_settings->value(kRouterKey, kDefaultRouterPort).toUInt());
}

quint16 PortAssignments::portFor(const QString &slug) const
{
    return m_ports.value(slug, 0);
}

QString PortAssignments::ownerOf(quint16 port) const
{
    for (auto it = m_ports.begin(); it != m_ports.end(); ++it)
        if (it.value() == port)
            return it.key();
    return {};
}

quint16 PortAssignments::assign(const QString &slug)
{
    if (quint16 port = portFor(slug))
        return port;
    for (quint32 port = kFirstPort; port <= kLastPort; ++port) {
        if (!ownerOf(quint16(port)).isEmpty() || port == m_routerPort || !isFree(quint16(port)))
            continue;
        save(slug, quint16(port));
        return quint16(port);
    }
    return 0;
}

bool PortAssignments::setPort(const QString &slug, quint16 port, QString *error)
{
    QString owner = ownerOf(port);
    if (port == 0 || (!owner.isEmpty() && owner != slug) || port == m_routerPort) {
        if (error)
            *error = port == 0              ? QStringLiteral("port 0 is not a port one can forward on")
                     : port == m_routerPort ? QStringLiteral("port %1 is the router port").arg(port)
                                            : QStringLiteral("port %1 is already assigned to %2").arg(port).arg(owner);
        return false;
    }
    save(slug, port);
    return true;
}

void PortAssignments::release(const QString &slug)
{
    m_ports.remove(slug);
    if (m_settings) {
        m_settings->remove(kGroup + "/" + slug);
        m_settings->sync();
    }
}

quint16 PortAssignments::routerPort() const
{
    return m_routerPort;
}

void PortAssignments::setRouterPort(quint16 port)
{
    m_routerPort = port;
    if (m_settings) {
        m_settings->setValue(kRouterKey, port);
        m_settings->sync();
    }
}

void PortAssignments::save(const QString &slug, quint16 port)
{
    m_ports.insert(slug, port);
    if (m_settings) {
        m_settings->setValue(kGroup + "/" + slug, port);
        m_settings->sync();
    }
}

bool PortAssignments::isFree(quint16 port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); // TIME_WAIT leftovers do not make a port busy
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool free = ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
    ::close(fd);
    return free;
}

} // namespace heyo::forward
