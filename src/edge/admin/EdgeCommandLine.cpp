// Dispatch by the first one or two words; everything after them is the command's own.
#include "edge/admin/EdgeCommandLine.h"

#include <QCoreApplication>

#include <cstdio>

namespace heyo::edge {

void EdgeCommandLine::add(std::unique_ptr<AdminCommand> command)
{
    m_commands.push_back(std::move(command));
}

QByteArray EdgeCommandLine::usage() const
{
    QString text = QStringLiteral(
        "Usage: heyo-edge <command> [options]\n\n"
        "The Heyo reference service: the control-plane API, the browser sign-in page and the authenticating edge "
        "proxy,\nwith a SQLite store and its own local TLS certificate authority.\n\n"
        "Commands:\n");
    for (const auto &command : m_commands)
        text += command->usage();
    text += QStringLiteral("\nRun 'heyo-edge <command> --help' for a command's options.\n"
                           "Exit codes: 0 ok, 1 failure, 2 usage error.\n");
    return text.toUtf8();
}

int EdgeCommandLine::run(const QStringList &args) const
{
    const QString first = args.value(1);
    if (first.isEmpty() || first == "--help" || first == "-h" || first == "help") {
        std::fputs(usage().constData(), first.isEmpty() ? stderr : stdout);
        return first.isEmpty() ? AdminCommand::Usage : AdminCommand::Ok;
    }
    if (first == "--version")
        return std::printf("heyo-edge %s\n", qPrintable(QCoreApplication::applicationVersion())), AdminCommand::Ok;
    for (const auto &command : m_commands) {
        const QStringList words = command->words();
        if (args.mid(1, words.size()) == words)
            return command->execute(QStringList{args.first()} + args.mid(1 + words.size()));
    }
    std::fputs(usage().constData(), stderr);
    return AdminCommand::fail("unknown command: " + args.mid(1).join(' '), AdminCommand::Usage);
}

} // namespace heyo::edge
