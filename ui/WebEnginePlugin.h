// Loads heyo_browser_signin, the plugin with every QtWebEngine window, the first time one is needed (it then stays
// loaded: QtWebEngine cannot be unloaded cleanly). Tray start-up never pays for WebEngine.
#pragma once

#include <QString>

namespace heyo::ui {

class BrowserSignInBackend;

namespace WebEnginePlugin {
// Null when the plugin cannot be loaded; error() then says where it was looked for and why it failed.
BrowserSignInBackend *backend();
QString error();
} // namespace WebEnginePlugin

} // namespace heyo::ui
