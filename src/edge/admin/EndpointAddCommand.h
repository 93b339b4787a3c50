// `heyo-edge endpoint add`: puts <slug>.<domain> in front of an app at http://127.0.0.1:PORT on a device.
#pragma once

#include "edge/admin/StoreCommand.h"

namespace heyo::edge {

class EndpointAddCommand : public StoreCommand {
public:
    QStringList words() const override { return {QStringLiteral("endpoint"), QStringLiteral("add")}; }
    QString usage() const override;

protected:
    QString description() const override;
    QStringList requiredOptions() const override;
    void addOptions(QCommandLineParser &parser) override;
    int check(const QCommandLineParser &parser) override;
    int runWithStore(Store &store, const QCommandLineParser &parser) override;
};

} // namespace heyo::edge
