// The plugin object of heyo_browser_signin: creates the browser sign-in windows. Loaded on demand by WebEnginePlugin.
#pragma once

#include "BrowserSignInBackend.h"

#include <QObject>

namespace heyo::ui {

class BrowserSignInPlugin : public QObject, public BrowserSignInBackend {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID HeyoBrowserSignInBackend_iid)
    Q_INTERFACES(heyo::ui::BrowserSignInBackend)
public:
    QWidget *createWindow(const api::ServiceSettings &service, Handlers handlers, QWidget *parent) override;
    void runJavaScript(QWidget *window, const QString &script) override;
};

} // namespace heyo::ui
