// Definitions of the core library's logging categories.
#include "core/Logging.h"

namespace heyo {
Q_LOGGING_CATEGORY(lcAuth, "heyo.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcApi, "heyo.api", QtInfoMsg)
// Warnings only by default: the front ends already say what is forwarded (QT_LOGGING_RULES="heyo.forward.info=true").
Q_LOGGING_CATEGORY(lcForward, "heyo.forward", QtWarningMsg)
} // namespace heyo
