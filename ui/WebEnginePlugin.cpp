// Finds and loads the WebEngine plugin: next to the program, in ../lib/heyo-access (installed), or the build tree.
#include "WebEnginePlugin.h"

#include "BrowserSignInBackend.h"

#include <QCoreApplication>
#include <QDir>
#include <QPluginLoader>

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
