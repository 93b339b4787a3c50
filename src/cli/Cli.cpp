// Command table and argument handling of `heyo`.
#include "cli/Cli.h"

#include "cli/AccountsCommand.h"
#include "cli/ApiKeyCommand.h"
#include "cli/CliContext.h"
#include "cli/ForwardCommand.h"
#include "cli/GitCredentialCommand.h"
#include "cli/ListCommand.h"
#include "cli/LoginCommand.h"
#include "cli/LogoutCommand.h"
#include "cli/OpenCommand.h"
#include "cli/TokenCommand.h"
#include "cli/WhoamiCommand.h"
#include "console/Terminal.h"

#include <QLoggingCategory>

namespace heyo::cli {

namespace {
const QStringList kValueOptions = {QStringLiteral("--service"), QStringLiteral("--ca-file"),
                                   QStringLiteral("--account")};
}

Cli::Cli()
{
    m_commands.push_back(std::make_unique<LoginCommand>());
    m_commands.push_back(std::make_unique<LogoutCommand>());
    m_commands.push_back(std::make_unique<WhoamiCommand>());
    m_commands.push_back(std::make_unique<AccountsCommand>());
    m_commands.push_back(std::make_unique<TokenCommand>());
    m_commands.push_back(std::make_unique<ApiKeyCommand>());
    m_commands.push_back(std::make_unique<GitCredentialCommand>());
    m_commands.push_back(std::make_unique<ListCommand>());
    m_commands.push_back(std::make_unique<ForwardCommand>());
    m_commands.push_back(std::make_unique<OpenCommand>());
}

Cli::~Cli() = default;

Command *Cli::find(const QString &name) const
{
    for (const auto &c : m_commands) {
        if (c->name() == name)
            return c.get();
    }
    return nullptr;
}

void Cli::addGlobalOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("service"), QStringLiteral("Service base URL (default https://localhost:8443)."),
                 QStringLiteral("URL")});
    p.addOption({QStringLiteral("ca-file"), QStringLiteral("Extra CA certificate (PEM) to trust for the service."),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("account"), QStringLiteral("Account (email or id); default: the default account."),
                 QStringLiteral("E")});
    p.addOption({QStringLiteral("no-store"),
                 QStringLiteral("Keep the session in this process's memory only (no keychain, no files).")});
    p.addOption({QStringLiteral("verbose"), QStringLiteral("Log what happens (secrets masked) on stderr.")});
    p.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show help.")});
}

QString Cli::helpText() const
{
    QString t = QStringLiteral("Usage: heyo [global options] <command> [options]\n\n"
                               "Sign in to a Heyo service and use its private endpoints from the command line.\n\n"
                               "Commands:\n");
    for (const auto &c : m_commands)
        t += QStringLiteral("  %1%2\n").arg(c->name(), -16).arg(c->summary());
    t += QStringLiteral(
        "\nGlobal options:\n"
        "  --service URL    Service base URL (default: the signed-in account's, else https://localhost:8443)\n"
        "  --ca-file FILE   Extra CA certificate (PEM) to trust for the service (TLS is always verified)\n"
        "  --account E      Account to act as (email or id); default: the default account (`heyo accounts`)\n"
        "  --no-store       Keep the session in memory for this process only: no keychain, no files. With it,\n"
        "                   any command signs in first from --email/--password-stdin or --api-key-stdin.\n"
        "  --verbose        Log what happens on stderr (tokens and keys masked)\n"
        "  -h, --help       This help; `heyo <command> --help` for a command's options\n"
        "  --version        Print the version\n"
        "\nSecrets (token, API key) are kept in the OS keychain (Secret Service); without a keychain, sign-in fails\n"
        "with a clear message unless --no-store is given. Nothing secret is written to files.\n"
        "\nExit codes:\n"
        "  0  success\n"
        "  1  failure (the service refused, the network, TLS or the keychain failed)\n"
        "  2  usage error\n"
        "  3  not signed in, or the session expired: run `heyo login`\n");
    return t;
}

QString Cli::commandHelp(const Command &command, const QCommandLineParser &parser)
{
    // Qt's usage line names the binary by its full path; ours names the command. The rest (description, options)
    // is Qt's. No positional argument is declared, so Qt adds no "Arguments:" section that would list only the
    // command's own name.
    QString usage = QStringLiteral("Usage: heyo %1 [options]").arg(command.name());
    if (!command.arguments().isEmpty())
        usage += QLatin1Char(' ') + command.arguments();
    const QString text = parser.helpText();
    return usage + text.mid(text.indexOf(QLatin1Char('\n')));
}

QString Cli::serviceOptionProblem(const QString &service)
{
    // The service speaks TLS only: "localhost:8443" (read as http:// by URL guessing) or http://… would reach its
    // port in plain HTTP, and the answer would be a bare "Connection closed". Say what to type instead.
    if (service.isEmpty())
        return {};
    const qsizetype sep = service.indexOf(QLatin1String("://"));
    if (sep > 0 && service.left(sep).compare(QLatin1String("https"), Qt::CaseInsensitive) == 0)
        return {};
    const QString rest = sep > 0 ? service.mid(sep + 3) : service;
    return QStringLiteral("--service %1: the service speaks HTTPS only, so its URL must start with https://; "
                          "use --service https://%2")
        .arg(service, rest);
}

int Cli::start(const QStringList &arguments)
{
    QStringList args = arguments.mid(1);
    // The command is the first argument that is neither an option nor an option's value.
    QString commandName;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (a == QLatin1String("--"))
            break;
        if (a.startsWith(QLatin1Char('-'))) {
            if (kValueOptions.contains(a))
                ++i;
            continue;
        }
        commandName = a;
        break;
    }
    if (commandName.isEmpty()) {
        if (args.contains(QLatin1String("--version"))) {
            Terminal::out(QStringLiteral("heyo %1\n").arg(QStringLiteral(HEYO_VERSION)));
            return ExitOk;
        }
        if (args.contains(QLatin1String("--help")) || args.contains(QLatin1String("-h"))) {
            Terminal::out(helpText());
            return ExitOk;
        }
        Terminal::err(helpText());
        return ExitUsage;
    }
    if (commandName == QLatin1String("help")) {
        Terminal::out(helpText());
        return ExitOk;
    }
    Command *command = find(commandName);
    if (!command) {
        Terminal::err(QStringLiteral("heyo: unknown command '%1' (see `heyo --help`)\n").arg(commandName));
        return ExitUsage;
    }

    m_parser = std::make_unique<QCommandLineParser>(); // outlives this call: commands run asynchronously
    QCommandLineParser &parser = *m_parser;
    parser.setApplicationDescription(command->summary());
    addGlobalOptions(parser);
    // --no-store sign-in options; `login` declares the same names itself.
    if (command->name() != QLatin1String("login")) {
        parser.addOption(
            {QStringLiteral("email"), QStringLiteral("With --no-store: sign in as E first."), QStringLiteral("E")});
        parser.addOption({QStringLiteral("password-stdin"), QStringLiteral("With --no-store: password from stdin.")});
        parser.addOption({QStringLiteral("api-key-stdin"), QStringLiteral("With --no-store: API key from stdin.")});
    }
    command->addOptions(parser);
    if (!parser.parse(arguments)) {
        Terminal::err(QStringLiteral("heyo %1: %2 (see `heyo %1 --help`)\n").arg(command->name(), parser.errorText()));
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        Terminal::out(commandHelp(*command, parser));
        return ExitOk;
    }
    GlobalOptions g;
    g.service = parser.value(QStringLiteral("service"));
    g.caFile = parser.value(QStringLiteral("ca-file"));
    g.account = parser.value(QStringLiteral("account"));
    g.noStore = parser.isSet(QStringLiteral("no-store"));
    g.verbose = parser.isSet(QStringLiteral("verbose"));
    if (const QString problem = serviceOptionProblem(g.service); !problem.isEmpty()) {
        Terminal::err(QStringLiteral("heyo: %1\n").arg(problem));
        return ExitUsage;
    }
    if (!g.verbose)
        QLoggingCategory::setFilterRules(QStringLiteral("heyo.*.info=false\nheyo.*.debug=false"));
    else
        QLoggingCategory::setFilterRules(QStringLiteral("heyo.*.debug=true"));

    QStringList positional = parser.positionalArguments();
    positional.removeFirst(); // the command name

    m_context = std::make_unique<CliContext>(g);
    CliContext &ctx = *m_context;
    const bool memorySignIn = g.noStore && command->needsSession() &&
                              (parser.isSet(QStringLiteral("api-key-stdin")) || parser.isSet(QStringLiteral("email")));
    if (!memorySignIn) {
        command->run(ctx, parser, positional);
        return -1;
    }
    // --no-store: sign in into memory first, then run the command against that session.
    if (const QString problem = ctx.serviceForSignIn().validate(); !problem.isEmpty()) {
        Terminal::err(QStringLiteral("heyo: %1\n").arg(problem));
        return ExitUsage;
    }
    const auto then = [&ctx, command, &parser, positional](const auth::SessionManager::SignInReply &r) {
        if (!r.ok())
            return ctx.failWith(r);
        command->run(ctx, parser, positional);
    };
    if (parser.isSet(QStringLiteral("api-key-stdin"))) {
        ctx.sessions().signInWithApiKey(ctx.serviceForSignIn(), Terminal::readStdinSecret(), false, then);
    } else if (parser.isSet(QStringLiteral("password-stdin"))) {
        ctx.sessions().signInWithPassword(ctx.serviceForSignIn(), parser.value(QStringLiteral("email")),
                                          QString::fromUtf8(Terminal::readStdinSecret()), then);
    } else {
        const auto pw =
            Terminal::readSecret(QStringLiteral("Password for %1: ").arg(parser.value(QStringLiteral("email"))));
        if (!pw) {
            Terminal::err(QStringLiteral("heyo: no terminal to ask for the password: use --password-stdin\n"));
            return ExitUsage;
        }
        ctx.sessions().signInWithPassword(ctx.serviceForSignIn(), parser.value(QStringLiteral("email")),
                                          QString::fromUtf8(*pw), then);
    }
    return -1;
}

} // namespace heyo::cli
