// Plugin entry of the built-in endpoint browser.
#include "EndpointBrowserPlugin.h"

#include "EndpointBrowserWindow.h"

namespace heyo::ui {

QWidget *EndpointBrowserPlugin::createWindow(const QString &slug, const QUrl &url,
                                             std::function<void(const QUrl &)> openExternally, QWidget *parent)
{
    return new EndpointBrowserWindow(slug, url, std::move(openExternally), parent);
}

void EndpointBrowserPlugin::runJavaScript(QWidget *window, const QString &script)
{
    if (auto *w = qobject_cast<EndpointBrowserWindow *>(window))
        w->runJavaScript(script);
}

} // namespace heyo::ui
