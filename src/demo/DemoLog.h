// Logging category of the demo upstream apps.
#pragma once

#include <QLoggingCategory>

namespace heyo::demo {
Q_DECLARE_LOGGING_CATEGORY(lcDemo)
}
