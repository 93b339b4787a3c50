// `heyo list [--format text|json]`: the endpoints of every signed-in account, grouped by device.
#pragma once

#include "cli/Command.h"
#include "cli/EndpointCatalog.h"

#include <memory>

namespace heyo::cli
{

class ListCommand : public Command
{
public:
    QString name() const override { return QStringLiteral("list"); }
    QString summary() const override { return QStringLiteral("List the endpoints of every signed-in account"); }
    QString arguments() const override { return QStringLiteral("[--format text|json]"); }
    void addOptions(QCommandLineParser &parser) override;
    void run(CliContext &ctx, const QCommandLineParser &parser, const QStringList &args) override;

    // The two renderings (also what tests compare against): `localPort(slug)` gives the assigned local port or 0.
    static QString toText(const EndpointCatalog::Result &result,
                          const std::function<quint16(const QString &)> &localPort);
    static QByteArray toJson(const EndpointCatalog::Result &result,
                             const std::function<quint16(const QString &)> &localPort);

private:
    std::unique_ptr<EndpointCatalog> m_catalog;
};

} // namespace heyo::cli
