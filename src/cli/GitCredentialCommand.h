// `heyo git-credential`: git credential helper: answers with the token for the account's endpoints
#pragma once

#include "cli/Command.h"

namespace heyo::cli {

class GitCredentialCommand : public Command {
public:
    QString name() const override { return QStringLiteral("git-credential"); }
    QString summary() const override
    {
        return QStringLiteral("git credential helper: answers with the token for the account's endpoints");
    }
    QString arguments() const override { return QStringLiteral("get|store|erase"); }
    bool needsSession() const override { return false; }
    void addOptions(QCommandLineParser &parser) override;
    void run(CliContext &ctx, const QCommandLineParser &parser, const QStringList &args) override;
};

} // namespace heyo::cli
