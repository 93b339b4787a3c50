// Revokes API keys by prefix; tokens exchanged from them fail the edge's revocation check from then on.
#include "edge/admin/ApiKeyRevokeCommand.h"

#include "edge/Store.h"

#include <iostream>

namespace heyo::edge {

QString ApiKeyRevokeCommand::usage() const
{
    return QStringLiteral("  api-key revoke   --data DIR --prefix PREFIX\n");
}

QString ApiKeyRevokeCommand::description() const
{
    return "Revokes the API keys whose shown prefix matches. Tokens exchanged from them stop working too.";
}

void ApiKeyRevokeCommand::addOptions(QCommandLineParser &parser)
{
    parser.addOption({"prefix", "The key's 12-character prefix (heyo_…).", "PREFIX"});
}

int ApiKeyRevokeCommand::runWithStore(Store &store, const QCommandLineParser &parser)
{
    int revoked = store.revokeApiKeysByPrefix(value(parser, "prefix"));
    if (revoked == 0)
        return fail("no live API key with prefix " + parser.value("prefix"));
    std::cout << "revoked " << revoked << " API key" << (revoked == 1 ? "" : "s") << "\n";
    return Ok;
}

} // namespace heyo::edge
