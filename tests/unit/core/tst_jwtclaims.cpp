// JwtClaims: decoding of real-shaped tokens, and refusal of malformed ones.
#include "core/auth/JwtClaims.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using heyo::auth::JwtClaims;

namespace {
QByteArray b64(const QByteArray &b)
{
    return b.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}
QByteArray makeToken(const QJsonObject &payload)
{
    return b64(R"({"alg":"EdDSA","typ":"JWT"})") + '.' + b64(QJsonDocument(payload).toJson(QJsonDocument::Compact)) +
           '.' + b64(QByteArray(64, '\x07'));
}
} // namespace

class TestJwtClaims : public QObject {
    Q_OBJECT
private slots:
    void decodesClaims()
    {
        const QByteArray t = makeToken({{"sub", "acc_1"},
                                        {"account_id", "acc_1"},
                                        {"email", "a@example.com"},
                                        {"iat", 1700000000},
                                        {"exp", 1700003600},
                                        {"iss", "heyo-edge"},
                                        {"jti", "j1"},
                                        {"akid", "key_9"}});
        const auto c = JwtClaims::decode(t);
        QVERIFY(c);
        QCOMPARE(c->accountId, QStringLiteral("acc_1"));
        QCOMPARE(c->email, QStringLiteral("a@example.com"));
        QCOMPARE(c->expiresAt, 1700003600);
        QCOMPARE(c->issuedAt, 1700000000);
        QCOMPARE(c->lifetimeSeconds(), 3600);
        QCOMPARE(c->apiKeyId, QStringLiteral("key_9"));
        QVERIFY(c->isExpiredAt(1700003600));
        QVERIFY(!c->isExpiredAt(1700003599));
        QCOMPARE(c->expiry().toSecsSinceEpoch(), 1700003600);
    }
    void paddingLengthsAllDecode()
    {
        // Payload lengths that need 0, 1 and 2 padding characters in standard base64.
        for (const QString &email : {QStringLiteral("a@b.c"), QStringLiteral("ab@b.c"), QStringLiteral("abc@b.c")}) {
            const auto c = JwtClaims::decode(makeToken({{"email", email}, {"exp", 5}}));
            QVERIFY2(c, qPrintable(email));
            QCOMPARE(c->email, email);
        }
    }
    void trailingWhitespaceTolerated() { QVERIFY(JwtClaims::decode(makeToken({{"exp", 5}}) + "\n")); }
    void rejectsMalformed_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("two parts") << QByteArray("eyJhbGciOiJFZERTQSJ9.eyJleHAiOjV9");
        QTest::newRow("four parts") << (makeToken({{"exp", 5}}) + ".x");
        QTest::newRow("api key") << QByteArray("heyo_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        QTest::newRow("not json") << (b64("{}") + '.' + b64("not json") + '.' + b64("s"));
        QTest::newRow("array payload") << (b64("{}") + '.' + b64("[1,2]") + '.' + b64("s"));
        QTest::newRow("no exp") << makeToken({{"account_id", "acc_1"}});
        QTest::newRow("exp string") << makeToken({{"exp", "tomorrow"}});
        QTest::newRow("bad base64") << QByteArray("eyJ.e$$$.sig");
    }
    void rejectsMalformed()
    {
        QFETCH(QByteArray, token);
        QVERIFY(!JwtClaims::decode(token));
    }
};

QTEST_GUILESS_MAIN(TestJwtClaims)
#include "tst_jwtclaims.moc"
