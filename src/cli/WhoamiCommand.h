// `heyo whoami`: Show the signed-in account, checked with the service
#pragma once

#include "cli/Command.h"

namespace heyo::cli {

class WhoamiCommand : public Command {
public:
    QString name() const override { return QStringLiteral("whoami"); }
    QString summary() const override { return QStringLiteral("Show the signed-in account, checked with the service"); }
    QString arguments() const override { return QStringLiteral(""); }
    bool needsSession() const override { return true; }
    void addOptions(QCommandLineParser &parser) override;
    void run(CliContext &ctx, const QCommandLineParser &parser, const QStringList &args) override;
};

} // namespace heyo::cli
