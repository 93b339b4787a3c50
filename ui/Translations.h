// Loads the tray app's translations once per process: English numerus forms first, then the user's language if one
// is compiled in (a later translator wins).
#pragma once

namespace heyo::ui {

class Translations {
public:
    static void install();
};

} // namespace heyo::ui
