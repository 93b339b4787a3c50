// heyo: the command line. Wiring only; the commands live in their own classes.
#include "cli/Cli.h"
#include "net/FdLimit.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    heyo::net::raiseFdLimit(); // the common soft limit of 1,024 is too low for a proxy (DECISIONS.md)
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("heyo"));
    QCoreApplication::setApplicationName(QStringLiteral("heyo"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HEYO_VERSION));
    heyo::cli::Cli cli;
    const int immediate = cli.start(QCoreApplication::arguments());
    if (immediate >= 0)
        return immediate;
    return QCoreApplication::exec();
}
