// heyo: the command line. Wiring only; the commands live in their own classes.
#include "cli/Cli.h"
#include "net/FdLimit.h"

#include <QCoreApplication>

#include <openssl/crypto.h>

int main(int argc, char *argv[])
{
    heyo::net::raiseFdLimit(); // the common soft limit of 1,024 is too low for a proxy (DECISIONS.md)
    // No OpenSSL clean-up at exit: it runs in an atexit handler while Qt's network thread, already joined by the
    // QNetworkAccessManager, may not yet have run its thread-exit handlers, whose per-thread random generators then
    // leak (LeakSanitizer); the clean-up only frees what exit frees anyway.
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
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
