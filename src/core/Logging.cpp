// Definitions of the core library's logging categories.
#include "core/Logging.h"

namespace heyo {
Q_LOGGING_CATEGORY(lcAuth, "heyo.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcApi, "heyo.api", QtInfoMsg)
} // namespace heyo
