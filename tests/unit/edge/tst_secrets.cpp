// Tests bcrypt hashing/verification, API-key format and the randomness of keys and ids.
#include "edge/Secrets.h"

#include <QtTest>

#include <set>
#include <thread>

using namespace heyo::edge;

class TestSecrets : public QObject {
    Q_OBJECT
private slots:
    void bcryptRoundTrip()
    {
        const std::string hash = bcryptHash("correct horse battery staple", 4);
        QCOMPARE(hash.size(), size_t(60));
        QVERIFY(hash.rfind("$2b$04$", 0) == 0);
        QVERIFY(hash.find("correct") == std::string::npos);
        QVERIFY(bcryptVerify("correct horse battery staple", hash));
        QVERIFY(!bcryptVerify("correct horse battery stapl", hash));
        QVERIFY(!bcryptVerify("Correct horse battery staple", hash));
        QVERIFY(!bcryptVerify("", hash));
    }

    void bcryptDefaultCostAndSalt()
    {
        const std::string a = bcryptHash("pw");
        const std::string b = bcryptHash("pw");
        QVERIFY(a.rfind("$2b$10$", 0) == 0);
        QVERIFY(a != b); // random salt
        QVERIFY(bcryptVerify("pw", a));
        QVERIFY(bcryptVerify("pw", b));
    }

    void bcryptRejectsNonBcryptHashes()
    {
        QVERIFY(!bcryptVerify("pw", ""));
        QVERIFY(!bcryptVerify("pw", "*"));
        QVERIFY(!bcryptVerify("pw", "$1$abcdefgh$abcdefghijklmnopqrstuv")); // MD5-crypt
        std::string hash = bcryptHash("pw", 4);
        hash.back() = hash.back() == 'a' ? 'b' : 'a';
        QVERIFY(!bcryptVerify("pw", hash));
        QVERIFY(bcryptHash(std::string_view("a\0b", 3), 4).empty());
        QVERIFY(!bcryptVerify(std::string_view("pw\0x", 4), bcryptHash("pw", 4)));
    }

    void bcryptApiKey()
    {
        const std::string key = newApiKey();
        const std::string hash = bcryptHash(key, 4);
        QVERIFY(bcryptVerify(key, hash));
        std::string other = key;
        other[20] = other[20] == '0' ? '1' : '0';
        QVERIFY(!bcryptVerify(other, hash));
    }

    void bcryptThreadSafe()
    {
        // crypt_rn with per-call state: parallel verifications must all give the right answer.
        const std::string hash = bcryptHash("secret", 4);
        std::atomic<int> good{0}, bad{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 10; ++i) {
                    if (bcryptVerify((t + i) % 2 ? "secret" : "wrong", hash) == bool((t + i) % 2))
                        ++good;
                    else
                        ++bad;
                }
            });
        for (auto &th : threads)
            th.join();
        QCOMPARE(bad.load(), 0);
        QCOMPARE(good.load(), 80);
    }

    void apiKeyFormat()
    {
        const std::string key = newApiKey();
        QCOMPARE(key.size(), size_t(69));
        QVERIFY(key.rfind("heyo_", 0) == 0);
        for (char c : key.substr(5))
            QVERIFY2((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'), key.c_str());
        QVERIFY(isWellFormedApiKey(key));
        QCOMPARE(apiKeyPrefix(key), key.substr(0, 12));
        QCOMPARE(apiKeyPrefix(key).size(), size_t(12));
    }

    void apiKeyMalformed()
    {
        const std::string key = newApiKey();
        QVERIFY(!isWellFormedApiKey(""));
        QVERIFY(!isWellFormedApiKey(key.substr(0, 68)));
        QVERIFY(!isWellFormedApiKey(key + "0"));
        std::string upper = key;
        upper[10] = 'A';
        QVERIFY(!isWellFormedApiKey(upper));
        std::string wrongPrefix = key;
        wrongPrefix[0] = 'H';
        QVERIFY(!isWellFormedApiKey(wrongPrefix));
        QVERIFY(!isWellFormedApiKey("heyo_" + std::string(64, 'g')));
        QVERIFY(isWellFormedApiKey("heyo_" + std::string(64, 'f')));
    }

    void randomnessUnique()
    {
        std::set<std::string> keys, ids, prefixes;
        for (int i = 0; i < 2000; ++i) {
            keys.insert(newApiKey());
            ids.insert(newId("acc"));
        }
        QCOMPARE(keys.size(), size_t(2000));
        QCOMPARE(ids.size(), size_t(2000));
        // Every hex digit appears in every position's neighbourhood: a crude check that output is not constant.
        std::array<int, 16> counts{};
        for (const auto &k : keys)
            for (char c : k.substr(5))
                ++counts[c <= '9' ? c - '0' : c - 'a' + 10];
        const int total = 2000 * 64, expected = total / 16;
        for (int n : counts)
            QVERIFY2(n > expected * 9 / 10 && n < expected * 11 / 10, qPrintable(QString::number(n)));
    }

    void idsAndHex()
    {
        const std::string id = newId("dev");
        QCOMPARE(id.size(), size_t(4 + 16));
        QVERIFY(id.rfind("dev_", 0) == 0);
        QCOMPARE(randomHex(3).size(), size_t(6));
        QVERIFY(randomHex(16) != randomHex(16));
    }

    void constantTimeCompare()
    {
        QVERIFY(constantTimeEquals("abc", "abc"));
        QVERIFY(constantTimeEquals("", ""));
        QVERIFY(!constantTimeEquals("abc", "abd"));
        QVERIFY(!constantTimeEquals("abc", "ab"));
        QVERIFY(!constantTimeEquals("", "a"));
    }
};

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"
