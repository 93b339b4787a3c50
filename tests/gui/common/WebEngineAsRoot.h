// For GUI tests that open WebEngine windows: call from the test class's static initMain(), before QApplication.
#pragma once

#include <QCoreApplication>

namespace heyo::test {

inline void allowWebEngineAsRoot()
{
    // Tests run as root under Xvfb: Chromium's sandbox must be off here (and only here, never in the product).
    qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    qputenv("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu");
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts); // the WebEngine plugin needs it
}

} // namespace heyo::test
