// JWT verification with API-key revocation.
#include "edge/TokenVerifier.h"

#include "edge/Store.h"

#include <ctime>

namespace heyo::edge {

TokenVerifier::TokenVerifier(const TokenService &tokens, Store &store, std::chrono::seconds keyCacheTtl)
    : m_tokens(tokens), m_store(store), m_keyCacheTtl(keyCacheTtl)
{
}

std::optional<TokenClaims> TokenVerifier::verify(const std::string &token, std::string *reason)
{
    auto claims = m_tokens.verify(token, std::time(nullptr), reason);
    if (!claims)
        return std::nullopt;
    if (!claims->apiKeyId.empty() && !apiKeyLive(claims->apiKeyId)) {
        if (reason)
            *reason = "the API key this token came from was revoked";
        return std::nullopt;
    }
    return claims;
}

bool TokenVerifier::apiKeyLive(const std::string &keyId)
{
    auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(m_mutex);
        auto it = m_keys.find(keyId);
        if (it != m_keys.end() && now - it->second.checkedAt < m_keyCacheTtl)
            return it->second.live;
    }
    auto key = m_store.apiKeyById(keyId);
    bool live = key && !key->revokedAt;
    std::lock_guard lock(m_mutex);
    if (m_keys.size() > 100000) // bounded: a flood of distinct ids cannot grow memory without limit
        m_keys.clear();
    m_keys[keyId] = {live, now};
    return live;
}

} // namespace heyo::edge
