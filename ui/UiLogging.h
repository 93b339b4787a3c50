// The tray app's logging category ("heyo.ui"). Anything that could carry a secret goes through heyo::redact().
#pragma once

#include <QLoggingCategory>

namespace heyo {
Q_DECLARE_LOGGING_CATEGORY(lcUi)
} // namespace heyo
