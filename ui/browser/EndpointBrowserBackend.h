// The seam between the Widgets side (heyo_ui) and the built-in endpoint browser window, which lives in a plugin of
// its own (heyo_endpoint_browser) so that QtWebEngine is loaded only when such a window first opens, never at tray
// start-up. The browser sign-in window is another plugin with its own seam (BrowserSignInBackend).
#pragma once

#include <QString>
#include <QUrl>
#include <QtPlugin>

#include <functional>

class QWidget;

namespace heyo::ui {

class EndpointBrowserBackend {
public:
    virtual ~EndpointBrowserBackend() = default;
    // The built-in browser window on an endpoint's local URL; links to other sites go to openExternally.
    virtual QWidget *createWindow(const QString &slug, const QUrl &url,
                                  std::function<void(const QUrl &)> openExternally, QWidget *parent) = 0;
    // Runs script in the page of a window made here (test seam: a GUI test clicks a link with it).
    virtual void runJavaScript(QWidget *window, const QString &script) = 0;
};

} // namespace heyo::ui

#define HeyoEndpointBrowserBackend_iid "computer.heyo.access.EndpointBrowserBackend/1"
Q_DECLARE_INTERFACE(heyo::ui::EndpointBrowserBackend, HeyoEndpointBrowserBackend_iid)
