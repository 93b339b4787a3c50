// Writing and removing the XDG autostart entry.
#include "Autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace heyo::ui {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("heyo::ui::Autostart", text);
}

QString configHome()
{
    // The XDG rule itself rather than QStandardPaths: the entry must land where the session manager looks, also when
    // QStandardPaths' test mode is on.
    const QString env = qEnvironmentVariable("XDG_CONFIG_HOME");
    return env.isEmpty() ? QDir::homePath() + QStringLiteral("/.config") : env;
}
} // namespace

QString Autostart::entryPath()
{
    return configHome() + QStringLiteral("/autostart/heyo-access.desktop");
}

bool Autostart::isEnabled()
{
    return QFileInfo::exists(entryPath());
}

bool Autostart::enable(const QString &program, QString *error)
{
    const QString path = entryPath();
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        *error = tr("Could not create the folder %1.").arg(QFileInfo(path).absolutePath());
        return false;
    }
    QString exec = program;
    if (exec.contains(QLatin1Char(' ')))
        exec = QLatin1Char('"') + exec + QLatin1Char('"');
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = tr("Could not write %1: %2").arg(path, f.errorString());
        return false;
    }
    const QString text = QStringLiteral("[Desktop Entry]\n"
                                        "Type=Application\n"
                                        "Name=Heyo Access\n"
                                        "Comment=Reach your private Heyo endpoints from curl, git and your browser\n"
                                        "Icon=heyo-access\n"
                                        "Exec=%1\n"
                                        "Terminal=false\n"
                                        "X-GNOME-Autostart-enabled=true\n")
                             .arg(exec);
    f.write(text.toUtf8());
    if (!f.commit()) {
        *error = tr("Could not write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

bool Autostart::disable(QString *error)
{
    const QString path = entryPath();
    if (QFileInfo::exists(path) && !QFile::remove(path)) {
        *error = tr("Could not remove %1.").arg(path);
        return false;
    }
    return true;
}

} // namespace heyo::ui
