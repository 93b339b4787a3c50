// `heyo api-key create --label L | list | revoke ID`. A created key goes to stdout once and nowhere else.
#include "cli/ApiKeyCommand.h"

#include "cli/CliContext.h"
#include "console/Terminal.h"

#include "core/api/ApiClient.h"

namespace heyo::cli {

void ApiKeyCommand::addOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("label"), QStringLiteral("Label of the new key (create)."), QStringLiteral("L")});
}

void ApiKeyCommand::run(CliContext &ctx, const QCommandLineParser &p, const QStringList &args)
{
    const QString verb = args.value(0);
    const bool ok =
        (verb == QLatin1String("create") && args.size() == 1 && !p.value(QStringLiteral("label")).isEmpty()) ||
        (verb == QLatin1String("list") && args.size() == 1) || (verb == QLatin1String("revoke") && args.size() == 2);
    if (!ok)
        return ctx.fail(ExitUsage, QStringLiteral("usage: heyo api-key create --label L | list | revoke ID"));
    const QString id = ctx.requireAccount();
    if (id.isEmpty())
        return;
    api::ApiClient *api = ctx.sessions().api(id);

    if (verb == QLatin1String("create")) {
        const QString label = p.value(QStringLiteral("label"));
        ctx.authorized(id, [&ctx, api, label](const QByteArray &token, auto failed) {
            api->createApiKey(token, label, [&ctx, failed](const api::ApiResult<api::CreatedApiKey> &r) {
                if (!r.ok())
                    return failed(r.error);
                Terminal::out(QString::fromUtf8(r.value->key) + QLatin1Char('\n'));
                Terminal::err(QStringLiteral("Created API key %1 (\"%2\"). It is shown this once; store it safely.\n")
                                  .arg(r.value->info.id, r.value->info.label));
                ctx.finish(ExitOk);
            });
        });
    } else if (verb == QLatin1String("list")) {
        ctx.authorized(id, [&ctx, api](const QByteArray &token, auto failed) {
            api->listApiKeys(token, [&ctx, failed](const api::ApiResult<QList<api::ApiKeyInfo>> &r) {
                if (!r.ok())
                    return failed(r.error);
                for (const api::ApiKeyInfo &k : *r.value)
                    Terminal::out(QStringLiteral("%1  %2…  %3  created %4  last used %5\n")
                                      .arg(k.id, k.prefix, k.label, k.createdAt,
                                           k.lastUsedAt.isEmpty() ? QStringLiteral("never") : k.lastUsedAt));
                ctx.finish(ExitOk);
            });
        });
    } else {
        const QString &keyId = args.at(1);
        ctx.authorized(id, [&ctx, api, keyId](const QByteArray &token, auto failed) {
            api->revokeApiKey(token, keyId, [&ctx, failed, keyId](const api::ApiResult<bool> &r) {
                if (!r.ok())
                    return failed(r.error);
                Terminal::out(QStringLiteral("Revoked API key %1\n").arg(keyId));
                ctx.finish(ExitOk);
            });
        });
    }
}

} // namespace heyo::cli
