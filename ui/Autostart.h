// Start at login on Linux desktops: the XDG autostart entry ~/.config/autostart/heyo-access.desktop, written or
// removed. Its presence is the setting's truth.
#pragma once

#include <QString>

namespace heyo::ui {

class Autostart {
public:
    // $XDG_CONFIG_HOME/autostart/heyo-access.desktop
    static QString entryPath();
    static bool isEnabled();
    // `program`: the absolute path the entry starts. False with `*error` when the file cannot be written/removed.
    static bool enable(const QString &program, QString *error);
    static bool disable(QString *error);
};

} // namespace heyo::ui
