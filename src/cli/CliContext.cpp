// Shared command-line state and the session-error → exit-code mapping.
#include "cli/CliContext.h"

#include "console/Terminal.h"

#include "core/auth/KeychainSecretStore.h"
#include "core/auth/MemorySecretStore.h"

#include <QCoreApplication>

namespace heyo::cli {

CliContext::CliContext(const GlobalOptions &options) : m_options(options)
{
    if (options.noStore) {
        // Nothing reaches disk: secrets in memory, no account list file.
        m_secrets = std::make_unique<auth::MemorySecretStore>();
    } else {
        m_settings = auth::SessionManager::openDefaultSettings();
        m_secrets = std::make_unique<auth::KeychainSecretStore>();
    }
    m_sessions = std::make_unique<auth::SessionManager>(m_secrets.get(), &m_nam, m_settings.get());
}

CliContext::~CliContext()
{
    m_sessions.reset(); // before the store and settings it points to
}

api::ServiceSettings CliContext::serviceForSignIn() const
{
    api::ServiceSettings s;
    if (!m_options.service.isEmpty()) {
        s.baseUrl = QUrl::fromUserInput(m_options.service);
    } else if (const auto session = m_sessions->session(m_sessions->defaultAccountId())) {
        s = session->service; // same service as the account already signed in, with its CA
    }
    if (!m_options.caFile.isEmpty())
        s.caFile = m_options.caFile;
    return s;
}

QString CliContext::requireAccount()
{
    QString id;
    if (!m_options.account.isEmpty()) {
        id = m_sessions->findAccount(m_options.account);
        if (id.isEmpty())
            fail(ExitNotSignedIn, QStringLiteral("not signed in as %1: run `heyo login`").arg(m_options.account));
        return id;
    }
    id = m_sessions->defaultAccountId();
    if (id.isEmpty())
        fail(ExitNotSignedIn, QStringLiteral("not signed in: run `heyo login`"));
    return id;
}

QStringList CliContext::requireAccounts()
{
    if (!m_options.account.isEmpty()) {
        const QString id = requireAccount();
        return id.isEmpty() ? QStringList() : QStringList{id};
    }
    const QStringList ids = m_sessions->accountIds();
    if (ids.isEmpty())
        fail(ExitNotSignedIn, QStringLiteral("not signed in: run `heyo login`"));
    return ids;
}

void CliContext::authorized(const QString &accountId, ApiCall call)
{
    api::AuthorizedCall::run(
        m_sessions.get(), accountId, std::move(call),
        [this](const auth::SessionManager::TokenReply &t) { failWith(t); },
        [this](const api::ApiError &e) {
            if (e.isUnauthorized()) // refused again with a fresh token
                return fail(
                    ExitNotSignedIn,
                    QStringLiteral("the service no longer accepts the session: %1; run `heyo login`").arg(e.message));
            fail(ExitFailure, e.message);
        });
}

int CliContext::exitCodeFor(auth::SessionManager::Error error)
{
    using E = auth::SessionManager::Error;
    switch (error) {
    case E::None:
        return ExitOk;
    case E::NotSignedIn:
    case E::Expired:
        return ExitNotSignedIn;
    case E::Keychain:
    case E::Service:
    case E::Network:
        return ExitFailure;
    }
    return ExitFailure;
}

void CliContext::failWith(const auth::SessionManager::Outcome &outcome)
{
    fail(exitCodeFor(outcome.error), outcome.message);
}

void CliContext::fail(int code, const QString &message)
{
    if (m_finished)
        return;
    QString line = message.simplified();
    Terminal::err(QStringLiteral("heyo: %1\n").arg(line));
    finish(code);
}

void CliContext::finish(int code)
{
    if (m_finished)
        return;
    m_finished = true;
    QMetaObject::invokeMethod(
        QCoreApplication::instance(), [code] { QCoreApplication::exit(code); }, Qt::QueuedConnection);
}

} // namespace heyo::cli
