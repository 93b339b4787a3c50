// The demo upstream apps that `heyo-edge demo` puts behind its endpoints, started and stopped together.
#include "DemoApps.h"

#include "DemoEventsApp.h"
#include "DemoFilesApp.h"
#include "DemoGitApp.h"
#include "DemoGrpcApp.h"
#include "DemoWebApp.h"
#include "DemoWebSocketApp.h"

#include <QDir>

namespace heyo::demo {

DemoApps::DemoApps(QObject *parent) : QObject(parent) {}

DemoApps::~DemoApps()
{
    stop();
}

QStringList DemoApps::names()
{
    return {"web", "files", "events", "ws", "git", "grpc"};
}

bool DemoApps::start(const QString &dataDir, QString *error)
{
    stop();
    m_web = std::make_unique<DemoWebApp>();
    m_files = std::make_unique<DemoFilesApp>();
    m_events = std::make_unique<DemoEventsApp>();
    m_ws = std::make_unique<DemoWebSocketApp>();
    m_git = std::make_unique<DemoGitApp>();
    m_grpc = std::make_unique<DemoGrpcApp>();
    QString why;
    const bool ok = m_git->prepare(QDir(dataDir).filePath("git"), &why) && m_web->listen(0, &why) &&
                    m_files->listen(0, &why) && m_events->listen(0, &why) && m_ws->listen(0, &why) &&
                    m_git->listen(0, &why) && m_grpc->listen(0, &why);
    if (!ok) {
        stop();
        if (error)
            *error = QStringLiteral("demo apps: %1").arg(why);
    }
    return ok;
}

quint16 DemoApps::port(const QString &app) const
{
    if (app == "web")
        return m_web ? m_web->port() : 0;
    if (app == "files")
        return m_files ? m_files->port() : 0;
    if (app == "events")
        return m_events ? m_events->port() : 0;
    if (app == "ws")
        return m_ws ? m_ws->port() : 0;
    if (app == "git")
        return m_git ? m_git->port() : 0;
    if (app == "grpc")
        return m_grpc ? m_grpc->port() : 0;
    return 0;
}

void DemoApps::stop()
{
    m_web.reset();
    m_files.reset();
    m_events.reset();
    m_ws.reset();
    m_git.reset();
    m_grpc.reset();
}

} // namespace heyo::demo
