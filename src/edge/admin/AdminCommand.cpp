// The parsing and the helpers every heyo-edge command shares.
#include "edge/admin/AdminCommand.h"

#include "edge/EdgeServer.h"
#include "edge/Store.h"

#include <QTextStream>

namespace heyo::edge {

int AdminCommand::execute(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(description());
    parser.addHelpOption();
    parser.addOption({"data", "The data directory (database, keys, TLS material).", "DIR"});
    addOptions(parser);
    if (!parser.parse(args))
        return fail(parser.errorText() + " (see --help)", Usage);
    if (parser.isSet("help")) {
        QTextStream(stdout) << parser.helpText();
        return Ok;
    }
    if (!parser.positionalArguments().isEmpty())
        return fail("unexpected argument: " + parser.positionalArguments().first(), Usage);
    for (const QString &name : requiredOptions())
        if (parser.value(name).isEmpty())
            return fail("--" + name + " is required (see --help)", Usage);
    return run(parser);
}

int AdminCommand::fail(const QString &message, int code)
{
    QTextStream(stderr) << "heyo-edge: " << message << Qt::endl;
    return code;
}

std::string AdminCommand::value(const QCommandLineParser &parser, const QString &name)
{
    return parser.value(name).toStdString();
}

std::unique_ptr<Store> AdminCommand::openStore(const QCommandLineParser &parser, int *code)
{
    std::string error;
    auto store = edge::openStore(value(parser, "data"), &error);
    if (!store)
        *code = fail(QString::fromStdString(error));
    return store;
}

} // namespace heyo::edge
