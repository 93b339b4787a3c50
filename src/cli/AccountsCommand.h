// `heyo accounts`: List signed-in accounts; --default E switches the default
#pragma once

#include "cli/Command.h"

namespace heyo::cli {

class AccountsCommand : public Command {
public:
    QString name() const override { return QStringLiteral("accounts"); }
    QString summary() const override
    {
        return QStringLiteral("List signed-in accounts; --default E switches the default");
    }
    QString arguments() const override { return QStringLiteral(""); }
    bool needsSession() const override { return false; }
    void addOptions(QCommandLineParser &parser) override;
    void run(CliContext &ctx, const QCommandLineParser &parser, const QStringList &args) override;
};

} // namespace heyo::cli
