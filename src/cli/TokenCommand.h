// `heyo token`: Print the account's current token (refreshed first if needed) on stdout
#pragma once

#include "cli/Command.h"

namespace heyo::cli {

class TokenCommand : public Command {
public:
    QString name() const override { return QStringLiteral("token"); }
    QString summary() const override
    {
        return QStringLiteral("Print the account's current token (refreshed first if needed) on stdout");
    }
    QString arguments() const override { return QStringLiteral(""); }
    bool needsSession() const override { return true; }
    void addOptions(QCommandLineParser &parser) override;
    void run(CliContext &ctx, const QCommandLineParser &parser, const QStringList &args) override;
};

} // namespace heyo::cli
