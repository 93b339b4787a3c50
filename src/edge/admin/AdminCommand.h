// One heyo-edge command: the words that name it, its lines in the usage, its options, and a run that returns the
// exit code. The base does the parsing every command shares (--help, --data, required options, no stray arguments).
#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <memory>
#include <string>

namespace heyo::edge {

class Store;

class AdminCommand {
public:
    enum Exit { Ok = 0, Failure = 1, Usage = 2 };

    virtual ~AdminCommand() = default;
    // The words that name it, e.g. {"api-key", "issue"}.
    virtual QStringList words() const = 0;
    // Its lines under "Commands:" in `heyo-edge --help`, each ending in a newline.
    virtual QString usage() const = 0;

    // Parses `args` (the program's name, then the command's own options), answers --help, and runs.
    int execute(const QStringList &args);

    // "heyo-edge: <message>" on stderr; returns `code`.
    static int fail(const QString &message, int code = Failure);

protected:
    // The first line of the command's --help.
    virtual QString description() const = 0;
    // Options that must be given a value.
    virtual QStringList requiredOptions() const { return {QStringLiteral("data")}; }
    virtual void addOptions(QCommandLineParser &) {}
    virtual int run(const QCommandLineParser &parser) = 0;

    static std::string value(const QCommandLineParser &parser, const QString &name);
    // The store in --data; null, with the reason printed and *code set, when it cannot be opened.
    static std::unique_ptr<Store> openStore(const QCommandLineParser &parser, int *code);
};

} // namespace heyo::edge
