// Definition of the tray app's logging category.
#include "UiLogging.h"

namespace heyo {
Q_LOGGING_CATEGORY(lcUi, "heyo.ui")
} // namespace heyo
