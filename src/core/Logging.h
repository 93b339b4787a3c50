// The core library's logging categories, one per module. Every message that could carry a secret goes through redact().
#pragma once

#include <QLoggingCategory>

namespace heyo {
Q_DECLARE_LOGGING_CATEGORY(lcAuth)    // "heyo.auth": sessions, keychain, refresh
Q_DECLARE_LOGGING_CATEGORY(lcApi)     // "heyo.api": control-plane requests
Q_DECLARE_LOGGING_CATEGORY(lcForward) // "heyo.forward": forwards started, stopped, refused (info off by default)
} // namespace heyo
