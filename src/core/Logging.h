// The core library's logging categories, one per module. Every message that could carry a secret goes through redact().
#pragma once

#include <QLoggingCategory>

namespace heyo {
Q_DECLARE_LOGGING_CATEGORY(lcAuth) // "heyo.auth": sessions, keychain, refresh
Q_DECLARE_LOGGING_CATEGORY(lcApi)  // "heyo.api": control-plane requests
} // namespace heyo
