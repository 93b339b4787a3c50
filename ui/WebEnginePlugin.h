// Loads the plugins that hold every QtWebEngine window, each the first time one of its windows is needed (it then
// stays loaded: QtWebEngine cannot be unloaded cleanly): heyo_browser_signin (the browser sign-in window) and
// heyo_endpoint_browser (the built-in endpoint browser). Tray start-up never pays for WebEngine.
#pragma once

#include <QString>

namespace heyo::ui {

class BrowserSignInBackend;
class EndpointBrowserBackend;

namespace WebEnginePlugin {
// Null when the plugin cannot be loaded; error() then says where it was looked for and why it failed.
BrowserSignInBackend *signIn();
EndpointBrowserBackend *endpointBrowser();
QString error(); // of the last load that failed; cleared by one that succeeds
} // namespace WebEnginePlugin

} // namespace heyo::ui
