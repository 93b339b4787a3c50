// The tray app's wiring: owns the sessions, the forwarder, the endpoint directory and model, the tray and the windows,
// and carries out what the tray menu and the windows ask for (forward, open, copy, sign in and out, settings).
// Notifications for expired sessions, wrong accounts, busy ports and an unreachable service go out from here.
// app/heyo-access/main.cpp only parses the command line and hands over to this; tests drive it directly.
#pragma once

#include "AppSettings.h"
#include "EndpointsWindow.h"
#include "SettingsDialog.h"
#include "SignInDialog.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;
class QSettings;

namespace heyo::api {
class EndpointDirectory;
}
namespace heyo::auth {
class SecretStore;
class SessionManager;
} // namespace heyo::auth
namespace heyo::forward {
class AccountTokens;
class AllowedOrigins;
class Forwarder;
class PortAssignments;
} // namespace heyo::forward

namespace heyo::ui {

class ClipboardGuard;
class CopyTokenAction;
class EndpointModel;
class Notifier;
class TrayController;

class AppController : public QObject {
    Q_OBJECT
public:
    struct Options {
        QSettings *settings = nullptr;        // required: accounts, app settings, ports
        auth::SecretStore *secrets = nullptr; // required: the keychain (or memory in tests)
        QUrl service;                         // --service: overrides (and saves) the sign-in service
        QString caFile;                       // --ca-file
        bool useTray = true;                  // false: no tray on this desktop → the window opens instead
        int refreshMs = 15000;                // endpoint list refresh (ETag)
        int statsMs = 1000;                   // forwarder counters
        int clipboardClearMs = 30000;
        QString program; // what the autostart entry starts
    };

    explicit AppController(const Options &options, QObject *parent = nullptr);
    ~AppController() override;

    // Keychain check, tray (or window), endpoint refresh, router and forward-at-start.
    void start();

    auth::SessionManager *sessions() const { return m_sessions.get(); }
    forward::Forwarder *forwarder() const { return m_forwarder.get(); }
    forward::PortAssignments *ports() const { return m_ports.get(); }
    forward::AllowedOrigins *origins() const { return m_origins.get(); }
    EndpointModel *model() const { return m_model; }
    api::EndpointDirectory *directory() const { return m_directory; }
    TrayController *tray() const { return m_tray; }
    Notifier *notifier() const { return m_notifier; }
    ClipboardGuard *clipboard() const { return m_clipboard; }
    CopyTokenAction *copyTokenAction() const { return m_copyToken; }
    EndpointsWindow *window(); // created on first use
    EndpointsWindow *existingWindow() const { return m_window; }
    SignInDialog *signInDialog() const { return m_signIn; }
    SettingsDialog *settingsDialog() const { return m_settingsDialog; }
    AppSettings settings() const { return m_appSettings; }
    QString keychainProblem() const { return m_keychainProblem; }
    bool keychainChecked() const { return m_keychainChecked; }

    // Test seam: what "open in the system browser" does (default QDesktopServices::openUrl).
    void setUrlOpener(std::function<bool(const QUrl &)> opener) { m_openUrl = std::move(opener); }

    // Actions (the menu's and the window's).
    bool startForwarding(const QString &slug, QString *error = nullptr);
    void stopForwarding(const QString &slug);
    void toggleForwarding(const QString &slug);
    void openInBrowser(const QString &slug);
    void copyLocalUrl(const QString &slug);
    void copyCurlCommand(const QString &slug);
    void copyToken(const QString &accountId);
    SignInDialog *showSignIn(const QString &email = {});
    SettingsDialog *showSettings();
    void signOut(const QString &accountId);
    void showEndpoints();
    // The command line's or a later launch's request (SingleInstance): [] shows the window; pairs of
    // "--open" SLUG and "--forward" SLUG[:PORT] open or forward endpoints (once listed). `done`, when given, runs
    // once every forward is settled: with an empty string when all of them forward, else why not (a launch that
    // handed the request over exits with it).
    using RequestDone = std::function<void(const QString &error)>;
    void handleRequest(const QStringList &request, RequestDone done = {});
    // The built-in browser window showing slug, or null (tests look at it).
    QWidget *browserWindow(const QString &slug) const { return m_browserWindows.value(slug); }
    bool applySettings(const AppSettings &settings, QString *error);
    // Stops every forwarder (in-flight requests get a grace period), saves settings, quits the event loop.
    void quit();

    static QString curlCommand(const QUrl &localUrl);

signals:
    void urlOpened(const QUrl &url);

private:
    void wire();
    void checkKeychain();
    void updateAttention();
    void updateWindowTexts();
    void endpointsArrived(const QString &accountId);
    void processPending();
    QStringList takeListed(QStringList &pending) const; // removes and returns the slugs the model now has
    void forwardWhenListed(const QString &slugAndPort, const RequestDone &done);
    // `done` for a forward whose endpoint is not listed yet: when lists fetched after the request say it is not
    // there (or cannot be fetched), else when it is listed, else after a time limit.
    void awaitListing(const QString &slug, const RequestDone &done);
    void answerWaiters(const QString &slug, const QString &error);
    // The WebEngine window (plugin) on url; false when the plugin cannot load (the user was told).
    bool openInBuiltInBrowser(const QString &slug, const QUrl &url);
    void reportForwardError(const QString &slug, const QString &error, quint16 port);
    bool ensureForwarded(const QString &slug, QUrl *url);
    void notifyWindow(const QString &text, bool offerSignIn, const QString &cause = {});

    Options m_options;
    AppSettings m_appSettings;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    std::unique_ptr<auth::SessionManager> m_sessions;
    std::unique_ptr<forward::PortAssignments> m_ports;
    std::unique_ptr<forward::AllowedOrigins> m_origins; // each endpoint's allowed browser origins (settings)
    std::unique_ptr<forward::AccountTokens> m_tokens;
    std::unique_ptr<forward::Forwarder> m_forwarder;
    EndpointModel *m_model = nullptr;
    api::EndpointDirectory *m_directory = nullptr;
    TrayController *m_tray = nullptr;
    Notifier *m_notifier = nullptr;
    ClipboardGuard *m_clipboard = nullptr;
    CopyTokenAction *m_copyToken = nullptr;
    QPointer<EndpointsWindow> m_window;
    QPointer<SignInDialog> m_signIn;
    QPointer<SettingsDialog> m_settingsDialog;
    std::function<bool(const QUrl &)> m_openUrl;
    QString m_keychainProblem;
    QSet<QString> m_expired;      // accounts whose session expired
    QSet<QString> m_unreachable;  // accounts whose service could not be reached on the last refresh
    QStringList m_pendingOpen;    // --open before the endpoint list arrived
    QStringList m_pendingForward; // --forward before the endpoint list arrived
    QHash<QString, QList<RequestDone>> m_forwardWaiters; // slug → launches waiting to hear how its forward went
    QMap<QString, QPointer<QWidget>> m_browserWindows;   // built-in browser window per slug
    QSet<QString> m_startedAtStart;                      // forward-at-start done once per slug
    bool m_quitting = false;
    bool m_keychainChecked = false;
};

} // namespace heyo::ui
