// Wiring of the tray app and the actions behind its menu and windows.
#include "AppController.h"

#include "Autostart.h"
#include "ClipboardGuard.h"
#include "CopyTokenAction.h"
#include "EndpointModel.h"
#include "EndpointsWindow.h"
#include "Notifier.h"
#include "SettingsDialog.h"
#include "SignInDialog.h"
#include "SingleInstance.h"
#include "Translations.h"
#include "TrayController.h"
#include "UiLogging.h"
#include "WebEnginePlugin.h"
#include "browser/EndpointBrowserBackend.h"

#include "core/Redact.h"
#include "core/api/EndpointDirectory.h"
#include "core/auth/SecretStore.h"
#include "core/auth/SessionManager.h"
#include "core/forward/AccountTokens.h"
#include "core/forward/AllowedOrigins.h"
#include "core/forward/Forwarder.h"
#include "core/forward/PortAssignments.h"
#include "core/forward/PortOwner.h"

#include <QApplication>
#include <QDesktopServices>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QTimer>

namespace heyo::ui {

using api::EndpointDirectory;

namespace {
// What a window banner is about, so it goes when that ends (EndpointsWindow::showBanner).
QString accountCause(const QString &accountId)
{
    return QStringLiteral("account:") + accountId; // sign in again
}
QString serviceCause(const QString &accountId)
{
    return QStringLiteral("service:") + accountId; // the account's service could not be reached
}
} // namespace

AppController::AppController(const Options &options, QObject *parent) : QObject(parent), m_options(options)
{
    Q_ASSERT(options.settings && options.secrets);
    Translations::install(); // main() did it already; here for every other owner (tests)
    m_appSettings = AppSettings::load(*options.settings);
    if (!options.service.isEmpty() || !options.caFile.isEmpty()) {
        if (!options.service.isEmpty())
            m_appSettings.service.baseUrl = options.service;
        if (!options.caFile.isEmpty())
            m_appSettings.service.caFile = options.caFile;
        QString ignored;
        m_appSettings.save(*options.settings, &ignored); // the demo's service stays the default next time
    }
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_sessions = std::make_unique<auth::SessionManager>(options.secrets, m_nam.get(), options.settings);
    m_ports = std::make_unique<forward::PortAssignments>(options.settings);
    m_origins = std::make_unique<forward::AllowedOrigins>(options.settings);
    m_tokens = std::make_unique<forward::AccountTokens>(m_sessions.get());

    // Each endpoint trusts its own account's service CA (ForwardSpec::caFile); the configured one is the default.
    forward::Forwarder::Options fo;
    fo.extraCaFile = m_appSettings.service.caFile;
    m_forwarder = std::make_unique<forward::Forwarder>(m_tokens.get(), fo);

    m_model = new EndpointModel(this);
    m_model->watch(m_forwarder.get(), options.statsMs);
    m_directory = new EndpointDirectory(m_sessions.get(), this);
    m_directory->followSessions();
    m_directory->setIntervalMs(options.refreshMs);
    m_notifier = new Notifier(this);
    m_clipboard = new ClipboardGuard(this);
    m_clipboard->setClearAfterMs(options.clipboardClearMs);
    m_copyToken = new CopyTokenAction(m_sessions.get(), m_clipboard, this);
    m_openUrl = [](const QUrl &url) { return QDesktopServices::openUrl(url); };
    m_tray = new TrayController(m_sessions.get(), m_model, options.useTray, this);
    m_notifier->setTrayIcon(m_tray->trayIcon());
    wire();
}

AppController::~AppController()
{
    for (const QPointer<QWidget> &w : std::as_const(m_browserWindows))
        delete w.data();
    delete m_window;
    delete m_signIn;
    delete m_settingsDialog;
    if (m_forwarder)
        m_forwarder->stopAll(std::chrono::milliseconds(500));
    delete m_tray; // before the model and sessions it watches
    m_tray = nullptr;
    m_forwarder.reset();
    m_tokens.reset();
    m_sessions.reset();
}

void AppController::wire()
{
    TrayController *t = m_tray;
    connect(t, &TrayController::openRequested, this, &AppController::openInBrowser);
    connect(t, &TrayController::copyUrlRequested, this, &AppController::copyLocalUrl);
    connect(t, &TrayController::copyCurlRequested, this, &AppController::copyCurlCommand);
    connect(t, &TrayController::toggleForwardingRequested, this, &AppController::toggleForwarding);
    connect(t, &TrayController::copyTokenRequested, this, &AppController::copyToken);
    connect(t, &TrayController::signInRequested, this, [this] { showSignIn(); });
    connect(t, &TrayController::signOutRequested, this, &AppController::signOut);
    connect(t, &TrayController::settingsRequested, this, [this] { showSettings(); });
    connect(t, &TrayController::showEndpointsRequested, this, &AppController::showEndpoints);
    connect(t, &TrayController::quitRequested, this, &AppController::quit);
    connect(t, &TrayController::toolTipChanged, this, &AppController::updateWindowTexts); // the status bar's words

    connect(m_directory, &EndpointDirectory::endpointsChanged, this,
            [this](const QString &id, const QString &email, const api::EndpointList &list) {
                m_model->setEndpoints(id, email, list);
                endpointsArrived(id);
            });
    connect(m_directory, &EndpointDirectory::accountRemoved, m_model, &EndpointModel::removeAccount);
    connect(m_directory, &EndpointDirectory::refreshed, this, [this](const QString &id) {
        if (m_unreachable.remove(id))
            updateAttention();
        if (m_window)
            m_window->clearBanner(serviceCause(id));
    });
    connect(m_directory, &EndpointDirectory::refreshFailed, this, [this](const QString &id, const api::ApiError &e) {
        qCInfo(lcUi) << "endpoint list of" << id << "failed:" << e.message;
        if (e.kind != api::ApiError::Network && e.kind != api::ApiError::Tls)
            return;
        if (m_unreachable.contains(id))
            return; // said once; said again only after it worked in between
        m_unreachable.insert(id);
        updateAttention();
        m_notifier->notify(Notifier::Kind::ServiceUnreachable, tr("Service unreachable"),
                           SignInDialog::plainWords(e.message));
        notifyWindow(SignInDialog::plainWords(e.message), false, serviceCause(id));
    });

    auth::SessionManager *s = m_sessions.get();
    connect(s, &auth::SessionManager::sessionExpired, this, [this](const QString &id, const QString &message) {
        m_expired.insert(id);
        updateAttention();
        const auto session = m_sessions->session(id);
        const QString email = session ? session->account.email : QString();
        m_notifier->notify(Notifier::Kind::SessionExpired, tr("Session expired"),
                           SignInDialog::plainWords(message) + QLatin1Char(' ') + tr("Click to sign in again."),
                           [this, email] { showSignIn(email); });
        notifyWindow(SignInDialog::plainWords(message), true, accountCause(id));
    });
    connect(s, &auth::SessionManager::sessionChanged, this, [this](const QString &id) {
        const auto session = m_sessions->session(id);
        if (!session || session->state(QDateTime::currentSecsSinceEpoch()) == auth::Session::State::Expired)
            return;
        if (m_expired.remove(id))
            updateAttention();
        if (m_window)
            m_window->clearBanner(accountCause(id)); // signed in again: "sign in" is no longer asked for
    });
    connect(s, &auth::SessionManager::signedOut, this, [this](const QString &id) {
        // Every state of the account ends here: its forwarders (and with them their errors), its banners.
        m_forwarder->stopAccount(id);
        m_expired.remove(id);
        m_unreachable.remove(id);
        updateAttention();
        if (m_window) {
            m_window->clearBanner(accountCause(id));
            m_window->clearBanner(serviceCause(id));
        }
    });
    connect(s, &auth::SessionManager::accountsChanged, this, &AppController::updateWindowTexts);

    forward::Forwarder *f = m_forwarder.get();
    // The forwarder's errors are the model's to show (its rows, problems()) while they last; here they are told.
    connect(f, &forward::Forwarder::wrongAccount, this, [this](const QString &slug) {
        m_notifier->notify(Notifier::Kind::WrongAccount, tr("Wrong account for %1").arg(slug),
                           tr("%1 belongs to another account than the one it is forwarded with. Click to sign in "
                              "with the account that owns it.")
                               .arg(slug),
                           [this] { showSignIn(); });
        notifyWindow(tr("%1 belongs to another account: sign in with the account that owns it.").arg(slug), true,
                     EndpointsWindow::endpointCause(slug));
    });
    connect(f, &forward::Forwarder::signInNeeded, this, [this](const QString &accountId, const QString &message) {
        const auto session = m_sessions->session(accountId);
        const QString email = session ? session->account.email : QString();
        m_notifier->notify(Notifier::Kind::SignInNeeded, tr("Sign-in needed"),
                           SignInDialog::plainWords(message) + QLatin1Char(' ') + tr("Click to sign in."),
                           [this, email] { showSignIn(email); });
        notifyWindow(SignInDialog::plainWords(message), true, accountCause(accountId));
    });
    connect(f, &forward::Forwarder::upstreamError, this, [this](const QString &slug, const QString &message) {
        m_notifier->notify(Notifier::Kind::ServiceUnreachable, tr("%1 cannot be reached").arg(slug),
                           SignInDialog::plainWords(message));
        notifyWindow(SignInDialog::plainWords(message), false, EndpointsWindow::endpointCause(slug));
    });
    connect(m_model, &EndpointModel::contentsChanged, this, [this] {
        processPending();
        updateWindowTexts();
    });
    connect(m_copyToken, &CopyTokenAction::copied, this, [this](const QString &, const QString &masked) {
        m_notifier->notify(Notifier::Kind::Info, tr("Token copied"),
                           tr("%1 is on the clipboard; it is cleared in %n second(s).", nullptr,
                              (m_clipboard->clearAfterMs() + 999) / 1000)
                               .arg(masked));
    });
    connect(m_copyToken, &CopyTokenAction::failed, this, [this](const QString &, const QString &message) {
        m_notifier->notify(Notifier::Kind::SignInNeeded, tr("No token to copy"), SignInDialog::plainWords(message),
                           [this] { showSignIn(); });
    });
    connect(m_notifier, &Notifier::notified, this, [this](Notifier::Kind kind, const QString &, const QString &text) {
        // Without a tray the window is the only place a message can appear.
        if (!m_tray->trayIcon() && kind != Notifier::Kind::Info)
            notifyWindow(text, kind == Notifier::Kind::SessionExpired || kind == Notifier::Kind::SignInNeeded ||
                                   kind == Notifier::Kind::WrongAccount);
    });
}

void AppController::start()
{
    checkKeychain();
    m_directory->start();
    if (m_appSettings.routerEnabled) {
        QString error;
        if (!m_forwarder->startRouter(m_ports->routerPort(), &error))
            reportForwardError(QString(), error, m_ports->routerPort());
    }
    if (!m_tray->trayIcon())
        showEndpoints();
    updateWindowTexts();
}

void AppController::checkKeychain()
{
    // A read of an entry that does not exist: "not found" means the keychain works. Anything else is a state the
    // user must see; there is no plain-text fallback.
    QPointer<AppController> self(this);
    m_options.secrets->read(
        auth::SecretStore::keyFor(QStringLiteral("heyo-access"), QStringLiteral("probe")),
        [self](const auth::SecretResult &r) {
            if (!self)
                return;
            self->m_keychainChecked = true;
            if (r.status == auth::SecretStatus::Ok || r.status == auth::SecretStatus::NotFound)
                return;
            self->m_keychainProblem = tr("The system keychain is not available (%1), so Heyo Access cannot keep your "
                                         "sign-in. Start or unlock the keyring (GNOME Keyring, KWallet) and sign in "
                                         "again.")
                                          .arg(r.message);
            self->updateAttention();
            self->m_notifier->notify(Notifier::Kind::Keychain, tr("Keychain unavailable"), self->m_keychainProblem);
            if (self->m_signIn)
                self->m_signIn->setKeychainProblem(self->m_keychainProblem);
        });
}

void AppController::updateAttention()
{
    QString reason;
    if (!m_keychainProblem.isEmpty())
        reason = tr("the keychain is not available");
    else if (!m_expired.isEmpty())
        reason = tr("a session has expired, sign in again");
    else if (!m_unreachable.isEmpty())
        reason = tr("the service cannot be reached");
    m_tray->setAttention(reason);
    updateWindowTexts();
}

void AppController::updateWindowTexts()
{
    if (!m_window)
        return;
    const QStringList ids = m_sessions->accountIds();
    QString who;
    if (ids.size() == 1) {
        const auto s = m_sessions->session(ids.first());
        who = tr("Signed in as %1").arg(s ? s->account.email : ids.first());
    } else if (ids.size() > 1) {
        who = tr("%n account(s) signed in", nullptr, int(ids.size()));
    }
    m_window->setSignedInText(who, int(ids.size()));
    m_window->setStateText(m_tray->toolTip());
}

void AppController::notifyWindow(const QString &text, bool offerSignIn, const QString &cause)
{
    if (!m_window && m_tray->trayIcon())
        return; // the tray message is enough; the window shows it when it exists
    window()->showBanner(text, offerSignIn ? tr("Sign in…") : QString(), cause);
}

EndpointsWindow *AppController::window()
{
    if (m_window)
        return m_window;
    m_window = new EndpointsWindow(m_model);
    m_window->setAttribute(Qt::WA_DeleteOnClose, false);
    EndpointsWindow *w = m_window;
    connect(w, &EndpointsWindow::openRequested, this, &AppController::openInBrowser);
    connect(w, &EndpointsWindow::copyUrlRequested, this, &AppController::copyLocalUrl);
    connect(w, &EndpointsWindow::copyCurlRequested, this, &AppController::copyCurlCommand);
    connect(w, &EndpointsWindow::toggleForwardingRequested, this, &AppController::toggleForwarding);
    connect(w, &EndpointsWindow::signInRequested, this, [this] { showSignIn(); });
    connect(w, &EndpointsWindow::settingsRequested, this, [this] { showSettings(); });
    connect(w, &EndpointsWindow::bannerActionTriggered, this, [this] {
        m_window->hideBanner();
        showSignIn();
    });
    updateWindowTexts();
    if (!m_keychainProblem.isEmpty())
        w->showBanner(m_keychainProblem);
    return w;
}

void AppController::showEndpoints()
{
    EndpointsWindow *w = window();
    w->show();
    w->raise();
    w->activateWindow();
}

void AppController::endpointsArrived(const QString &accountId)
{
    // Forward at start: once per slug and run, when its account's list first names it.
    for (const QString &slug : m_appSettings.forwardAtStart) {
        const auto *row = m_model->endpoint(slug);
        if (!row || row->accountId != accountId || m_startedAtStart.contains(slug) || m_forwarder->isForwarding(slug))
            continue;
        m_startedAtStart.insert(slug);
        QString error;
        startForwarding(slug, &error);
    }
    processPending();
}

void AppController::processPending()
{
    // Requests made before the endpoint list named their endpoint (`--forward`, `--open` at start).
    for (const QString &slug : takeListed(m_pendingForward)) {
        QString error;
        answerWaiters(slug, startForwarding(slug, &error) ? QString() : error);
    }
    for (const QString &slug : takeListed(m_pendingOpen))
        openInBrowser(slug);
}

void AppController::awaitListing(const QString &slug, const RequestDone &done)
{
    const QStringList accounts = m_sessions->accountIds();
    if (accounts.isEmpty())
        return done(tr("not signed in: sign in to Heyo Access; %1 is forwarded once it is listed").arg(slug));
    m_forwardWaiters[slug].append(done);
    // "Not an endpoint" only from lists asked for after this request: the model may still be filling, or lag
    // behind a sign-in, at the moment it comes. Lists that name the slug have started it (processPending) by the
    // time this runs, because the directory updates the model before it answers.
    m_directory->list(accounts, [this, slug](const EndpointDirectory::Listing &listing) {
        if (!m_forwardWaiters.contains(slug) || m_model->endpoint(slug))
            return;
        if (!listing.errors.isEmpty())
            return answerWaiters(slug,
                                 tr("%1 cannot be looked up: %2").arg(slug, listing.errors.join(QStringLiteral("; "))));
        answerWaiters(slug, tr("%1 is not an endpoint of a signed-in account").arg(slug));
    });
    // A list that does not come (service unreachable) must not keep the launch waiting past its own patience.
    QTimer::singleShot(SingleInstance::kAnswerTimeoutMs * 2 / 3, this, [this, slug] {
        answerWaiters(slug, tr("%1 is not listed yet (the endpoint lists are still loading); it is forwarded once it "
                               "is")
                                .arg(slug));
    });
}

void AppController::answerWaiters(const QString &slug, const QString &error)
{
    for (const RequestDone &done : m_forwardWaiters.take(slug))
        done(error);
}

QStringList AppController::takeListed(QStringList &pending) const
{
    QStringList listed;
    for (const QString &slug : std::as_const(pending))
        if (m_model->endpoint(slug))
            listed << slug;
    for (const QString &slug : std::as_const(listed))
        pending.removeAll(slug);
    return listed;
}

void AppController::reportForwardError(const QString &slug, const QString &error, quint16 port)
{
    if (!slug.isEmpty())
        m_model->setForwardError(slug, error); // on its row, and in the tray, until it starts or is given up
    const bool busy = port && !forward::PortAssignments::isFree(port);
    m_notifier->notify(busy ? Notifier::Kind::PortInUse : Notifier::Kind::Info,
                       busy ? tr("Port %1 is in use").arg(port) : tr("Cannot forward %1").arg(slug),
                       SignInDialog::plainWords(error) +
                           (busy ? QLatin1Char(' ') + tr("Choose another port in Settings.") : QString()),
                       [this] { showSettings(); });
    if (m_window)
        m_window->showBanner(SignInDialog::plainWords(error), {}, EndpointsWindow::endpointCause(slug));
}

bool AppController::startForwarding(const QString &slug, QString *errorOut)
{
    QString error;
    if (m_forwarder->isForwarding(slug))
        return true;
    const EndpointModel::Row *row = m_model->endpoint(slug);
    if (!row) {
        error = tr("%1 is not an endpoint of a signed-in account").arg(slug);
    } else {
        const quint16 port = m_ports->assign(slug);
        if (!port) {
            error = tr("no free local port is left for %1").arg(slug);
        } else {
            forward::ForwardSpec spec;
            spec.slug = slug;
            spec.accountId = row->accountId;
            spec.endpointUrl = row->info.url;
            spec.port = port;
            spec.allowedOrigins = m_origins->of(row->accountId, slug);
            spec.accountName = row->accountEmail; // named in the forwarder's "signed out of …" answers
            if (const auto session = m_sessions->session(row->accountId))
                spec.caFile = session->service.caFile;
            // Load the token now, so the first request through the port does not wait for the keychain.
            m_tokens->fetch(row->accountId, {}, [](const std::string &, const QString &) {});
            if (m_forwarder->forward(spec, &error)) {
                m_model->setForwardError(slug, {});
                return true;
            }
            reportForwardError(slug, error, port);
            if (errorOut)
                *errorOut = error;
            return false;
        }
    }
    reportForwardError(slug, error, 0);
    if (errorOut)
        *errorOut = error;
    return false;
}

void AppController::stopForwarding(const QString &slug)
{
    m_forwarder->stop(slug);
    m_model->setForwardError(slug, {}); // given up: whatever stopped it from starting no longer matters
}

void AppController::toggleForwarding(const QString &slug)
{
    if (slug.isEmpty())
        return;
    if (m_forwarder->isForwarding(slug))
        stopForwarding(slug);
    else
        startForwarding(slug);
}

bool AppController::ensureForwarded(const QString &slug, QUrl *url)
{
    if (!startForwarding(slug))
        return false;
    *url = EndpointModel::localUrl(slug, m_forwarder->portOf(slug));
    return true;
}

void AppController::openInBrowser(const QString &slug)
{
    if (slug.isEmpty())
        return;
    if (!m_model->endpoint(slug)) {
        // `--open SLUG` at start: the list is not there yet.
        if (!m_pendingOpen.contains(slug))
            m_pendingOpen << slug;
        return;
    }
    QUrl url;
    if (!ensureForwarded(slug, &url))
        return;
    qCInfo(lcUi) << "opening" << url.toString();
    if (m_appSettings.builtInBrowser && openInBuiltInBrowser(slug, url)) {
        emit urlOpened(url);
        return;
    }
    if (!m_openUrl(url))
        m_notifier->notify(Notifier::Kind::Info, tr("No browser"),
                           tr("No browser could be started. The endpoint is at %1").arg(url.toString()));
    emit urlOpened(url);
}

bool AppController::openInBuiltInBrowser(const QString &slug, const QUrl &url)
{
    if (QWidget *w = m_browserWindows.value(slug)) {
        w->show();
        w->raise();
        w->activateWindow();
        return true;
    }
    EndpointBrowserBackend *browser = WebEnginePlugin::endpointBrowser();
    if (!browser) {
        m_notifier->notify(Notifier::Kind::Info, tr("No built-in browser"),
                           tr("The built-in browser window is not available (%1); opening the system browser.")
                               .arg(WebEnginePlugin::error()));
        return false;
    }
    QPointer<AppController> self(this);
    QWidget *w = browser->createWindow(
        slug, url,
        [self](const QUrl &external) {
            if (self && !self->m_openUrl(external))
                self->m_notifier->notify(Notifier::Kind::Info, tr("No browser"),
                                         tr("No browser could be started for %1").arg(external.toString()));
        },
        nullptr);
    w->setAttribute(Qt::WA_DeleteOnClose);
    m_browserWindows.insert(slug, w);
    w->show();
    return true;
}

QString AppController::curlCommand(const QUrl &localUrl)
{
    return QStringLiteral("curl %1").arg(localUrl.toString());
}

void AppController::copyLocalUrl(const QString &slug)
{
    QUrl url;
    if (!slug.isEmpty() && ensureForwarded(slug, &url))
        m_clipboard->copyText(url.toString());
}

void AppController::copyCurlCommand(const QString &slug)
{
    QUrl url;
    if (!slug.isEmpty() && ensureForwarded(slug, &url))
        m_clipboard->copyText(curlCommand(url));
}

void AppController::copyToken(const QString &accountId)
{
    m_copyToken->run(accountId, m_window && m_window->isVisible() ? m_window.data() : nullptr);
}

SignInDialog *AppController::showSignIn(const QString &email)
{
    if (!m_signIn) {
        m_signIn = new SignInDialog(m_sessions.get(), m_appSettings.service);
        m_signIn->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_signIn, &SignInDialog::signedIn, this, [this](const api::AccountInfo &account) {
            const api::ServiceSettings used = m_signIn ? m_signIn->service() : m_appSettings.service;
            if (used != m_appSettings.service) {
                m_appSettings.service = used;
                QString ignored;
                m_appSettings.save(*m_options.settings, &ignored);
            }
            m_expired.remove(account.id);
            updateAttention();
            if (m_window)
                m_window->clearBanner(accountCause(account.id));
            m_directory->refresh(account.id);
            m_notifier->notify(Notifier::Kind::Info, tr("Signed in"), tr("Signed in as %1.").arg(account.email));
        });
    }
    m_signIn->setKeychainProblem(m_keychainProblem);
    if (!email.isEmpty())
        m_signIn->emailEdit()->setText(email);
    m_signIn->show();
    m_signIn->raise();
    m_signIn->activateWindow();
    return m_signIn;
}

SettingsDialog *AppController::showSettings()
{
    if (!m_settingsDialog) {
        m_settingsDialog =
            new SettingsDialog(m_appSettings, m_ports.get(), m_origins.get(), m_model,
                               [this](const AppSettings &s, QString *error) { return applySettings(s, error); });
        m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_settingsDialog->show();
    m_settingsDialog->raise();
    m_settingsDialog->activateWindow();
    return m_settingsDialog;
}

bool AppController::applySettings(const AppSettings &s, QString *error)
{
    if (s.startAtLogin != Autostart::isEnabled()) {
        const QString program =
            m_options.program.isEmpty() ? QCoreApplication::applicationFilePath() : m_options.program;
        if (s.startAtLogin ? !Autostart::enable(program, error) : !Autostart::disable(error))
            return false;
    }
    const bool routerWas = m_appSettings.routerEnabled;
    const quint16 routerPort = m_forwarder->routerPort();
    m_appSettings = s;
    if (!s.save(*m_options.settings, error))
        return false;
    // Allowed origins (the dialog recorded them) apply to running forwards at once, without a restart.
    for (const QString &slug : m_forwarder->forwardedSlugs())
        if (const EndpointModel::Row *row = m_model->endpoint(slug))
            m_forwarder->setAllowedOrigins(slug, m_origins->of(row->accountId, slug));
    // The router follows at once; endpoint ports apply the next time an endpoint starts forwarding.
    if (routerWas && (!s.routerEnabled || routerPort != m_ports->routerPort())) {
        // Forwarder has no "stop router" of its own: restart the forwarding set without it.
        const QStringList slugs = m_forwarder->forwardedSlugs();
        m_forwarder->stopAll(std::chrono::seconds(1));
        for (const QString &slug : slugs)
            startForwarding(slug);
    }
    if (s.routerEnabled && !m_forwarder->routerPort()) {
        QString routerError;
        if (!m_forwarder->startRouter(m_ports->routerPort(), &routerError)) {
            if (error)
                *error = routerError;
            return false;
        }
    }
    return true;
}

void AppController::signOut(const QString &accountId)
{
    if (accountId.isEmpty())
        return;
    m_forwarder->stopAccount(accountId); // at once; signedOut repeats it when the keychain is done
    QPointer<AppController> self(this);
    m_sessions->signOut(accountId, [self](const auth::SessionManager::Outcome &o) {
        if (self && !o.ok())
            self->m_notifier->notify(Notifier::Kind::Keychain, tr("Sign-out incomplete"),
                                     SignInDialog::plainWords(o.message));
    });
}

void AppController::handleRequest(const QStringList &request, RequestDone done)
{
    // Pairs of "--open SLUG" and "--forward SLUG[:PORT]"; anything else (or nothing) shows the window.
    // `done` runs when the last forward is settled (the request itself holds one count until the loop ends).
    struct Settle {
        RequestDone done;
        QStringList errors;
        int remaining = 1;
        void one(const QString &error)
        {
            if (!error.isEmpty())
                errors << error;
            if (--remaining == 0 && done)
                done(errors.join(QStringLiteral("; ")));
        }
    };
    const auto settle = std::make_shared<Settle>();
    settle->done = std::move(done);
    bool handled = false;
    for (qsizetype i = 0; i + 1 < request.size(); i += 2) {
        const QString &verb = request.at(i);
        const QString &arg = request.at(i + 1);
        if (verb == QLatin1String("--open")) {
            openInBrowser(arg);
            handled = true;
        } else if (verb == QLatin1String("--forward")) {
            ++settle->remaining;
            forwardWhenListed(arg, [settle](const QString &error) { settle->one(error); });
            handled = true;
        }
    }
    if (!handled)
        showEndpoints();
    settle->one({});
}

void AppController::forwardWhenListed(const QString &spec, const RequestDone &done)
{
    const qsizetype colon = spec.lastIndexOf(QLatin1Char(':'));
    const QString slug = colon < 0 ? spec : spec.left(colon);
    if (slug.isEmpty())
        return done(tr("'%1' names no endpoint").arg(spec));
    if (colon >= 0) {
        bool ok = false;
        const uint port = spec.mid(colon + 1).toUInt(&ok);
        QString error;
        if (!ok || port == 0 || port > 65535)
            error = tr("%1 is not a port number (1-65535)").arg(spec.mid(colon + 1));
        else if (m_forwarder->isForwarding(slug) && m_forwarder->portOf(slug) != port)
            stopForwarding(slug); // it moves to the port asked for
        if (error.isEmpty())
            m_ports->setPort(slug, quint16(port), &error); // refused when another endpoint has that port
        if (!error.isEmpty()) {
            reportForwardError(slug, error, 0);
            return done(error);
        }
    }
    if (m_model->endpoint(slug)) {
        QString error;
        return done(startForwarding(slug, &error) ? QString() : error);
    }
    if (!m_pendingForward.contains(slug)) // the list is not there yet
        m_pendingForward << slug;
    awaitListing(slug, done);
}

void AppController::quit()
{
    if (m_quitting)
        return;
    m_quitting = true;
    m_forwarder->shutdown(std::chrono::seconds(3)); // in-flight requests finish (or get a 503) before we go
    QString error;
    if (!m_appSettings.save(*m_options.settings, &error))
        qCWarning(lcUi) << error;
    QCoreApplication::quit();
}

} // namespace heyo::ui
