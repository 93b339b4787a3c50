// net/Ascii.h: the one case-insensitive compare of protocol text; ASCII only, whatever the locale.
#include "net/Ascii.h"

#include <QtTest>

#include <clocale>

using namespace heyo::net;

class TestAscii : public QObject {
    Q_OBJECT

private slots:
    void compares()
    {
        QVERIFY(equalsIgnoreCase("Content-Length", "content-length"));
        QVERIFY(equalsIgnoreCase("", ""));
        QVERIFY(!equalsIgnoreCase("content-length", "content-lengt"));
        QVERIFY(!equalsIgnoreCase("a", "b"));
        QVERIFY(!equalsIgnoreCase("[", "{")); // '[' + 32 is '{': only letters fold
        QVERIFY(startsWithIgnoreCase("Bearer abc", "bearer "));
        QVERIFY(!startsWithIgnoreCase("Bear", "bearer"));
        QCOMPARE(toLowerAscii("X-Heyo-Email: ÄB"), std::string("x-heyo-email: Äb"));
        static_assert(equalsIgnoreCase("HOST", "host"));
    }

    void ignoresTheLocale()
    {
        // Turkish dotless i: a locale-aware tolower would turn 'I' into something else than 'i'.
        std::setlocale(LC_ALL, "tr_TR.UTF-8");
        QVERIFY(equalsIgnoreCase("TITLE", "title"));
        QCOMPARE(toLowerAscii("I"), std::string("i"));
        std::setlocale(LC_ALL, "C");
    }
};

QTEST_GUILESS_MAIN(TestAscii)
#include "tst_ascii.moc"
