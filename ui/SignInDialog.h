// The sign-in dialog: email and password, an API key (optionally kept so the session renews itself), or the browser
// sign-in window. Errors appear inline in plain words taken from the service's answer. Non-blocking: callers show() it
// and listen to signedIn(); tests fill the fields and click the buttons.
#pragma once

#include "core/api/ApiTypes.h"
#include "core/api/ServiceSettings.h"

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabWidget;

namespace heyo::auth {
class SessionManager;
}

namespace heyo::ui {

class BrowserSignIn;

class SignInDialog : public QDialog {
    Q_OBJECT
public:
    enum Method { Password, ApiKey };

    SignInDialog(auth::SessionManager *sessions, const api::ServiceSettings &service, QWidget *parent = nullptr);

    void setMethod(Method m);
    // Shown above the form when the keychain cannot be used (signing in will fail until it can).
    void setKeychainProblem(const QString &message);

    api::ServiceSettings service() const;
    QString errorText() const;
    bool isBusy() const { return m_busy; }

    // Widgets, for tests and accessibility checks.
    QLineEdit *emailEdit() const { return m_email; }
    QLineEdit *passwordEdit() const { return m_password; }
    QLineEdit *apiKeyEdit() const { return m_apiKey; }
    QCheckBox *keepKeyBox() const { return m_keepKey; }
    QLineEdit *serviceEdit() const { return m_serviceUrl; }
    QLineEdit *caFileEdit() const { return m_caFile; }
    QPushButton *signInButton() const { return m_signIn; }
    QPushButton *browserButton() const { return m_browser; }
    BrowserSignIn *browserSignIn() const { return m_browserSignIn; }

    // Plain words from a session outcome: first letter upper case, a full stop, no error codes.
    static QString plainWords(const QString &message);

signals:
    void signedIn(const heyo::api::AccountInfo &account);

private:
    void submit();
    void startBrowser();
    void finishSignIn(bool ok, const QString &message, const api::AccountInfo &account);
    void setBusy(bool busy, const QString &what = {});
    void showError(const QString &text);

    QPointer<auth::SessionManager> m_sessions;
    QTabWidget *m_tabs;
    QLineEdit *m_email;
    QLineEdit *m_password;
    QLineEdit *m_apiKey;
    QCheckBox *m_keepKey;
    QLineEdit *m_serviceUrl;
    QLineEdit *m_caFile;
    QLabel *m_keychain;
    QLabel *m_error;
    QPushButton *m_signIn;
    QPushButton *m_browser;
    QPushButton *m_cancel;
    BrowserSignIn *m_browserSignIn = nullptr;
    bool m_busy = false;
};

} // namespace heyo::ui
