// One way to show byte counts everywhere (tray app and CLI): decimal units, as GNOME and macOS show them.
#pragma once

#include <QString>

namespace heyo {

// 100,000,000 → "100.0 MB"; 1,500 → "1.5 kB"; 999 → "999 bytes" (kB = 1,000 bytes, MB = 1,000,000 …).
QString formatDataSize(quint64 bytes);

} // namespace heyo
