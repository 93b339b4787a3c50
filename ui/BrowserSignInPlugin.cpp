// Plugin entry of the WebEngine windows.
#include "BrowserSignInPlugin.h"

#include "BrowserSignInWindow.h"
#include "EndpointBrowserWindow.h"

namespace heyo::ui {

QWidget *BrowserSignInPlugin::createWindow(const api::ServiceSettings &service, Handlers handlers, QWidget *parent)
{
    return new BrowserSignInWindow(service, std::move(handlers), parent);
}

void BrowserSignInPlugin::runJavaScript(QWidget *window, const QString &script)
{
    if (auto *w = qobject_cast<BrowserSignInWindow *>(window))
        w->runJavaScript(script);
    else if (auto *e = qobject_cast<EndpointBrowserWindow *>(window))
        e->runJavaScript(script);
}

QWidget *BrowserSignInPlugin::createEndpointWindow(const QString &slug, const QUrl &url,
                                                   std::function<void(const QUrl &)> openExternally, QWidget *parent)
{
    return new EndpointBrowserWindow(slug, url, std::move(openExternally), parent);
}

} // namespace heyo::ui
