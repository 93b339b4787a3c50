// The demo upstream apps that `heyo-edge demo` puts behind its endpoints, started and stopped together.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace heyo::demo {

class DemoEventsApp;
class DemoFilesApp;
class DemoGitApp;
class DemoGrpcApp;
class DemoWebApp;
class DemoWebSocketApp;

// Runs in the thread that creates it; every app listens on its own ephemeral 127.0.0.1 port.
class DemoApps : public QObject {
    Q_OBJECT
public:
    explicit DemoApps(QObject *parent = nullptr);
    ~DemoApps() override;

    // Starts all six apps; the git app serves dataDir/git (created with a demo.git if empty).
    // On failure nothing stays listening and *error says why.
    bool start(const QString &dataDir, QString *error);
    // "web", "files", "events", "ws", "git", "grpc"; 0 for an unknown name or when stopped.
    quint16 port(const QString &app) const;
    static QStringList names();
    void stop();

private:
    std::unique_ptr<DemoWebApp> m_web;
    std::unique_ptr<DemoFilesApp> m_files;
    std::unique_ptr<DemoEventsApp> m_events;
    std::unique_ptr<DemoWebSocketApp> m_ws;
    std::unique_ptr<DemoGitApp> m_git;
    std::unique_ptr<DemoGrpcApp> m_grpc; // speaks HTTP/2 only (h2c): its endpoint is marked http2
};

} // namespace heyo::demo
