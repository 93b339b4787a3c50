// Issues and verifies the service's JWTs: Ed25519 (alg "EdDSA" pinned), claims sub, account_id, email, iat, exp,
// iss, jti, and akid when the token was exchanged from an API key (so revoking the key can end the token too).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace heyo::edge {

struct TokenClaims {
    std::string subject; // sub
    std::string accountId;
    std::string email;
    int64_t issuedAt = 0;  // iat
    int64_t expiresAt = 0; // exp
    std::string issuer;    // iss
    std::string tokenId;   // jti
    std::string apiKeyId;  // akid, empty unless exchanged from an API key
};

class TokenService {
public:
    // Loads the signing key from `keyFile` (PEM, PKCS#8), creating it (mode 0600) if absent.
    static std::unique_ptr<TokenService> open(const std::string &keyFile, const std::string &issuer,
                                              std::string *error);
    ~TokenService();

    // Fills iat/exp/iss/jti; `lifetimeSeconds` defaults to one hour.
    std::string issue(const std::string &accountId, const std::string &email, const std::string &apiKeyId = {},
                      int64_t lifetimeSeconds = 3600) const;
    // Signature, alg, exp and iss checked; `*reason` says why not ("expired", "bad signature", "malformed", ...).
    std::optional<TokenClaims> verify(const std::string &token, int64_t now, std::string *reason = nullptr) const;
    // {"keys":[{"kty":"OKP","crv":"Ed25519","x":…,"kid":…,"alg":"EdDSA","use":"sig"}]}
    std::string jwksJson() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
    TokenService();
};

} // namespace heyo::edge
