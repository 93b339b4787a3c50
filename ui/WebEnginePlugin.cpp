// Finds and loads the WebEngine plugins: next to the program, in ../lib/heyo-access (installed), or the build tree.
#include "WebEnginePlugin.h"

#include "BrowserSignInBackend.h"
#include "browser/EndpointBrowserBackend.h"

#include <QCoreApplication>
#include <QDir>
#include <QOpenGLContext>
#include <QPluginLoader>

// Exported by QtGui (declared in its private qopenglcontext_p.h); QtWebEngine's own initialize() calls it the same
// way when it runs before the application object exists.
Q_GUI_EXPORT void qt_gl_set_global_share_context(QOpenGLContext *context);

namespace heyo::ui::WebEnginePlugin {

namespace {
QString g_error;

QStringList pluginDirs()
{
    const QString app = QCoreApplication::applicationDirPath();
    QStringList dirs{app, app + QStringLiteral("/../lib/heyo-access"), app + QStringLiteral("/plugins")};
#ifdef HEYO_BROWSER_PLUGIN_DIR
    dirs << QStringLiteral(HEYO_BROWSER_PLUGIN_DIR);
#endif
    return dirs;
}
// WebEngine composites through a context shared with Qt's. Qt::AA_ShareOpenGLContexts would create that context at
// start-up, and with it load the GL driver (llvmpipe alone maps 50 MiB) into a tray app that may never open a
// browser window; so the shared context is made here, just before the plugin first loads.
void shareGlContextWithWebEngine()
{
    if (QOpenGLContext::globalShareContext())
        return;
    auto *context = new QOpenGLContext(QCoreApplication::instance());
    if (context->create())
        qt_gl_set_global_share_context(context);
    else
        delete context; // no GL here at all: WebEngine falls back to software compositing
}

// The plugin object of lib<name>.so as Interface, or null with g_error set.
template <typename Interface> Interface *load(const QString &name)
{
    shareGlContextWithWebEngine();
    QStringList tried;
    for (const QString &dir : pluginDirs()) {
        const QString path = QDir(dir).absoluteFilePath(QStringLiteral("lib%1.so").arg(name));
        if (!QFile::exists(path)) {
            tried << path;
            continue;
        }
        QPluginLoader loader(path);
        if (auto *b = qobject_cast<Interface *>(loader.instance())) {
            g_error.clear();
            return b;
        }
        tried << QStringLiteral("%1 (%2)").arg(path, loader.errorString());
    }
    g_error = QStringLiteral("the browser windows are not available: plugin not found (%1)").arg(tried.join(", "));
    return nullptr;
}
} // namespace

QString error()
{
    return g_error;
}

BrowserSignInBackend *signIn()
{
    static BrowserSignInBackend *loaded = nullptr;
    if (!loaded)
        loaded = load<BrowserSignInBackend>(QStringLiteral("heyo_browser_signin"));
    return loaded;
}

EndpointBrowserBackend *endpointBrowser()
{
    static EndpointBrowserBackend *loaded = nullptr;
    if (!loaded)
        loaded = load<EndpointBrowserBackend>(QStringLiteral("heyo_endpoint_browser"));
    return loaded;
}

} // namespace heyo::ui::WebEnginePlugin
