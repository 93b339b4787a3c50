// Plugin entry of the browser sign-in window.
#include "BrowserSignInPlugin.h"

#include "BrowserSignInWindow.h"

namespace heyo::ui {

QWidget *BrowserSignInPlugin::createWindow(const api::ServiceSettings &service, Handlers handlers, QWidget *parent)
{
    return new BrowserSignInWindow(service, std::move(handlers), parent);
}

void BrowserSignInPlugin::runJavaScript(QWidget *window, const QString &script)
{
    if (auto *w = qobject_cast<BrowserSignInWindow *>(window))
        w->runJavaScript(script);
}

} // namespace heyo::ui
