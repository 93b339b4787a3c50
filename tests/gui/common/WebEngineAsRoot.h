// For GUI tests that open WebEngine windows: call from the test class's static initMain(), before QApplication.
#pragma once

#include <QCoreApplication>

namespace heyo::test {

inline void allowWebEngineAsRoot()
{
    // Tests run as root under Xvfb: Chromium's sandbox must be off here (and only here, never in the product).
    qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    qputenv("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu");
    // No Qt::AA_ShareOpenGLContexts, as in the product: the plugin loader shares a GL context itself.
}

} // namespace heyo::test
