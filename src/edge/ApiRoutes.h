// The control-plane JSON API (DESIGN §2): sign-in, API-key exchange, account, endpoints with ETag, API keys, JWKS.
// Slow work (bcrypt, SQLite writes) runs on the worker pool; answers are posted back to the exchange's loop.
#pragma once

#include "edge/EdgeConfig.h"
#include "edge/LoginRateLimiter.h"
#include "net/Http.h"

#include <QJsonObject>

#include <optional>
#include <string>

namespace heyo::edge {

class Store;
class TokenService;
class TokenVerifier;
class WorkerPool;
struct Account;
struct TokenClaims;

class ApiRoutes {
public:
    ApiRoutes(const EdgeConfig &config, Store &store, const TokenService &tokens, TokenVerifier &verifier,
              WorkerPool &pool);

    // Answers any /api/… or /.well-known/… request; false when the path is not one of ours.
    bool handle(const net::ExchangePtr &ex);

    // Shared with the login page: checks email/password (on the worker pool) and calls `done` there with the
    // account on success or an error code ("invalid_credentials", "too_many_attempts:<seconds>").
    using SignInDone = std::function<void(std::optional<Account> account, std::string error)>;
    void checkPassword(const std::string &clientAddress, const std::string &email, const std::string &password,
                       SignInDone done);
    void checkApiKey(const std::string &clientAddress, const std::string &apiKey, SignInDone done);
    // A fresh session token for the account (exp per config); `apiKeyId` when exchanged from a key.
    std::string issueToken(const Account &account, const std::string &apiKeyId = {}) const;

private:
    void login(const net::ExchangePtr &ex);
    void exchange(const net::ExchangePtr &ex);
    void me(const net::ExchangePtr &ex, const TokenClaims &claims);
    void endpoints(const net::ExchangePtr &ex, const TokenClaims &claims);
    void createApiKey(const net::ExchangePtr &ex, const TokenClaims &claims);
    void listApiKeys(const net::ExchangePtr &ex, const TokenClaims &claims);
    void revokeApiKey(const net::ExchangePtr &ex, const TokenClaims &claims, const std::string &keyId);

    std::optional<TokenClaims> authenticate(const net::ExchangePtr &ex);
    void sendSession(const net::ExchangePtr &ex, const std::string &token, const Account &account);
    static void answerSignInError(const net::ExchangePtr &ex, const std::string &error);
    // 0 → one attempt reserved for both keys (release it once its outcome is recorded); else seconds to wait.
    int64_t reserveAttempt(const std::string &addressKey, const std::string &accountKey);
    void releaseAttempt(const std::string &addressKey, const std::string &accountKey);

    const EdgeConfig &m_config;
    Store &m_store;
    const TokenService &m_tokens;
    TokenVerifier &m_verifier;
    WorkerPool &m_pool;
    LoginRateLimiter m_failuresByAddress{20, std::chrono::seconds(60)};
    LoginRateLimiter m_failuresByAccount{5, std::chrono::seconds(60)};
    std::string m_dummyHash; // verified against when the account does not exist, so timing does not tell
};

QJsonObject accountJson(const Account &account);

} // namespace heyo::edge
