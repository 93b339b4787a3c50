// Issues an API key: the key on stdout (the only place it ever appears), its id and prefix on stderr.
#include "edge/admin/ApiKeyIssueCommand.h"

#include "edge/Secrets.h"
#include "edge/Store.h"

#include <iostream>

namespace heyo::edge {

QString ApiKeyIssueCommand::usage() const
{
    return QStringLiteral(
        "  api-key issue    --data DIR --account E --label L         (prints the key once, on stdout)\n");
}

QString ApiKeyIssueCommand::description() const
{
    return "Issues an API key for an account and prints it once. Only its hash is stored.";
}

QStringList ApiKeyIssueCommand::requiredOptions() const
{
    return {"data", "account", "label"};
}

void ApiKeyIssueCommand::addOptions(QCommandLineParser &parser)
{
    parser.addOption({"account", "The owner's email.", "E"});
    parser.addOption({"label", "What the key is for.", "L"});
}

int ApiKeyIssueCommand::runWithStore(Store &store, const QCommandLineParser &parser)
{
    auto account = accountOption(store, parser);
    if (!account)
        return Failure;
    std::string key = newApiKey();
    auto record = store.addApiKey(account->id, value(parser, "label"), apiKeyPrefix(key), bcryptHash(key));
    if (!record)
        return fail("the key could not be stored");
    std::cout << key << std::endl;
    std::cerr << "heyo-edge: issued API key " << record->id << " (prefix " << record->prefix
              << "); it is shown only this once\n";
    return Ok;
}

} // namespace heyo::edge
