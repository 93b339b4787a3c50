// `heyo logout`: Sign out: remove the account's token and API key from the keychain
#pragma once

#include "cli/Command.h"

namespace heyo::cli {

class LogoutCommand : public Command {
public:
    QString name() const override { return QStringLiteral("logout"); }
    QString summary() const override
    {
        return QStringLiteral("Sign out: remove the account's token and API key from the keychain");
    }
    QString arguments() const override { return QStringLiteral(""); }
    bool needsSession() const override { return true; }
    void addOptions(QCommandLineParser &parser) override;
    void run(CliContext &ctx, const QCommandLineParser &parser, const QStringList &args) override;

private:
    void signOutEach(CliContext &ctx, QStringList ids);
};

} // namespace heyo::cli
