// `heyo api-key`: Create, list or revoke API keys (a new key is printed once)
#pragma once

#include "cli/Command.h"

namespace heyo::cli {

class ApiKeyCommand : public Command {
public:
    QString name() const override { return QStringLiteral("api-key"); }
    QString summary() const override
    {
        return QStringLiteral("Create, list or revoke API keys (a new key is printed once)");
    }
    QString arguments() const override { return QStringLiteral("create --label L | list | revoke ID"); }
    bool needsSession() const override { return true; }
    void addOptions(QCommandLineParser &parser) override;
    void run(CliContext &ctx, const QCommandLineParser &parser, const QStringList &args) override;
};

} // namespace heyo::cli
