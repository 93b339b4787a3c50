// What every command shares: the parsed global options, the session manager and its dependencies, output helpers,
// and the one way to end the program (finish).
#pragma once

#include "cli/ExitCode.h"

#include "core/api/ApiTypes.h"
#include "core/api/AuthorizedCall.h"
#include "core/api/ServiceSettings.h"
#include "core/auth/SessionManager.h"

#include <QNetworkAccessManager>
#include <QSettings>

#include <functional>
#include <memory>

namespace heyo::cli {

struct GlobalOptions {
    QString service; // --service URL (empty: the account's own, or the default)
    QString caFile;  // --ca-file FILE
    QString account; // --account E (id or email)
    bool noStore = false;
    bool verbose = false;
};

class CliContext {
public:
    explicit CliContext(const GlobalOptions &options);
    ~CliContext();

    const GlobalOptions &options() const { return m_options; }
    auth::SessionManager &sessions() { return *m_sessions; }
    QNetworkAccessManager &network() { return m_nam; }
    // The non-secret settings file (accounts, port assignments); null with --no-store.
    QSettings *settings() { return m_settings.get(); }

    // Service for a new sign-in: --service/--ca-file, else the default account's, else https://localhost:8443.
    api::ServiceSettings serviceForSignIn() const;
    // --account or the default account; empty (and an error printed, finish(3) called) when none.
    QString requireAccount();
    // --account alone, else every signed-in account; empty (and finish(3) called) when none.
    QStringList requireAccounts();

    // Runs `call` with the account's token through api::AuthorizedCall (a 401 drops that token and runs `call` once
    // more with a fresh one). Any other failure ends the program with the right code and message.
    using ApiCall = api::AuthorizedCall::Request;
    void authorized(const QString &accountId, ApiCall call);

    void failWith(const auth::SessionManager::Outcome &outcome); // message + exit code for a session error
    void fail(int code, const QString &message);                 // "heyo: message" on stderr, then finish
    void finish(int code);
    static int exitCodeFor(auth::SessionManager::Error error);

private:
    GlobalOptions m_options;
    QNetworkAccessManager m_nam;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<auth::SecretStore> m_secrets;
    std::unique_ptr<auth::SessionManager> m_sessions;
    bool m_finished = false;
};

} // namespace heyo::cli
