// `heyo-edge api-key issue --data DIR --account E --label L`: a new API key, printed once; only its hash is kept.
#pragma once

#include "edge/admin/StoreCommand.h"

namespace heyo::edge {

class ApiKeyIssueCommand : public StoreCommand {
public:
    QStringList words() const override { return {QStringLiteral("api-key"), QStringLiteral("issue")}; }
    QString usage() const override;

protected:
    QString description() const override;
    QStringList requiredOptions() const override;
    void addOptions(QCommandLineParser &parser) override;
    int runWithStore(Store &store, const QCommandLineParser &parser) override;
};

} // namespace heyo::edge
