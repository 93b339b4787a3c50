// `heyo open SLUG`: opens http://<slug>.localhost:<port>/ of a running `heyo forward` in the system browser.
#pragma once

#include "cli/Command.h"
#include "core/api/EndpointDirectory.h"

#include <memory>

namespace heyo::cli {

class OpenCommand : public Command {
public:
    QString name() const override { return QStringLiteral("open"); }
    QString summary() const override { return QStringLiteral("Open a forwarded endpoint in the browser"); }
    QString arguments() const override { return QStringLiteral("SLUG"); }
    bool needsSession() const override { return false; } // only the local port table is read
    void addOptions(QCommandLineParser &parser) override;
    void run(CliContext &ctx, const QCommandLineParser &parser, const QStringList &args) override;

private:
    // No port kept for `slug`: asks the accounts' endpoint lists whether it is an endpoint at all.
    void explainNoPort(CliContext &ctx, const QString &slug, const QString &hint);
    std::unique_ptr<api::EndpointDirectory> m_directory;
};

} // namespace heyo::cli
