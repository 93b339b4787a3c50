// bcrypt through libxcrypt's reentrant API, API keys and ids from OpenSSL's CSPRNG, constant-time comparison.
#include "edge/Secrets.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace heyo::edge {

namespace {

constexpr std::string_view kApiKeyPrefix = "heyo_";
constexpr size_t kApiKeyHexLength = 64;

void randomBytes(unsigned char *out, size_t n)
{
    // RAND_bytes failing means the CSPRNG is unusable; continuing would hand out guessable secrets.
    if (RAND_bytes(out, static_cast<int>(n)) != 1)
        throw std::runtime_error("CSPRNG failure (RAND_bytes)");
}

} // namespace

std::string randomHex(size_t bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string raw(bytes, '\0');
    randomBytes(reinterpret_cast<unsigned char *>(raw.data()), bytes);
    std::string out;
    out.reserve(bytes * 2);
    for (unsigned char c : raw) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 0x0f]);
    }
    OPENSSL_cleanse(raw.data(), raw.size());
    return out;
}

std::string newId(std::string_view prefix)
{
    std::string id(prefix);
    id += '_';
    id += randomHex(8);
    return id;
}

std::string bcryptHash(std::string_view secret, int cost)
{
    if (cost < 4 || cost > 31)
        throw std::invalid_argument("bcrypt cost out of range");
    unsigned char salt[16];
    randomBytes(salt, sizeof salt);
    // crypt() stops at the first NUL; a secret with an embedded NUL would silently hash only its first part.
    if (secret.find('\0') != std::string_view::npos)
        return {};
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), reinterpret_cast<const char *>(salt), sizeof salt,
                          setting, sizeof setting))
        throw std::runtime_error("crypt_gensalt_rn failed");
    const std::string phrase(secret);
    auto data = std::make_unique<crypt_data>(); // ~32 KB: keep it off the stack; per call, so thread-safe
    const char *out = crypt_rn(phrase.c_str(), setting, data.get(), sizeof(crypt_data));
    if (!out || out[0] == '*')
        throw std::runtime_error("bcrypt hashing failed");
    std::string hash(out);
    OPENSSL_cleanse(data.get(), sizeof(crypt_data));
    return hash;
}

bool bcryptVerify(std::string_view secret, const std::string &hash)
{
    // Only bcrypt hashes are accepted: anything else (empty = password sign-in disabled, "*", DES) is a refusal.
    if (hash.size() != 60 || hash.compare(0, 2, "$2") != 0)
        return false;
    if (secret.find('\0') != std::string_view::npos)
        return false;
    const std::string phrase(secret);
    auto data = std::make_unique<crypt_data>();
    const char *out = crypt_rn(phrase.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
    bool ok =
        out && out[0] != '*' && std::strlen(out) == hash.size() && CRYPTO_memcmp(out, hash.data(), hash.size()) == 0;
    OPENSSL_cleanse(data.get(), sizeof(crypt_data));
    return ok;
}

std::string newApiKey()
{
    std::string key(kApiKeyPrefix);
    key += randomHex(kApiKeyHexLength / 2);
    return key;
}

bool isWellFormedApiKey(std::string_view key)
{
    if (key.size() != kApiKeyPrefix.size() + kApiKeyHexLength || key.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix)
        return false;
    for (char c : key.substr(kApiKeyPrefix.size()))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

std::string apiKeyPrefix(std::string_view key)
{
    return std::string(key.substr(0, 12));
}

bool constantTimeEquals(std::string_view a, std::string_view b)
{
    // The length is not secret here (keys and tokens have public formats); the content is.
    if (a.size() != b.size())
        return false;
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace heyo::edge
