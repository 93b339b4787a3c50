// Which local port each endpoint is forwarded on. Ports are stable: an endpoint keeps its port across restarts
// (persisted in settings, non-secret), a new endpoint gets the first free port of the range, and a port that turns
// out to be busy later is reported by the forwarder, never silently moved.
#pragma once

#include <QMap>
#include <QString>

class QSettings;

namespace heyo::forward {

class PortAssignments {
public:
    static constexpr quint16 kFirstPort = 7001;
    static constexpr quint16 kLastPort = 7999;
    static constexpr quint16 kDefaultRouterPort = 7000;

    // `settings` may be null: assignments then live for this process only.
    explicit PortAssignments(QSettings *settings);

    quint16 portFor(const QString &slug) const; // 0 when none is assigned
    // The endpoint's port: the one it had, else the first port of the range that no other endpoint has and that
    // is free right now. 0 when the range is exhausted.
    quint16 assign(const QString &slug);
    // A port the user chose. Refused (false, `*error`) when another endpoint has it.
    bool setPort(const QString &slug, quint16 port, QString *error);
    void release(const QString &slug);

    quint16 routerPort() const;
    void setRouterPort(quint16 port);

    // Whether something already listens on 127.0.0.1:port (a bind attempt).
    static bool isFree(quint16 port);

private:
    QString ownerOf(quint16 port) const; // the slug holding the port, or empty
    void save(const QString &slug, quint16 port);

    QSettings *m_settings;
    QMap<QString, quint16> m_ports; // slug → port
    quint16 m_routerPort = kDefaultRouterPort;
};

} // namespace heyo::forward
