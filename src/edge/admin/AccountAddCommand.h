// `heyo-edge account add --data DIR --email E [--name N]`: creates an account; the password comes from stdin.
#pragma once

#include "edge/admin/StoreCommand.h"

namespace heyo::edge {

class AccountAddCommand : public StoreCommand {
public:
    QStringList words() const override { return {QStringLiteral("account"), QStringLiteral("add")}; }
    QString usage() const override;

protected:
    QString description() const override;
    QStringList requiredOptions() const override { return {QStringLiteral("data"), QStringLiteral("email")}; }
    void addOptions(QCommandLineParser &parser) override;
    int runWithStore(Store &store, const QCommandLineParser &parser) override;
};

} // namespace heyo::edge
