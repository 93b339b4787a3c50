// redact(): no JWT, API key, Bearer/Basic credential or password field survives; ordinary text does.
#include "core/Redact.h"

#include <QTest>

class TestRedact : public QObject {
    Q_OBJECT
private:
    const QString jwt =
        QStringLiteral("eyJhbGciOiJFZERTQSJ9.eyJhY2NvdW50X2lkIjoiYWNjXzEiLCJleHAiOjV9.c2lnbmF0dXJlX2J5dGVz");
    const QString key = QStringLiteral("heyo_") + QString(64, QLatin1Char('a'));

private slots:
    void masksSecrets_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("secret");
        QTest::newRow("bare jwt") << jwt << jwt.mid(3, 20);
        QTest::newRow("bearer header") << QStringLiteral("Authorization: Bearer ") + jwt << jwt.mid(3);
        QTest::newRow("x-heyo header") << QStringLiteral("X-Heyo-Authorization: Bearer ") + jwt << jwt.section('.', 1);
        QTest::newRow("cookie") << QStringLiteral("Cookie: a=1; __heyo_token=") + jwt + QStringLiteral("; b=2")
                                << jwt.section('.', 2);
        QTest::newRow("url query") << QStringLiteral("https://x/cb?token=") + jwt + QStringLiteral("&a=1")
                                   << jwt.section('.', 1, 1);
        QTest::newRow("api key") << QStringLiteral("exchanging ") + key << key.mid(10);
        QTest::newRow("json api key") << QStringLiteral("{\"api_key\":\"") + key + QStringLiteral("\"}") << key.mid(9);
        QTest::newRow("basic") << QStringLiteral("Authorization: Basic aGV5bzpzZWNyZXRwYXNz")
                               << QStringLiteral("aGV5bzpzZWNyZXRwYXNz");
        QTest::newRow("password field") << QStringLiteral("password=hunter2&email=a") << QStringLiteral("hunter2");
        QTest::newRow("json password") << QStringLiteral("{\"password\":\"hunter2\"}") << QStringLiteral("hunter2");
    }
    void masksSecrets()
    {
        QFETCH(QString, input);
        QFETCH(QString, secret);
        QVERIFY(input.contains(secret));
        const QString out = heyo::redact(input);
        QVERIFY2(!out.contains(secret), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("…")), qPrintable(out));
        QVERIFY(!heyo::redact(input.toUtf8()).contains(secret.toUtf8()));
    }
    void keepsOrdinaryText()
    {
        const QString s =
            QStringLiteral("GET https://localhost:8443/api/endpoints 200 (heyo.auth: acc_0123 signed in)");
        QCOMPARE(heyo::redact(s), s);
    }
    void keyPrefixStaysForRecognition() { QVERIFY(heyo::redact(key).startsWith(QStringLiteral("heyo_aaaa…"))); }
    void maskSecret()
    {
        QCOMPARE(heyo::maskSecret(key), QStringLiteral("heyo_aaaa…"));
        QCOMPARE(heyo::maskSecret(jwt), QStringLiteral("eyJ…"));
        QCOMPARE(heyo::maskSecret(QString()), QString());
    }
};

QTEST_GUILESS_MAIN(TestRedact)
#include "tst_redact.moc"
