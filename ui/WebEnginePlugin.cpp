// Finds and loads the WebEngine plugin: next to the program, in ../lib/heyo-access (installed), or the build tree.
#include "WebEnginePlugin.h"

#include "BrowserSignInBackend.h"

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
} // namespace

QString error()
{
    return g_error;
}

BrowserSignInBackend *backend()
{
    static BrowserSignInBackend *loaded = nullptr;
    if (loaded)
        return loaded;
    shareGlContextWithWebEngine();
    QStringList tried;
    for (const QString &dir : pluginDirs()) {
        const QString path = QDir(dir).absoluteFilePath(QStringLiteral("libheyo_browser_signin.so"));
        if (!QFile::exists(path)) {
            tried << path;
            continue;
        }
        QPluginLoader loader(path);
        if (auto *b = qobject_cast<BrowserSignInBackend *>(loader.instance())) {
            loaded = b;
            g_error.clear();
            return loaded;
        }
        tried << QStringLiteral("%1 (%2)").arg(path, loader.errorString());
    }
    g_error = QStringLiteral("the browser windows are not available: plugin not found (%1)").arg(tried.join(", "));
    return nullptr;
}

} // namespace heyo::ui::WebEnginePlugin
