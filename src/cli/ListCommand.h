// `heyo list [--format text|json]`: the endpoints of every signed-in account, grouped by device.
#pragma once

#include "cli/Command.h"
#include "core/api/EndpointDirectory.h"

#include <memory>

namespace heyo::cli {

class ListCommand : public Command {
public:
    QString name() const override { return QStringLiteral("list"); }
    QString summary() const override { return QStringLiteral("List the endpoints of every signed-in account"); }
    QString arguments() const override { return QStringLiteral("[--format text|json]"); }
    void addOptions(QCommandLineParser &parser) override;
    void run(CliContext &ctx, const QCommandLineParser &parser, const QStringList &args) override;

    // The two renderings (also what tests compare against): `localPort(slug)` gives the assigned local port or 0.
    static QString toText(const api::EndpointDirectory::Listing &result,
                          const std::function<quint16(const QString &)> &localPort);
    static QByteArray toJson(const api::EndpointDirectory::Listing &result,
                             const std::function<quint16(const QString &)> &localPort);

private:
    std::unique_ptr<api::EndpointDirectory> m_directory;
};

} // namespace heyo::cli
