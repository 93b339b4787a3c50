// `heyo login`: Sign in (email and password, or an API key) and keep the session in the keychain
#pragma once

#include "cli/Command.h"

namespace heyo::cli {

class LoginCommand : public Command {
public:
    QString name() const override { return QStringLiteral("login"); }
    QString summary() const override
    {
        return QStringLiteral("Sign in (email and password, or an API key) and keep the session in the keychain");
    }
    QString arguments() const override { return QStringLiteral(""); }
    bool needsSession() const override { return false; }
    void addOptions(QCommandLineParser &parser) override;
    void run(CliContext &ctx, const QCommandLineParser &parser, const QStringList &args) override;
};

} // namespace heyo::cli
