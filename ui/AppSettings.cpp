// Loading and saving the tray app's settings.
#include "AppSettings.h"

#include <QCoreApplication>
#include <QSettings>

namespace heyo::ui {

AppSettings AppSettings::load(const QSettings &s)
{
    AppSettings a;
    const QString url = s.value(QStringLiteral("app/serviceUrl")).toString();
    if (!url.isEmpty())
        a.service.baseUrl = QUrl(url);
    a.service.caFile = s.value(QStringLiteral("app/caFile")).toString();
    a.startAtLogin = s.value(QStringLiteral("app/startAtLogin"), false).toBool();
    a.forwardAtStart = s.value(QStringLiteral("app/forwardAtStart")).toStringList();
    a.routerEnabled = s.value(QStringLiteral("app/routerEnabled"), false).toBool();
    a.builtInBrowser = s.value(QStringLiteral("app/builtInBrowser"), false).toBool();
    return a;
}

bool AppSettings::save(QSettings &s, QString *error) const
{
    s.setValue(QStringLiteral("app/serviceUrl"), service.baseUrl.toString());
    s.setValue(QStringLiteral("app/caFile"), service.caFile);
    s.setValue(QStringLiteral("app/startAtLogin"), startAtLogin);
    s.setValue(QStringLiteral("app/forwardAtStart"), forwardAtStart);
    s.setValue(QStringLiteral("app/routerEnabled"), routerEnabled);
    s.setValue(QStringLiteral("app/builtInBrowser"), builtInBrowser);
    s.sync();
    if (s.status() != QSettings::NoError) {
        if (error)
            *error = QCoreApplication::translate("heyo::ui::AppSettings", "The settings could not be saved to %1.")
                         .arg(s.fileName());
        return false;
    }
    return true;
}

} // namespace heyo::ui
