// Tests the Ed25519 JWT service against forgeries and a second implementation: the openssl CLI signs and verifies
// the same bytes, so signature compatibility and claim checks are tested independently of our own signing code.
#include "edge/TokenService.h"

#include <QtTest>

#include <sys/stat.h>
#include <thread>

using namespace heyo::edge;

namespace {

QByteArray b64(const QByteArray &raw)
{
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray unb64(const QByteArray &text)
{
    return QByteArray::fromBase64(text, QByteArray::Base64UrlEncoding);
}

QJsonObject part(const std::string &token, int index)
{
    QList<QByteArray> parts = QByteArray::fromStdString(token).split('.');
    return QJsonDocument::fromJson(unb64(parts.value(index))).object();
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

int64_t now()
{
    return QDateTime::currentSecsSinceEpoch();
}

// Runs the openssl CLI; returns its exit code (-1 when it could not run).
int openssl(const QStringList &args, QByteArray *out = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start("openssl", args);
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit)
        return -1;
    if (out)
        *out = p.readAll();
    return p.exitCode();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

// Signs header.payload with the openssl CLI and the given PEM key: a second, independent Ed25519 implementation path.
std::string cliSigned(const QString &workDir, const QString &keyFile, const QJsonObject &header,
                      const QJsonObject &payload)
{
    const QByteArray input = b64(json(header)) + '.' + b64(json(payload));
    const QString in = workDir + "/cli-input", sig = workDir + "/cli-sig";
    if (!writeFile(in, input))
        return {};
    if (openssl({"pkeyutl", "-sign", "-rawin", "-inkey", keyFile, "-in", in, "-out", sig}) != 0)
        return {};
    QFile f(sig);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return (input + '.' + b64(f.readAll())).toStdString();
}

QJsonObject goodClaims(const std::string &issuer)
{
    return QJsonObject{
        {"sub", "acc_1"},           {"account_id", "acc_1"},      {"email", "a@x.test"},
        {"iat", qint64(now())},     {"exp", qint64(now() + 600)}, {"iss", QString::fromStdString(issuer)},
        {"jti", "0123456789abcdef"}};
}

} // namespace

class TestTokens : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_keyFile;
    std::unique_ptr<TokenService> m_tokens;
    const std::string m_issuer = "https://localhost:8443";
    std::string m_kid;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_keyFile = m_dir.filePath("keys/nested/signing-key.pem");
        std::string error;
        m_tokens = TokenService::open(m_keyFile.toStdString(), m_issuer, &error);
        QVERIFY2(m_tokens, error.c_str());
        m_kid = part(m_tokens->issue("acc_1", "a@x.test"), 0).value("kid").toString().toStdString();
        QVERIFY(!m_kid.empty());
    }

    void keyFile()
    {
        struct stat st {};
        QCOMPARE(::stat(m_keyFile.toLocal8Bit().constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        QCOMPARE(::stat(m_dir.filePath("keys/nested").toLocal8Bit().constData(), &st), 0);
        QCOMPARE(st.st_mode & 0077, 0u);
        QFile f(m_keyFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().startsWith("-----BEGIN PRIVATE KEY-----")); // PKCS#8
        QByteArray text;
        QCOMPARE(openssl({"pkey", "-in", m_keyFile, "-noout", "-text"}, &text), 0);
        QVERIFY2(text.contains("ED25519"), text.constData());
        QVERIFY(QDir(m_dir.filePath("keys/nested")).entryList(QDir::Files).size() == 1); // no temp file left
    }

    void roundTrip()
    {
        const std::string token = m_tokens->issue("acc_1", "a@x.test");
        QCOMPARE(QByteArray::fromStdString(token).count('.'), 2);
        QVERIFY(token.find('=') == std::string::npos);
        QCOMPARE(part(token, 0),
                 (QJsonObject{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", QString::fromStdString(m_kid)}}));
        std::string reason = "unset";
        auto claims = m_tokens->verify(token, now(), &reason);
        QVERIFY2(claims, reason.c_str());
        QVERIFY(reason.empty());
        QCOMPARE(claims->subject, std::string("acc_1"));
        QCOMPARE(claims->accountId, std::string("acc_1"));
        QCOMPARE(claims->email, std::string("a@x.test"));
        QCOMPARE(claims->issuer, m_issuer);
        QCOMPARE(claims->expiresAt - claims->issuedAt, int64_t(3600));
        QVERIFY(qAbs(claims->issuedAt - now()) <= 2);
        QVERIFY(claims->apiKeyId.empty());
        QVERIFY(!part(token, 1).contains("akid"));
        QVERIFY(claims->tokenId.size() >= 16);
        QVERIFY(m_tokens->verify(m_tokens->issue("acc_1", "a@x.test"), now())->tokenId != claims->tokenId);

        auto exchanged = m_tokens->verify(m_tokens->issue("acc_2", "b@x.test", "key_abc", 120), now());
        QVERIFY(exchanged);
        QCOMPARE(exchanged->apiKeyId, std::string("key_abc"));
        QCOMPARE(exchanged->expiresAt - exchanged->issuedAt, int64_t(120));
    }

    void reopenKeepsKey()
    {
        const std::string token = m_tokens->issue("acc_1", "a@x.test");
        std::string error;
        auto again = TokenService::open(m_keyFile.toStdString(), m_issuer, &error);
        QVERIFY2(again, error.c_str());
        QVERIFY(again->verify(token, now()));
        // A key file copied in with a loose mode is tightened.
        QVERIFY(QFile::setPermissions(m_keyFile, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther));
        QVERIFY(TokenService::open(m_keyFile.toStdString(), m_issuer, &error));
        struct stat st {};
        QCOMPARE(::stat(m_keyFile.toLocal8Bit().constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        QCOMPARE(again->jwksJson(), m_tokens->jwksJson());
    }

    void opensslVerifiesOurSignature()
    {
        const QByteArray token = QByteArray::fromStdString(m_tokens->issue("acc_1", "a@x.test"));
        const int lastDot = token.lastIndexOf('.');
        const QString pub = m_dir.filePath("pub.pem"), data = m_dir.filePath("data"), sig = m_dir.filePath("sig");
        QCOMPARE(openssl({"pkey", "-in", m_keyFile, "-pubout", "-out", pub}), 0);
        QVERIFY(writeFile(data, token.left(lastDot)));
        QVERIFY(writeFile(sig, unb64(token.mid(lastDot + 1))));
        QByteArray out;
        QCOMPARE(openssl({"pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", data, "-sigfile", sig}, &out),
                 0);
        QVERIFY2(out.contains("Signature Verified Successfully"), out.constData());
        QVERIFY(writeFile(data, token.left(lastDot) + "x"));
        QVERIFY(openssl({"pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", data, "-sigfile", sig}) != 0);
    }

    void acceptsOpensslSignedToken()
    {
        QJsonObject header{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", QString::fromStdString(m_kid)}};
        const std::string token = cliSigned(m_dir.path(), m_keyFile, header, goodClaims(m_issuer));
        QVERIFY(!token.empty());
        std::string reason;
        auto claims = m_tokens->verify(token, now(), &reason);
        QVERIFY2(claims, reason.c_str());
        QCOMPARE(claims->tokenId, std::string("0123456789abcdef"));
    }

    void claimTypesChecked_data()
    {
        QTest::addColumn<QString>("claim");
        QTest::addColumn<QJsonValue>("value"); // Undefined → removed
        QTest::addColumn<QString>("reason");
        QTest::newRow("exp string") << "exp" << QJsonValue("99999999999") << "missing claim";
        QTest::newRow("exp fraction") << "exp" << QJsonValue(double(now() + 600) + 0.5) << "missing claim";
        QTest::newRow("exp missing") << "exp" << QJsonValue(QJsonValue::Undefined) << "missing claim";
        QTest::newRow("iat missing") << "iat" << QJsonValue(QJsonValue::Undefined) << "missing claim";
        QTest::newRow("sub missing") << "sub" << QJsonValue(QJsonValue::Undefined) << "missing claim";
        QTest::newRow("sub number") << "sub" << QJsonValue(1) << "missing claim";
        QTest::newRow("account_id null") << "account_id" << QJsonValue(QJsonValue::Null) << "missing claim";
        QTest::newRow("email array") << "email" << QJsonValue(QJsonArray{"a@x.test"}) << "missing claim";
        QTest::newRow("jti missing") << "jti" << QJsonValue(QJsonValue::Undefined) << "missing claim";
        QTest::newRow("iss missing") << "iss" << QJsonValue(QJsonValue::Undefined) << "missing claim";
        QTest::newRow("iss other") << "iss" << QJsonValue("https://evil.test") << "wrong issuer";
        QTest::newRow("akid number") << "akid" << QJsonValue(5) << "malformed";
        QTest::newRow("expired") << "exp" << QJsonValue(qint64(now() - 1)) << "expired";
        QTest::newRow("nbf future") << "nbf" << QJsonValue(qint64(now() + 600)) << "not yet valid";
    }

    void claimTypesChecked()
    {
        QFETCH(QString, claim);
        QFETCH(QJsonValue, value);
        QFETCH(QString, reason);
        QJsonObject claims = goodClaims(m_issuer);
        if (value.isUndefined())
            claims.remove(claim);
        else
            claims.insert(claim, value);
        QJsonObject header{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", QString::fromStdString(m_kid)}};
        const std::string token = cliSigned(m_dir.path(), m_keyFile, header, claims);
        QVERIFY(!token.empty());
        std::string why;
        QVERIFY(!m_tokens->verify(token, now(), &why));
        QCOMPARE(QString::fromStdString(why), reason);
    }

    void tampered()
    {
        const QByteArray token = QByteArray::fromStdString(m_tokens->issue("acc_1", "a@x.test"));
        QList<QByteArray> parts = token.split('.');
        std::string reason;

        QJsonObject payload = QJsonDocument::fromJson(unb64(parts[1])).object();
        payload.insert("account_id", "acc_2");
        payload.insert("sub", "acc_2");
        QByteArray forged = parts[0] + '.' + b64(json(payload)) + '.' + parts[2];
        QVERIFY(!m_tokens->verify(forged.toStdString(), now(), &reason));
        QCOMPARE(reason, std::string("bad signature"));

        payload = QJsonDocument::fromJson(unb64(parts[1])).object();
        payload.insert("exp", qint64(now() + 365 * 86400));
        forged = parts[0] + '.' + b64(json(payload)) + '.' + parts[2];
        QVERIFY(!m_tokens->verify(forged.toStdString(), now(), &reason));
        QCOMPARE(reason, std::string("bad signature"));

        QByteArray sig = unb64(parts[2]);
        sig[10] = char(sig[10] ^ 0x01);
        QVERIFY(!m_tokens->verify((parts[0] + '.' + parts[1] + '.' + b64(sig)).toStdString(), now(), &reason));
        QCOMPARE(reason, std::string("bad signature"));
        QVERIFY(!m_tokens->verify((parts[0] + '.' + parts[1] + '.' + b64(sig.left(63))).toStdString(), now(), &reason));
        QCOMPARE(reason, std::string("bad signature"));
        QVERIFY(!m_tokens->verify((parts[0] + '.' + parts[1] + '.').toStdString(), now(), &reason));
        QCOMPARE(reason, std::string("malformed"));
        QVERIFY(m_tokens->verify(token.toStdString(), now())); // the original still passes
    }

    void algNoneRejected()
    {
        const QByteArray token = QByteArray::fromStdString(m_tokens->issue("acc_1", "a@x.test"));
        QList<QByteArray> parts = token.split('.');
        std::string reason;
        for (const char *alg : {"none", "None", "NONE", ""}) {
            QJsonObject header{{"alg", alg}, {"typ", "JWT"}, {"kid", QString::fromStdString(m_kid)}};
            QByteArray h = b64(json(header));
            QVERIFY(!m_tokens->verify((h + '.' + parts[1] + '.').toStdString(), now(), &reason));
            QVERIFY(!m_tokens->verify((h + '.' + parts[1]).toStdString(), now(), &reason));
            QVERIFY(!m_tokens->verify((h + '.' + parts[1] + '.' + parts[2]).toStdString(), now(), &reason));
            QCOMPARE(reason, std::string("unsupported algorithm"));
        }
        QJsonObject noAlg{{"typ", "JWT"}, {"kid", QString::fromStdString(m_kid)}};
        QVERIFY(!m_tokens->verify((b64(json(noAlg)) + '.' + parts[1] + '.' + parts[2]).toStdString(), now(), &reason));
        QCOMPARE(reason, std::string("unsupported algorithm"));
    }

    void hs256Rejected()
    {
        // The classic confusion attack: HMAC-SHA256 keyed with the (public) verification key.
        const QByteArray token = QByteArray::fromStdString(m_tokens->issue("acc_1", "a@x.test"));
        QList<QByteArray> parts = token.split('.');
        const QJsonObject jwk = QJsonDocument::fromJson(QByteArray::fromStdString(m_tokens->jwksJson()))
                                    .object()["keys"]
                                    .toArray()[0]
                                    .toObject();
        QFile pubFile(m_dir.filePath("pub.pem"));
        QCOMPARE(openssl({"pkey", "-in", m_keyFile, "-pubout", "-out", pubFile.fileName()}), 0);
        QVERIFY(pubFile.open(QIODevice::ReadOnly));
        const QByteArray pem = pubFile.readAll();
        for (const QByteArray &secret : {unb64(jwk["x"].toString().toLatin1()), pem, jwk["x"].toString().toLatin1()}) {
            for (const char *alg : {"HS256", "HS512", "RS256", "ES256", "EdDSA "}) {
                QJsonObject header{{"alg", alg}, {"typ", "JWT"}, {"kid", QString::fromStdString(m_kid)}};
                const QByteArray input = b64(json(header)) + '.' + parts[1];
                const QByteArray mac = QMessageAuthenticationCode::hash(input, secret, QCryptographicHash::Sha256);
                std::string reason;
                QVERIFY(!m_tokens->verify((input + '.' + b64(mac)).toStdString(), now(), &reason));
                QCOMPARE(reason, std::string("unsupported algorithm"));
            }
        }
    }

    void expiry()
    {
        const std::string token = m_tokens->issue("acc_1", "a@x.test", {}, 60);
        auto claims = m_tokens->verify(token, now());
        QVERIFY(claims);
        QVERIFY(m_tokens->verify(token, claims->expiresAt - 1));
        std::string reason;
        QVERIFY(!m_tokens->verify(token, claims->expiresAt, &reason));
        QCOMPARE(reason, std::string("expired"));
        QVERIFY(!m_tokens->verify(m_tokens->issue("acc_1", "a@x.test", {}, -5), now(), &reason));
        QCOMPARE(reason, std::string("expired"));
    }

    void wrongIssuer()
    {
        std::string error;
        auto other = TokenService::open(m_keyFile.toStdString(), "https://other.example", &error);
        QVERIFY2(other, error.c_str());
        std::string reason;
        QVERIFY(!other->verify(m_tokens->issue("acc_1", "a@x.test"), now(), &reason));
        QCOMPARE(reason, std::string("wrong issuer"));
        QVERIFY(!TokenService::open(m_keyFile.toStdString(), "", &error));
    }

    void wrongKey()
    {
        std::string error;
        const QString otherKey = m_dir.filePath("other/key.pem");
        auto other = TokenService::open(otherKey.toStdString(), m_issuer, &error);
        QVERIFY2(other, error.c_str());
        QVERIFY(other->jwksJson() != m_tokens->jwksJson());
        std::string reason;
        QVERIFY(!m_tokens->verify(other->issue("acc_1", "a@x.test"), now(), &reason));
        QCOMPARE(reason, std::string("unknown key"));
        // Another key that claims our kid: the signature check must catch it.
        QJsonObject header{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", QString::fromStdString(m_kid)}};
        const std::string token = cliSigned(m_dir.path(), otherKey, header, goodClaims(m_issuer));
        QVERIFY(!token.empty());
        QVERIFY(!m_tokens->verify(token, now(), &reason));
        QCOMPARE(reason, std::string("bad signature"));
        QVERIFY(other->verify(token, now(), &reason) == std::nullopt); // and its own kid differs
        QCOMPARE(reason, std::string("unknown key"));
    }

    void malformed()
    {
        const std::string token = m_tokens->issue("acc_1", "a@x.test");
        const std::vector<std::string> bad = {
            "",           "abc",         "a.b",          token + ".x",
            token + ".",  "." + token,   token + "=",    " " + token,
            token + "\n", "!!!.###.$$$", "e30.e30.AAAA", std::string(10000, 'a') + "." + token};
        for (const std::string &t : bad) {
            std::string reason;
            QVERIFY2(!m_tokens->verify(t, now(), &reason), t.c_str());
            QVERIFY(!reason.empty());
        }
        std::string reason;
        QVERIFY(
            !m_tokens->verify(token.substr(0, token.find('.')) + "x" + token.substr(token.find('.')), now(), &reason));
        QVERIFY(!m_tokens->verify("bm90IGpzb24." + token.substr(token.find('.') + 1), now(), &reason)); // "not json"
        QCOMPARE(reason, std::string("malformed"));
    }

    void jwksShape()
    {
        QJsonParseError err{};
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(m_tokens->jwksJson()), &err);
        QCOMPARE(err.error, QJsonParseError::NoError);
        const QJsonArray keys = doc.object().value("keys").toArray();
        QCOMPARE(keys.size(), 1);
        const QJsonObject jwk = keys[0].toObject();
        QCOMPARE(jwk.value("kty").toString(), QString("OKP"));
        QCOMPARE(jwk.value("crv").toString(), QString("Ed25519"));
        QCOMPARE(jwk.value("alg").toString(), QString("EdDSA"));
        QCOMPARE(jwk.value("use").toString(), QString("sig"));
        QCOMPARE(jwk.value("kid").toString().toStdString(), m_kid);
        QVERIFY(!jwk.contains("d")); // never the private key
        QCOMPARE(jwk.keys().size(), 6);
        const QString x = jwk.value("x").toString();
        QVERIFY(!x.contains('=') && !x.contains('+') && !x.contains('/'));
        // x is the raw public key: the last 32 bytes of the SubjectPublicKeyInfo openssl derives from the key file.
        const QString der = m_dir.filePath("pub.der");
        QCOMPARE(openssl({"pkey", "-in", m_keyFile, "-pubout", "-outform", "DER", "-out", der}), 0);
        QFile f(der);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(unb64(x.toLatin1()), f.readAll().right(32));
        // kid is the RFC 7638 thumbprint.
        const QByteArray thumb = QCryptographicHash::hash(
            R"({"crv":"Ed25519","kty":"OKP","x":")" + x.toLatin1() + R"("})", QCryptographicHash::Sha256);
        QCOMPARE(jwk.value("kid").toString().toLatin1(), b64(thumb));
    }

    void concurrentUse()
    {
        std::atomic<int> bad{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 200; ++i) {
                    const std::string id = "acc_" + std::to_string(t * 1000 + i);
                    auto c = m_tokens->verify(m_tokens->issue(id, "x@x.test"), now());
                    if (!c || c->accountId != id)
                        ++bad;
                }
            });
        for (auto &th : threads)
            th.join();
        QCOMPARE(bad.load(), 0);
    }

    void badKeyFiles()
    {
        std::string error;
        const QString garbage = m_dir.filePath("garbage.pem");
        QVERIFY(writeFile(garbage, "not a key"));
        QVERIFY(!TokenService::open(garbage.toStdString(), m_issuer, &error));
        QVERIFY2(error.find("garbage.pem") != std::string::npos, error.c_str());
        const QString ec = m_dir.filePath("ec.pem");
        QCOMPARE(openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec}), 0);
        error.clear();
        QVERIFY(!TokenService::open(ec.toStdString(), m_issuer, &error));
        QVERIFY2(error.find("Ed25519") != std::string::npos, error.c_str());
    }
};

QTEST_GUILESS_MAIN(TestTokens)
#include "tst_tokens.moc"
