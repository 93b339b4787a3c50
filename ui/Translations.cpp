// Installing the compiled-in translators.
#include "Translations.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

namespace heyo::ui {

void Translations::install()
{
    static bool done = false;
    if (done || !QCoreApplication::instance())
        return;
    done = true;
    auto *english = new QTranslator(QCoreApplication::instance());
    if (english->load(QStringLiteral(":/i18n/heyo_ui_en.qm")))
        QCoreApplication::installTranslator(english);
    auto *local = new QTranslator(QCoreApplication::instance());
    if (QLocale().language() != QLocale::English &&
        local->load(QLocale(), QStringLiteral("heyo_ui"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(local);
}

} // namespace heyo::ui
