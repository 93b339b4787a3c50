// Opens the store for the commands that need one, after their own option checks.
#include "edge/admin/StoreCommand.h"

#include "edge/Store.h"

namespace heyo::edge {

int StoreCommand::run(const QCommandLineParser &parser)
{
    if (int code = check(parser); code != Ok)
        return code;
    int code = Ok;
    auto store = openStore(parser, &code);
    if (!store)
        return code;
    return runWithStore(*store, parser);
}

std::optional<Account> StoreCommand::accountOption(Store &store, const QCommandLineParser &parser)
{
    auto account = store.accountByEmail(value(parser, "account"));
    if (!account)
        fail("no account with email " + parser.value("account"));
    return account;
}

} // namespace heyo::edge
