// The tray app's own non-secret settings (a value type) and where they live: the "app" group of the shared QSettings.
// Local ports and the router port are PortAssignments' business; secrets are never here.
#pragma once

#include "core/api/ServiceSettings.h"

#include <QString>
#include <QStringList>

class QSettings;

namespace heyo::ui {

struct AppSettings {
    api::ServiceSettings service; // where to sign in (accounts keep the service they signed in with)
    bool startAtLogin = false;    // mirrored by the XDG autostart entry
    QStringList forwardAtStart;   // endpoint slugs forwarded as soon as their account is signed in
    bool routerEnabled = false;   // one shared port routing by <slug>.localhost
    bool builtInBrowser = false;  // open endpoints in the built-in WebEngine window instead of the system browser

    static AppSettings load(const QSettings &settings);
    // Writes and syncs; false with `*error` when the settings file cannot be written.
    bool save(QSettings &settings, QString *error) const;
    bool operator==(const AppSettings &) const = default;
};

} // namespace heyo::ui
