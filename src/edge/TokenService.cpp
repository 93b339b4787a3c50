// Ed25519 JWTs through OpenSSL's EVP API: key file handling, compact serialisation, strict verification (alg pinned,
// kid, signature, claim types, exp, iss) and the JWKS document (RFC 8037).
#include "edge/TokenService.h"

#include "edge/Secrets.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace heyo::edge {

namespace {

constexpr size_t kMaxTokenLength = 8192;              // far above a real token; bounds the work an attacker can cause
constexpr int64_t kMaxJsonInteger = 9007199254740991; // 2^53 - 1: beyond it a JSON number is not exact

struct PkeyFree {
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX *p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
    void operator()(BIO *p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

QByteArray b64url(const QByteArray &raw)
{
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// Strict base64url: only the URL alphabet, no padding, and the canonical encoding (so one token has one spelling).
std::optional<QByteArray> fromB64url(std::string_view text)
{
    if (text.size() % 4 == 1)
        return std::nullopt;
    for (char c : text)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return std::nullopt;
    QByteArray in(text.data(), static_cast<qsizetype>(text.size()));
    auto decoded = QByteArray::fromBase64Encoding(in, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals |
                                                          QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || b64url(decoded.decoded) != in)
        return std::nullopt;
    return decoded.decoded;
}

std::optional<QJsonObject> parseObject(const QByteArray &json)
{
    QJsonParseError err{};
    QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

std::optional<int64_t> jsonInteger(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    double d = v.toDouble();
    if (!std::isfinite(d) || std::floor(d) != d || d < 0 || d > static_cast<double>(kMaxJsonInteger))
        return std::nullopt;
    return static_cast<int64_t>(d);
}

std::string toStd(const QString &s)
{
    return s.toStdString();
}

// Writes the PEM to a private temporary file, then link()s it into place: atomic, never overwrites a key another
// process created meanwhile, and the key is never readable by others even for a moment.
bool writeKeyFile(const std::string &path, EVP_PKEY *key, std::string *error)
{
    std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + randomHex(4);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = "cannot create the signing key " + path + ": " + std::strerror(errno);
        return false;
    }
    ::fchmod(fd, 0600); // in case the umask is odd; 0600 is the contract
    FILE *f = ::fdopen(fd, "w");
    if (!f) {
        ::close(fd);
        ::unlink(tmp.c_str());
        *error = "cannot write the signing key " + path;
        return false;
    }
    bool ok = PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1; // PKCS#8
    ok = (std::fflush(f) == 0) && ok;
    ok = (::fsync(fd) == 0) && ok;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) {
        ::unlink(tmp.c_str());
        *error = "cannot write the signing key " + path;
        return false;
    }
    int rc = ::link(tmp.c_str(), path.c_str());
    int linkErrno = errno;
    ::unlink(tmp.c_str());
    if (rc != 0 && linkErrno != EEXIST) {
        *error = "cannot create the signing key " + path + ": " + std::strerror(linkErrno);
        return false;
    }
    return true; // on EEXIST another process won the race; the caller loads its key
}

PkeyPtr readKeyFile(const std::string &path, std::string *error)
{
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) {
        *error = "cannot read the signing key " + path + ": " + std::strerror(errno);
        return nullptr;
    }
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) {
        *error = "the signing key " + path + " is not a PEM private key";
        return nullptr;
    }
    if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
        *error = "the signing key " + path + " is not an Ed25519 key";
        return nullptr;
    }
    return key;
}

} // namespace

struct TokenService::Impl {
    PkeyPtr key;
    std::string issuer;
    std::string kid;
    QByteArray publicX; // the raw 32-byte public key, base64url

    std::string sign(const std::string &input) const
    {
        std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
        unsigned char sig[64];
        size_t sigLen = sizeof sig;
        // Ed25519 is "pure": no digest is given, the whole message goes into one EVP_DigestSign call.
        if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
            EVP_DigestSign(ctx.get(), sig, &sigLen, reinterpret_cast<const unsigned char *>(input.data()),
                           input.size()) != 1)
            return {};
        return std::string(reinterpret_cast<const char *>(sig), sigLen);
    }

    bool verifySignature(std::string_view input, const QByteArray &sig) const
    {
        if (sig.size() != 64)
            return false;
        std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
        return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
               EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(sig.constData()),
                                static_cast<size_t>(sig.size()), reinterpret_cast<const unsigned char *>(input.data()),
                                input.size()) == 1;
    }
};

TokenService::TokenService() : d(std::make_unique<Impl>()) {}

TokenService::~TokenService() = default;

std::unique_ptr<TokenService> TokenService::open(const std::string &keyFile, const std::string &issuer,
                                                 std::string *error)
{
    std::string err;
    auto fail = [&](const std::string &msg) -> std::unique_ptr<TokenService> {
        if (error)
            *error = msg;
        return nullptr;
    };
    if (issuer.empty())
        return fail("the token issuer must not be empty");
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path file(keyFile);
    if (!fs::exists(file, ec)) {
        if (file.has_parent_path() && !fs::is_directory(file.parent_path(), ec)) {
            fs::create_directories(file.parent_path(), ec);
            if (ec)
                return fail("cannot create the directory " + file.parent_path().string() + ": " + ec.message());
            fs::permissions(file.parent_path(), fs::perms::owner_all, ec);
        }
        PkeyPtr fresh(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
        if (!fresh)
            return fail("generating an Ed25519 key failed");
        if (!writeKeyFile(keyFile, fresh.get(), &err))
            return fail(err);
    }
    // A signing key others can read lets them mint tokens: tighten a key file that was copied in with a loose mode.
    struct stat st {};
    if (::stat(keyFile.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
        ::chmod(keyFile.c_str(), 0600);
    PkeyPtr key = readKeyFile(keyFile, &err);
    if (!key)
        return fail(err);

    unsigned char raw[32];
    size_t rawLen = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key.get(), raw, &rawLen) != 1 || rawLen != 32)
        return fail("cannot read the public half of " + keyFile);

    std::unique_ptr<TokenService> service(new TokenService);
    service->d->key = std::move(key);
    service->d->issuer = issuer;
    service->d->publicX = b64url(QByteArray(reinterpret_cast<const char *>(raw), 32));
    // kid = the RFC 7638 thumbprint: stable for the key, different for any other key.
    QByteArray thumbInput = R"({"crv":"Ed25519","kty":"OKP","x":")" + service->d->publicX + R"("})";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdLen = 0;
    EVP_Digest(thumbInput.constData(), static_cast<size_t>(thumbInput.size()), md, &mdLen, EVP_sha256(), nullptr);
    service->d->kid =
        b64url(QByteArray(reinterpret_cast<const char *>(md), static_cast<qsizetype>(mdLen))).toStdString();
    return service;
}

std::string TokenService::issue(const std::string &accountId, const std::string &email, const std::string &apiKeyId,
                                int64_t lifetimeSeconds) const
{
    QJsonObject header{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", QString::fromStdString(d->kid)}};
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    QJsonObject claims{
        {"sub", QString::fromStdString(accountId)},
        {"account_id", QString::fromStdString(accountId)},
        {"email", QString::fromStdString(email)},
        {"iat", static_cast<qint64>(now)},
        {"exp", static_cast<qint64>(now + lifetimeSeconds)},
        {"iss", QString::fromStdString(d->issuer)},
        {"jti", QString::fromStdString(randomHex(16))},
    };
    if (!apiKeyId.empty())
        claims.insert("akid", QString::fromStdString(apiKeyId));
    std::string input = b64url(QJsonDocument(header).toJson(QJsonDocument::Compact)).toStdString() + '.' +
                        b64url(QJsonDocument(claims).toJson(QJsonDocument::Compact)).toStdString();
    std::string sig = d->sign(input);
    if (sig.empty())
        return {};
    return input + '.' + b64url(QByteArray(sig.data(), static_cast<qsizetype>(sig.size()))).toStdString();
}

std::optional<TokenClaims> TokenService::verify(const std::string &token, int64_t now, std::string *reason) const
{
    auto reject = [&](const char *why) -> std::optional<TokenClaims> {
        if (reason)
            *reason = why;
        return std::nullopt;
    };
    if (token.empty() || token.size() > kMaxTokenLength)
        return reject("malformed");
    const size_t dot1 = token.find('.');
    const size_t dot2 = dot1 == std::string::npos ? std::string::npos : token.find('.', dot1 + 1);
    if (dot2 == std::string::npos || token.find('.', dot2 + 1) != std::string::npos)
        return reject("malformed"); // exactly three parts (a JWE has five, an unsecured JWT an empty third)
    const std::string_view all(token);
    auto headerJson = fromB64url(all.substr(0, dot1));
    auto payloadJson = fromB64url(all.substr(dot1 + 1, dot2 - dot1 - 1));
    auto signature = fromB64url(all.substr(dot2 + 1));
    if (!headerJson || !payloadJson || !signature || headerJson->isEmpty() || payloadJson->isEmpty())
        return reject("malformed");

    auto header = parseObject(*headerJson);
    if (!header)
        return reject("malformed");
    // The algorithm is pinned: the header may only confirm it, never choose it ("none", HS256 with the public key...).
    if (header->value("alg") != QJsonValue("EdDSA"))
        return reject("unsupported algorithm");
    if (header->contains("crit"))
        return reject("unsupported header");
    if (header->contains("typ") && header->value("typ") != QJsonValue("JWT"))
        return reject("malformed");
    if (header->value("kid") != QJsonValue(QString::fromStdString(d->kid)))
        return reject("unknown key");
    if (signature->isEmpty())
        return reject("malformed");
    if (!d->verifySignature(all.substr(0, dot2), *signature))
        return reject("bad signature");

    auto payload = parseObject(*payloadJson);
    if (!payload)
        return reject("malformed");
    TokenClaims c;
    const std::pair<const char *, std::string *> required[] = {{"sub", &c.subject},
                                                               {"account_id", &c.accountId},
                                                               {"email", &c.email},
                                                               {"iss", &c.issuer},
                                                               {"jti", &c.tokenId}};
    for (auto [name, field] : required) {
        QJsonValue v = payload->value(QLatin1String(name));
        if (!v.isString() || v.toString().isEmpty())
            return reject("missing claim");
        *field = toStd(v.toString());
    }
    if (payload->contains("akid")) {
        QJsonValue v = payload->value("akid");
        if (!v.isString() || v.toString().isEmpty())
            return reject("malformed");
        c.apiKeyId = toStd(v.toString());
    }
    auto iat = jsonInteger(payload->value("iat"));
    auto exp = jsonInteger(payload->value("exp"));
    if (!iat || !exp)
        return reject("missing claim");
    c.issuedAt = *iat;
    c.expiresAt = *exp;
    if (payload->contains("nbf")) {
        auto nbf = jsonInteger(payload->value("nbf"));
        if (!nbf)
            return reject("malformed");
        if (*nbf > now)
            return reject("not yet valid");
    }
    if (c.expiresAt <= now)
        return reject("expired");
    if (c.issuer != d->issuer)
        return reject("wrong issuer");
    if (reason)
        reason->clear();
    return c;
}

std::string TokenService::jwksJson() const
{
    QJsonObject jwk{{"kty", "OKP"},
                    {"crv", "Ed25519"},
                    {"x", QString::fromLatin1(d->publicX)},
                    {"kid", QString::fromStdString(d->kid)},
                    {"alg", "EdDSA"},
                    {"use", "sig"}};
    QJsonObject doc{{"keys", QJsonArray{jwk}}};
    return QJsonDocument(doc).toJson(QJsonDocument::Compact).toStdString();
}

} // namespace heyo::edge
