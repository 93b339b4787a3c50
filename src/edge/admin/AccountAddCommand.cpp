// Creates an account with a bcrypt hash of a password read without echo (terminal) or as stdin's first line.
#include "edge/admin/AccountAddCommand.h"

#include "console/Terminal.h"
#include "edge/Secrets.h"
#include "edge/Store.h"

#include <iostream>

namespace heyo::edge {

namespace {
// The password: prompted without echo on a terminal, else the first line of stdin.
std::string readPassword()
{
    if (Terminal::stdinIsTerminal())
        if (const auto typed = Terminal::readSecret(QStringLiteral("Password: ")))
            return typed->toStdString();
    return Terminal::readStdinLine().toStdString();
}
} // namespace

QString AccountAddCommand::usage() const
{
    return QStringLiteral("  account add      --data DIR --email E [--name N]          (password read from stdin)\n");
}

QString AccountAddCommand::description() const
{
    return "Creates an account. The password is read from stdin (without echo on a terminal).";
}

void AccountAddCommand::addOptions(QCommandLineParser &parser)
{
    parser.addOption({"email", "The account's email.", "E"});
    parser.addOption({"name", "The account's display name.", "N"});
}

int AccountAddCommand::runWithStore(Store &store, const QCommandLineParser &parser)
{
    std::string password = readPassword();
    if (password.size() < 8)
        return fail("the password must have at least 8 characters");
    std::string name = value(parser, "name").empty() ? value(parser, "email") : value(parser, "name");
    std::string hash = bcryptHash(password);
    if (hash.empty())
        return fail("the password cannot be used (it contains a NUL character)");
    std::string error;
    auto account = store.createAccount(value(parser, "email"), name, hash, &error);
    if (!account)
        return fail(QString::fromStdString(error));
    std::cout << "created account " << account->id << " (" << account->email << ")\n";
    return Ok;
}

} // namespace heyo::edge
