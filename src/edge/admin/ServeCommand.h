// `heyo-edge serve --data DIR [...]`: runs the service (API, sign-in page, edge) over TLS until SIGINT or SIGTERM.
// DemoCommand is this with demo apps and data around it, through the three hooks.
#pragma once

#include "edge/admin/AdminCommand.h"

#include <string>

namespace heyo::edge {

class EdgeServer;
struct EdgeServerOptions;

class ServeCommand : public AdminCommand {
public:
    QStringList words() const override { return {QStringLiteral("serve")}; }
    QString usage() const override;

protected:
    QString description() const override;
    void addOptions(QCommandLineParser &parser) override;
    int run(const QCommandLineParser &parser) override;

    // Before the server starts: Ok to go on, else the exit code (the reason printed).
    virtual int prepare(const QCommandLineParser &, const std::string & /*dataDir*/) { return Ok; }
    // After the server printed where it listens.
    virtual void introduce(const EdgeServer &) {}
    // After the server stopped.
    virtual void finish() {}

private:
    // --listen, --domain, ... into `options`; Ok, else the exit code of a usage error (printed).
    static int readOptions(const QCommandLineParser &parser, EdgeServerOptions *options);
};

} // namespace heyo::edge
