// The seam between the Widgets side (heyo_ui) and the browser sign-in window, which lives in a plugin
// (heyo_browser_signin) so that QtWebEngine is loaded only when such a window first opens, never at tray start-up.
// The built-in endpoint browser is another plugin with its own seam (browser/EndpointBrowserBackend.h).
#pragma once

#include "core/api/ServiceSettings.h"

#include <QByteArray>
#include <QString>
#include <QUrl>
#include <QtPlugin>

#include <functional>

class QWidget;

namespace heyo::ui {

class BrowserSignInBackend {
public:
    struct Handlers {
        std::function<void(const QByteArray &token)> token;   // the __heyo_token cookie appeared (once)
        std::function<void(const QString &error)> failed;     // load error, untrusted certificate, window closed
        std::function<void(bool ok, const QUrl &url)> loaded; // a page finished loading (tests fill the form)
    };
    virtual ~BrowserSignInBackend() = default;
    // A top-level window (off-the-record WebEngine profile) that loads service.loginUrl() when shown.
    virtual QWidget *createWindow(const api::ServiceSettings &service, Handlers handlers, QWidget *parent) = 0;
    // Runs script in the page of a window made here (test seam: a GUI test fills the real login form with it).
    virtual void runJavaScript(QWidget *window, const QString &script) = 0;
};

} // namespace heyo::ui

#define HeyoBrowserSignInBackend_iid "computer.heyo.access.BrowserSignInBackend/3"
Q_DECLARE_INTERFACE(heyo::ui::BrowserSignInBackend, HeyoBrowserSignInBackend_iid)
