// `heyo-edge api-key revoke --data DIR --prefix PREFIX`: revokes the live keys with that shown prefix.
#pragma once

#include "edge/admin/StoreCommand.h"

namespace heyo::edge {

class ApiKeyRevokeCommand : public StoreCommand {
public:
    QStringList words() const override { return {QStringLiteral("api-key"), QStringLiteral("revoke")}; }
    QString usage() const override;

protected:
    QString description() const override;
    QStringList requiredOptions() const override { return {QStringLiteral("data"), QStringLiteral("prefix")}; }
    void addOptions(QCommandLineParser &parser) override;
    int runWithStore(Store &store, const QCommandLineParser &parser) override;
};

} // namespace heyo::edge
