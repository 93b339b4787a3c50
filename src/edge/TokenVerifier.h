// Decides whether a presented JWT is good right now: signature, exp and iss (TokenService), plus — for tokens
// exchanged from an API key — that the key has not been revoked since (cached briefly, per the reference's 30 s).
#pragma once

#include "edge/TokenService.h"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace heyo::edge {

class Store;

class TokenVerifier {
public:
    TokenVerifier(const TokenService &tokens, Store &store, std::chrono::seconds keyCacheTtl);
    std::optional<TokenClaims> verify(const std::string &token, std::string *reason);

private:
    bool apiKeyLive(const std::string &keyId);

    const TokenService &m_tokens;
    Store &m_store;
    std::chrono::seconds m_keyCacheTtl;
    struct KeyState {
        bool live;
        std::chrono::steady_clock::time_point checkedAt;
    };
    std::mutex m_mutex;
    std::unordered_map<std::string, KeyState> m_keys;
};

} // namespace heyo::edge
