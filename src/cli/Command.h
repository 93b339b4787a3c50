// One `heyo` sub-command: its name, help, options, and an asynchronous run that ends with CliContext::finish().
// New commands (list, forward, open) are one more subclass added to Cli's table.
#pragma once

#include <QCommandLineParser>
#include <QString>

namespace heyo::cli {

class CliContext;

class Command {
public:
    virtual ~Command() = default;
    virtual QString name() const = 0;
    virtual QString summary() const = 0;             // one line for `heyo --help`
    virtual QString arguments() const { return {}; } // positional synopsis, e.g. "create|list|revoke [ID]"
    virtual void addOptions(QCommandLineParser &) {}
    // True when the command needs a signed-in account (then --no-store sign-in options are applied first).
    virtual bool needsSession() const { return true; }
    virtual void run(CliContext &ctx, const QCommandLineParser &parser, const QStringList &args) = 0;
};

} // namespace heyo::cli
