// The browser sign-in window: a QWebEngineView in an off-the-record profile showing the service's /login page. It
// watches the profile's cookie store for __heyo_token on the service's domain and hands the token over once.
// Certificate errors are accepted only when the chain verifies against the configured CA file (never blanket).
#pragma once

#include "BrowserSignInBackend.h"

#include <QWidget>

class QWebEngineCertificateError;
class QWebEngineProfile;
class QWebEngineView;
class QNetworkCookie;
class QLabel;

namespace heyo::ui {

class BrowserSignInWindow : public QWidget {
    Q_OBJECT
public:
    BrowserSignInWindow(const api::ServiceSettings &service, BrowserSignInBackend::Handlers handlers,
                        QWidget *parent = nullptr);
    ~BrowserSignInWindow() override;

    void runJavaScript(const QString &script);
    // True when `chain` (leaf first) verifies for `host` against the CA certificates in `caFile` (OpenSSL).
    static bool chainTrusted(const QList<QSslCertificate> &chain, const QString &host, const QString &caFile,
                             QString *why);

protected:
    void showEvent(QShowEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void onCookieAdded(const QNetworkCookie &cookie);
    void onCertificateError(const QWebEngineCertificateError &error);
    bool cookieBelongsToService(const QNetworkCookie &cookie) const;

    api::ServiceSettings m_service;
    BrowserSignInBackend::Handlers m_handlers;
    QWebEngineProfile *m_profile = nullptr;
    QWebEngineView *m_view = nullptr;
    QLabel *m_status = nullptr;
    bool m_started = false;
    bool m_done = false;
};

} // namespace heyo::ui
