// The demo around `serve`: the demo apps on ephemeral ports, the demo data pointed at them, the try-it lines.
#include "edge/admin/DemoCommand.h"

#include "demo/DemoApps.h"
#include "demo/DemoData.h"
#include "edge/EdgeServer.h"
#include "edge/Store.h"

#include <QDir>

#include <cstdio>
#include <map>

namespace heyo::edge {

DemoCommand::DemoCommand() = default;
DemoCommand::~DemoCommand() = default;

QString DemoCommand::usage() const
{
    return QStringLiteral(
        "  demo     --data DIR [--listen 127.0.0.1:8443]   seeds demo data if absent, starts the demo "
        "apps, then serves\n");
}

QString DemoCommand::description() const
{
    return "Seeds the demo data (if absent), starts the built-in demo apps and serves.";
}

int DemoCommand::prepare(const QCommandLineParser &parser, const std::string &dataDir)
{
    m_apps = std::make_unique<demo::DemoApps>();
    QString error;
    if (!m_apps->start(QDir(QString::fromStdString(dataDir)).filePath("demo-apps"), &error))
        return fail("cannot start the demo apps: " + error);
    int code = Ok;
    auto store = openStore(parser, &code);
    if (!store)
        return code;
    std::map<std::string, int> ports;
    for (const QString &app : demo::DemoApps::names())
        ports[app.toStdString()] = m_apps->port(app);
    bool created = false;
    std::string error2;
    if (!demo::DemoData::seed(*store, ports, &created, &error2))
        return fail("cannot seed the demo data: " + QString::fromStdString(error2));
    return Ok;
}

void DemoCommand::introduce(const EdgeServer &server)
{
    const EdgeConfig &config = server.config();
    const auto &ada = demo::DemoData::ada(), &bob = demo::DemoData::bob();
    std::string url = config.endpointUrl("demo-web"), ca = server.tlsFiles().caCert;
    std::string api = config.apiUrl();
    std::printf("\nDemo accounts: %s / %s   and   %s / %s\n", ada.email.c_str(), ada.password.c_str(),
                bob.email.c_str(), bob.password.c_str());
    std::printf("Ada's private endpoints: demo-web, demo-files, demo-events, demo-ws, demo-git, demo-grpc (gRPC, "
                "docs/demo-grpc.proto); public: demo-docs. Bob's: bob-notes.\n\nTry:\n");
    std::printf("  curl --cacert %s %s/api/whoami                      # 401: no token\n", ca.c_str(), url.c_str());
    std::printf("  TOKEN=$(curl -s --cacert %s %s/api/auth/login -d '{\"email\":\"%s\",\"password\":\"%s\"}' "
                "| sed 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/')\n",
                ca.c_str(), api.c_str(), ada.email.c_str(), ada.password.c_str());
    std::printf("  curl --cacert %s -H \"Authorization: Bearer $TOKEN\" %s/api/whoami   # 200\n", ca.c_str(),
                url.c_str());
    std::printf("  curl --cacert %s -H \"Authorization: Bearer $TOKEN\" %s/   # 403: Bob's\n\n", ca.c_str(),
                config.endpointUrl("bob-notes").c_str());
}

void DemoCommand::finish()
{
    m_apps->stop();
}

} // namespace heyo::edge
