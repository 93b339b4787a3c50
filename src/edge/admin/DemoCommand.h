// `heyo-edge demo --data DIR [...]`: `serve` with the built-in demo apps started and the demo accounts and
// endpoints seeded (when absent), then a few curl lines to try.
#pragma once

#include "edge/admin/ServeCommand.h"

#include <memory>

namespace heyo::demo {
class DemoApps;
}

namespace heyo::edge {

class DemoCommand : public ServeCommand {
public:
    DemoCommand();
    ~DemoCommand() override;
    QStringList words() const override { return {QStringLiteral("demo")}; }
    QString usage() const override;

protected:
    QString description() const override;
    int prepare(const QCommandLineParser &parser, const std::string &dataDir) override;
    void introduce(const EdgeServer &server) override;
    void finish() override;

private:
    std::unique_ptr<demo::DemoApps> m_apps;
};

} // namespace heyo::edge
