// The plugin object of heyo_endpoint_browser: creates the built-in endpoint browser windows. Loaded on demand by
// WebEnginePlugin.
#pragma once

#include "EndpointBrowserBackend.h"

#include <QObject>

namespace heyo::ui {

class EndpointBrowserPlugin : public QObject, public EndpointBrowserBackend {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID HeyoEndpointBrowserBackend_iid)
    Q_INTERFACES(heyo::ui::EndpointBrowserBackend)
public:
    QWidget *createWindow(const QString &slug, const QUrl &url, std::function<void(const QUrl &)> openExternally,
                          QWidget *parent) override;
    void runJavaScript(QWidget *window, const QString &script) override;
};

} // namespace heyo::ui
