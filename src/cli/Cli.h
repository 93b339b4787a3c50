// The `heyo` dispatcher: a table of commands, global options, help and version, usage errors (exit 2).
#pragma once

#include "cli/Command.h"

#include <QStringList>

#include <memory>
#include <vector>

namespace heyo::cli {

class CliContext;

class Cli {
public:
    Cli();
    ~Cli();
    // Parses `arguments` (argv including the program name) and starts the command; returns -1 when the command is
    // running asynchronously (the event loop must run; it ends through CliContext::finish), else the exit code.
    int start(const QStringList &arguments);
    QString helpText() const;

private:
    Command *find(const QString &name) const;
    static void addGlobalOptions(QCommandLineParser &parser);
    // `heyo <command> --help`: "Usage: heyo <command> [options] ARGS", then the description and options.
    static QString commandHelp(const Command &command, const QCommandLineParser &parser);
    // Why --service cannot be the service's URL (not https), with the URL to use instead; empty when it can.
    static QString serviceOptionProblem(const QString &service);
    // Destroyed in reverse: the commands (a running forwarder) go before the context whose sessions they use.
    std::unique_ptr<CliContext> m_context;
    std::unique_ptr<QCommandLineParser> m_parser;
    std::vector<std::unique_ptr<Command>> m_commands;
};

} // namespace heyo::cli
