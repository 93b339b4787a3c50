// Decides whether a presented JWT is good right now: signature, exp and iss (TokenService), plus — for tokens
// exchanged from an API key — that the key has not been revoked since (cached briefly, per the reference's 30 s).
// A token whose signature verified is remembered until it expires: the signature check (Ed25519 and two JSON
// parses) was most of the edge's CPU per request, and its verdict cannot change while the process runs (a new
// signing key means a restart). Expiry and API-key revocation are still checked on every request.
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

    static constexpr size_t MaxRemembered = 10000; // distinct live tokens kept; the whole set is dropped beyond
    size_t rememberedCount();                      // how many verified tokens are remembered now

private:
    bool apiKeyLive(const std::string &keyId);
    std::optional<TokenClaims> remembered(const std::string &token, int64_t now);
    void remember(const std::string &token, const TokenClaims &claims);

    const TokenService &m_tokens;
    Store &m_store;
    std::chrono::seconds m_keyCacheTtl;
    struct KeyState {
        bool live;
        std::chrono::steady_clock::time_point checkedAt;
    };
    std::mutex m_mutex;
    std::unordered_map<std::string, KeyState> m_keys;
    std::unordered_map<std::string, TokenClaims> m_verified; // token → its claims, signature known good
};

} // namespace heyo::edge
