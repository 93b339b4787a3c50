// The edge's per-request token check: a token whose signature verified is remembered, yet a remembered token still
// expires on time, a forgery of it is still refused, and revoking its API key still ends it.
#include "edge/Store.h"
#include "edge/TokenService.h"
#include "edge/TokenVerifier.h"

#include <QtTest>

#include <thread>

using namespace heyo::edge;
using namespace std::chrono_literals;

class TestTokenVerifier : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<TokenService> m_tokens;
    std::unique_ptr<Store> m_store;
    std::string m_accountId;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        std::string error;
        m_tokens = TokenService::open(m_dir.filePath("key.pem").toStdString(), "https://heyo.test", &error);
        QVERIFY2(m_tokens, error.c_str());
        m_store = Store::open(m_dir.filePath("store.db").toStdString(), &error);
        QVERIFY2(m_store, error.c_str());
        auto account = m_store->createAccount("ada@heyo.test", "Ada", "unused-hash", &error);
        QVERIFY2(account, error.c_str());
        m_accountId = account->id;
    }

    void rememberedTokenStillExpires()
    {
        TokenVerifier verifier(*m_tokens, *m_store, 30s);
        const std::string token = m_tokens->issue(m_accountId, "ada@heyo.test", {}, 2);
        std::string why = "stale";
        for (int i = 0; i < 3; ++i) { // the first check verifies the signature, the others find it remembered
            auto claims = verifier.verify(token, &why);
            QVERIFY2(claims, why.c_str());
            QCOMPARE(claims->accountId, m_accountId);
            QCOMPARE(claims->email, std::string("ada@heyo.test"));
            QVERIFY(why.empty());
            QCOMPARE(verifier.rememberedCount(), size_t(1));
        }
        QTRY_VERIFY_WITH_TIMEOUT(!verifier.verify(token, &why), 5000);
        QCOMPARE(why, std::string("expired"));
        QCOMPARE(verifier.rememberedCount(), size_t(0)); // forgotten once expired
    }

    void forgeryOfARememberedTokenIsRefused()
    {
        TokenVerifier verifier(*m_tokens, *m_store, 30s);
        const std::string token = m_tokens->issue(m_accountId, "ada@heyo.test");
        std::string why;
        QVERIFY(verifier.verify(token, &why));
        // Same header and claims, another account in the payload, the genuine signature: must not ride on the
        // remembered verdict.
        const size_t dot1 = token.find('.'), dot2 = token.find('.', dot1 + 1);
        QByteArray payload = QByteArray::fromBase64(QByteArray::fromStdString(token.substr(dot1 + 1, dot2 - dot1 - 1)),
                                                    QByteArray::Base64UrlEncoding);
        payload.replace(QByteArray::fromStdString(m_accountId), "acc_mallory");
        const std::string forged =
            token.substr(0, dot1 + 1) +
            payload.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals).toStdString() +
            token.substr(dot2);
        QVERIFY(forged != token);
        QVERIFY(!verifier.verify(forged, &why));
        QCOMPARE(why, std::string("bad signature"));
        QCOMPARE(verifier.rememberedCount(), size_t(1)); // only the genuine token
        QVERIFY(verifier.verify(token, &why));           // the genuine one is still good
    }

    void revokingTheKeyEndsARememberedToken()
    {
        TokenVerifier verifier(*m_tokens, *m_store, 0s); // no grace: revocation shows at once
        auto key = m_store->addApiKey(m_accountId, "ci", "heyo_0123456", "unused-hash");
        QVERIFY(key);
        const std::string token = m_tokens->issue(m_accountId, "ada@heyo.test", key->id);
        std::string why;
        QVERIFY2(verifier.verify(token, &why), why.c_str());
        QVERIFY2(verifier.verify(token, &why), why.c_str()); // remembered
        QVERIFY(m_store->revokeApiKey(m_accountId, key->id));
        QVERIFY(!verifier.verify(token, &why));
        QCOMPARE(why, std::string("the API key this token came from was revoked"));
    }
};

QTEST_GUILESS_MAIN(TestTokenVerifier)
#include "tst_token_verifier.moc"
