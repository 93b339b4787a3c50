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
    const int64_t now = std::time(nullptr);
    auto claims = remembered(token, now);
    if (!claims) {
        claims = m_tokens.verify(token, now, reason);
        if (!claims)
            return std::nullopt;
        remember(token, *claims);
    }
    if (!claims->apiKeyId.empty() && !apiKeyLive(claims->apiKeyId)) {
        if (reason)
            *reason = "the API key this token came from was revoked";
        return std::nullopt;
    }
    if (reason)
        reason->clear();
    return claims;
}

std::optional<TokenClaims> TokenVerifier::remembered(const std::string &token, int64_t now)
{
    std::lock_guard lock(m_mutex);
    auto it = m_verified.find(token);
    if (it == m_verified.end())
        return std::nullopt;
    if (it->second.expiresAt <= now) { // expired: forgotten, and the full check says why
        m_verified.erase(it);
        return std::nullopt;
    }
    return it->second;
}

size_t TokenVerifier::rememberedCount()
{
    std::lock_guard lock(m_mutex);
    return m_verified.size();
}

void TokenVerifier::remember(const std::string &token, const TokenClaims &claims)
{
    std::lock_guard lock(m_mutex);
    if (m_verified.size() >= MaxRemembered) // bounded: a flood of distinct tokens cannot grow memory without limit
        m_verified.clear();
    m_verified.emplace(token, claims);
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
