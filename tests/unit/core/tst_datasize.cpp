// formatDataSize: decimal units correctly labelled (1 MB = 1,000,000 bytes), one decimal, bytes below 1 kB.
#include "core/DataSize.h"

#include <QLocale>
#include <QTest>

class TestDataSize : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void decimalUnits_data()
    {
        QTest::addColumn<quint64>("bytes");
        QTest::addColumn<QString>("shown");
        QTest::newRow("zero") << quint64(0) << QStringLiteral("0 bytes");
        QTest::newRow("below 1 kB") << quint64(999) << QStringLiteral("999 bytes");
        QTest::newRow("1 kB") << quint64(1000) << QStringLiteral("1.0 kB");
        QTest::newRow("4096") << quint64(4096) << QStringLiteral("4.1 kB");
        QTest::newRow("100 MB") << quint64(100'000'000) << QStringLiteral("100.0 MB"); // was "95.4 MB"
        QTest::newRow("1 GiB") << quint64(1ULL << 30) << QStringLiteral("1.1 GB");
        QTest::newRow("10 GB") << quint64(10'000'000'000ULL) << QStringLiteral("10.0 GB");
    }
    void decimalUnits()
    {
        QFETCH(quint64, bytes);
        QFETCH(QString, shown);
        QCOMPARE(heyo::formatDataSize(bytes), shown);
    }

    void hugeCountsDoNotWrap() { QVERIFY(heyo::formatDataSize(~quint64(0)).endsWith(QStringLiteral("EB"))); }
};

QTEST_GUILESS_MAIN(TestDataSize)
#include "tst_datasize.moc"
