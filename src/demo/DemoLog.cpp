// Logging category of the demo upstream apps.
#include "DemoLog.h"

namespace heyo::demo {
Q_LOGGING_CATEGORY(lcDemo, "heyo.demo")
}
