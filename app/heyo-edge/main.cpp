// heyo-edge: the reference service (control-plane API + authenticating edge) and its admin commands. Wiring only:
// the commands are in src/edge/admin, one class each.
#include "edge/admin/AccountAddCommand.h"
#include "edge/admin/ApiKeyIssueCommand.h"
#include "edge/admin/ApiKeyRevokeCommand.h"
#include "edge/admin/DemoCommand.h"
#include "edge/admin/EdgeCommandLine.h"
#include "edge/admin/EndpointAddCommand.h"
#include "edge/admin/ServeCommand.h"
#include "net/FdLimit.h"

#include <QCoreApplication>

#include <csignal>

using namespace heyo::edge;

int main(int argc, char **argv)
{
    heyo::net::raiseFdLimit(); // the common soft limit of 1,024 is too low for a proxy (DECISIONS.md)
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("heyo-edge");
    QCoreApplication::setApplicationVersion(HEYO_VERSION);
    std::signal(SIGPIPE, SIG_IGN);

    EdgeCommandLine commandLine;
    commandLine.add(std::make_unique<ServeCommand>());
    commandLine.add(std::make_unique<DemoCommand>());
    commandLine.add(std::make_unique<AccountAddCommand>());
    commandLine.add(std::make_unique<EndpointAddCommand>());
    commandLine.add(std::make_unique<ApiKeyIssueCommand>());
    commandLine.add(std::make_unique<ApiKeyRevokeCommand>());
    return commandLine.run(app.arguments());
}
