// Control-plane API handlers.
#include "edge/ApiRoutes.h"

#include "edge/Credentials.h"
#include "edge/Replies.h"
#include "edge/Secrets.h"
#include "edge/Store.h"
#include "edge/TokenService.h"
#include "edge/TokenVerifier.h"
#include "edge/WorkerPool.h"
#include "net/HeaderUtil.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <ctime>

namespace heyo::edge {

namespace {

constexpr size_t kMaxJsonBody = 16 * 1024;
constexpr std::string_view kApiKeysPath = "/api/api-keys/";

std::optional<QJsonObject> parseObject(const std::string &body)
{
    QJsonParseError err{};
    QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(body), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

void badJson(const net::ExchangePtr &ex)
{
    reply::error(ex, 400, "invalid_request", "the request body must be a JSON object");
}

void methodNotAllowed(const net::ExchangePtr &ex, std::string allow)
{
    net::Headers h;
    h.set("Allow", std::move(allow));
    reply::error(ex, 405, "method_not_allowed", "this path does not take that method", std::move(h));
}

// Runs `body` on the worker pool with the exchange kept alive; answers go back through ex->post.
template <typename Fn> void offload(WorkerPool &pool, const net::ExchangePtr &ex, Fn fn)
{
    pool.run([ex, fn = std::move(fn)]() mutable { fn(ex); });
}

// The JSON routes take only `application/json` (parameters such as charset allowed): a browser sends text/plain or
// a form cross-site without a preflight, so accepting those would let any page call the API.
bool refuseNonJson(const net::ExchangePtr &ex)
{
    const std::string *type = ex->request().headers.find("Content-Type");
    std::string_view media = type ? std::string_view(*type) : std::string_view();
    media = media.substr(0, media.find(';'));
    while (!media.empty() && (media.back() == ' ' || media.back() == '\t'))
        media.remove_suffix(1);
    if (net::equalsIgnoreCase(media, "application/json"))
        return false;
    reply::error(ex, 415, "unsupported_media_type", "send the request body as 'Content-Type: application/json'");
    return true;
}

// A state-changing call from a web page of another origin is refused (login lock-out, key creation from a page the
// user happens to visit). Our own clients send neither header; a browser on the API's own origin sends both.
bool refuseCrossSite(const net::ExchangePtr &ex)
{
    const net::Headers &h = ex->request().headers;
    const std::string *origin = h.find("Origin");
    const std::string *host = h.find("Host");
    const std::string *site = h.find("Sec-Fetch-Site");
    const bool foreignOrigin = origin && !(host && net::equalsIgnoreCase(*origin, "https://" + *host));
    const bool foreignSite =
        site && !net::equalsIgnoreCase(*site, "same-origin") && !net::equalsIgnoreCase(*site, "none");
    if (!foreignOrigin && !foreignSite)
        return false;
    reply::error(ex, 403, "cross_site_request", "the API does not take state-changing requests from other sites");
    return true;
}

} // namespace

QJsonObject accountJson(const Account &account)
{
    return QJsonObject{{"id", QString::fromStdString(account.id)},
                       {"email", QString::fromStdString(account.email)},
                       {"name", QString::fromStdString(account.name)}};
}

ApiRoutes::ApiRoutes(const EdgeConfig &config, Store &store, const TokenService &tokens, TokenVerifier &verifier,
                     WorkerPool &pool)
    : m_config(config), m_store(store), m_tokens(tokens), m_verifier(verifier), m_pool(pool),
      m_dummyHash(bcryptHash(randomHex(16)))
{
}

bool ApiRoutes::handle(const net::ExchangePtr &ex)
{
    const auto &req = ex->request();
    std::string_view path = req.path();
    const std::string &method = req.method;

    if (path == "/.well-known/jwks.json") {
        if (method != "GET" && method != "HEAD")
            return methodNotAllowed(ex, "GET, HEAD"), true;
        net::Headers h;
        h.set("Cache-Control", "public, max-age=300");
        h.set("Content-Type", "application/json");
        ex->respond(200, std::move(h), m_tokens.jwksJson());
        return true;
    }
    const bool stateChanging = method != "GET" && method != "HEAD" && method != "OPTIONS";
    if (stateChanging && path.substr(0, 5) == "/api/" && refuseCrossSite(ex))
        return true;
    if (path == "/api/auth/login" || path == "/api/api-keys/exchange") {
        if (method != "POST")
            return methodNotAllowed(ex, "POST"), true;
        if (!refuseNonJson(ex))
            path == "/api/auth/login" ? login(ex) : exchange(ex);
        return true;
    }

    bool isMe = path == "/api/me", isEndpoints = path == "/api/endpoints", isKeys = path == "/api/api-keys";
    bool isKey = path.size() > kApiKeysPath.size() && path.substr(0, kApiKeysPath.size()) == kApiKeysPath &&
                 path.find('/', kApiKeysPath.size()) == std::string_view::npos;
    if (!isMe && !isEndpoints && !isKeys && !isKey) {
        if (path.substr(0, 5) == "/api/") {
            reply::error(ex, 404, "not_found", "no such API route");
            return true;
        }
        return false;
    }
    if ((isMe || isEndpoints) && method != "GET" && method != "HEAD")
        return methodNotAllowed(ex, "GET, HEAD"), true;
    if (isKeys && method != "GET" && method != "POST")
        return methodNotAllowed(ex, "GET, POST"), true;
    if (isKey && method != "DELETE")
        return methodNotAllowed(ex, "DELETE"), true;

    auto claims = authenticate(ex);
    if (!claims)
        return true;
    if (isMe)
        me(ex, *claims);
    else if (isEndpoints)
        endpoints(ex, *claims);
    else if (isKeys && method == "POST") {
        if (!refuseNonJson(ex))
            createApiKey(ex, *claims);
    } else if (isKeys)
        listApiKeys(ex, *claims);
    else
        revokeApiKey(ex, *claims, std::string(path.substr(kApiKeysPath.size())));
    return true;
}

std::optional<TokenClaims> ApiRoutes::authenticate(const net::ExchangePtr &ex)
{
    std::string token = Credentials::bearer(ex->request().headers);
    net::Headers h;
    if (token.empty()) {
        h.set("WWW-Authenticate", "Bearer realm=\"heyo\"");
        reply::error(ex, 401, "missing_token", "send the session token as 'Authorization: Bearer <token>'",
                     std::move(h));
        return std::nullopt;
    }
    std::string reason;
    auto claims = m_verifier.verify(token, &reason);
    if (!claims) {
        h.set("WWW-Authenticate", "Bearer realm=\"heyo\", error=\"invalid_token\"");
        reply::error(ex, 401, "invalid_token", "the token is not valid: " + reason + "; sign in again", std::move(h));
        return std::nullopt;
    }
    return claims;
}

int64_t ApiRoutes::reserveAttempt(const std::string &addressKey, const std::string &accountKey)
{
    // Reserved before the bcrypt, released after its failure is recorded: parallel guesses count from the start.
    auto now = std::chrono::steady_clock::now();
    if (int64_t wait = m_failuresByAddress.reserve(addressKey, now); wait > 0)
        return wait;
    if (accountKey.empty())
        return 0;
    if (int64_t wait = m_failuresByAccount.reserve(accountKey, now); wait > 0) {
        m_failuresByAddress.release(addressKey);
        return wait;
    }
    return 0;
}

void ApiRoutes::releaseAttempt(const std::string &addressKey, const std::string &accountKey)
{
    m_failuresByAddress.release(addressKey);
    if (!accountKey.empty())
        m_failuresByAccount.release(accountKey);
}

void ApiRoutes::checkPassword(const std::string &clientAddress, const std::string &email, const std::string &password,
                              SignInDone done)
{
    std::string addressKey = "address:" + clientAddress;
    std::string accountKey = "email:" + QString::fromStdString(email).toLower().toStdString();
    if (int64_t wait = reserveAttempt(addressKey, accountKey); wait > 0)
        return done(std::nullopt, "too_many_attempts:" + std::to_string(wait));
    m_pool.run([this, email, password, addressKey, accountKey, done = std::move(done)] {
        auto account = m_store.accountByEmail(email);
        bool hasPassword = account && !account->passwordHash.empty();
        bool ok = bcryptVerify(password, hasPassword ? account->passwordHash : m_dummyHash) && hasPassword;
        if (ok) {
            m_failuresByAccount.recordSuccess(accountKey);
        } else {
            auto now = std::chrono::steady_clock::now();
            m_failuresByAddress.recordFailure(addressKey, now);
            m_failuresByAccount.recordFailure(accountKey, now);
        }
        releaseAttempt(addressKey, accountKey);
        ok ? done(account, {}) : done(std::nullopt, "invalid_credentials");
    });
}

void ApiRoutes::checkApiKey(const std::string &clientAddress, const std::string &apiKey, SignInDone done)
{
    std::string addressKey = "address:" + clientAddress;
    if (int64_t wait = reserveAttempt(addressKey, {}); wait > 0)
        return done(std::nullopt, "too_many_attempts:" + std::to_string(wait));
    if (!isWellFormedApiKey(apiKey)) {
        m_failuresByAddress.recordFailure(addressKey, std::chrono::steady_clock::now());
        releaseAttempt(addressKey, {});
        return done(std::nullopt, "invalid_api_key");
    }
    m_pool.run([this, apiKey, addressKey, done = std::move(done)] {
        for (const ApiKeyRecord &candidate : m_store.apiKeysByPrefix(apiKeyPrefix(apiKey))) {
            if (!bcryptVerify(apiKey, candidate.hash))
                continue;
            auto account = m_store.accountById(candidate.accountId);
            if (!account)
                break;
            m_store.touchApiKey(candidate.id, std::time(nullptr));
            releaseAttempt(addressKey, {});
            return done(account, "key:" + candidate.id);
        }
        m_failuresByAddress.recordFailure(addressKey, std::chrono::steady_clock::now());
        releaseAttempt(addressKey, {});
        done(std::nullopt, "invalid_api_key");
    });
}

std::string ApiRoutes::issueToken(const Account &account, const std::string &apiKeyId) const
{
    return m_tokens.issue(account.id, account.email, apiKeyId, m_config.tokenLifetimeSeconds);
}

void ApiRoutes::answerSignInError(const net::ExchangePtr &ex, const std::string &error)
{
    if (error.rfind("too_many_attempts:", 0) == 0) {
        std::string seconds = error.substr(error.find(':') + 1);
        net::Headers h;
        h.set("Retry-After", seconds);
        reply::error(ex, 429, "too_many_attempts", "too many failed sign-in attempts; try again in " + seconds + " s",
                     std::move(h));
    } else if (error == "invalid_api_key") {
        reply::error(ex, 401, "invalid_api_key", "the API key is unknown or has been revoked");
    } else {
        reply::error(ex, 401, "invalid_credentials", "the email or password is incorrect");
    }
}

void ApiRoutes::sendSession(const net::ExchangePtr &ex, const std::string &token, const Account &account)
{
    auto claims = m_tokens.verify(token, std::time(nullptr));
    int64_t exp = claims ? claims->expiresAt : std::time(nullptr) + m_config.tokenLifetimeSeconds;
    reply::json(ex, 200,
                QJsonObject{{"token", QString::fromStdString(token)},
                            {"expires_at", reply::isoTime(exp)},
                            {"account", accountJson(account)}});
}

void ApiRoutes::login(const net::ExchangePtr &ex)
{
    ex->readBody(kMaxJsonBody, [this, ex](std::string body) {
        auto obj = parseObject(body);
        if (!obj)
            return badJson(ex);
        QString email = obj->value("email").toString().trimmed(), password = obj->value("password").toString();
        if (email.isEmpty() || password.isEmpty())
            return reply::error(ex, 400, "invalid_request", "both \"email\" and \"password\" are required");
        checkPassword(ex->peer().address, email.toStdString(), password.toStdString(),
                      [this, ex](std::optional<Account> account, std::string error) {
                          if (!account)
                              return ex->post([ex, error] { answerSignInError(ex, error); });
                          std::string token = issueToken(*account);
                          ex->post([this, ex, token, account] { sendSession(ex, token, *account); });
                      });
    });
}

void ApiRoutes::exchange(const net::ExchangePtr &ex)
{
    ex->readBody(kMaxJsonBody, [this, ex](std::string body) {
        auto obj = parseObject(body);
        if (!obj)
            return badJson(ex);
        std::string key = obj->value("api_key").toString().trimmed().toStdString();
        if (key.empty())
            return reply::error(ex, 400, "invalid_request", "\"api_key\" is required");
        checkApiKey(ex->peer().address, key, [this, ex](std::optional<Account> account, std::string result) {
            if (!account)
                return ex->post([ex, result] { answerSignInError(ex, result); });
            std::string token = issueToken(*account, result.substr(4)); // result = "key:<id>"
            ex->post([this, ex, token, account] { sendSession(ex, token, *account); });
        });
    });
}

void ApiRoutes::me(const net::ExchangePtr &ex, const TokenClaims &claims)
{
    auto account = m_store.accountById(claims.accountId);
    if (!account)
        return reply::error(ex, 401, "invalid_token", "the account of this token no longer exists");
    reply::json(ex, 200, QJsonObject{{"account", accountJson(*account)}});
}

static bool etagMatches(const std::string *ifNoneMatch, const std::string &etag)
{
    if (!ifNoneMatch)
        return false;
    QString value = QString::fromStdString(*ifNoneMatch);
    for (QString candidate : value.split(',')) {
        candidate = candidate.trimmed();
        if (candidate.startsWith("W/"))
            candidate = candidate.mid(2);
        if (candidate == "*" || candidate.toStdString() == etag)
            return true;
    }
    return false;
}

void ApiRoutes::endpoints(const net::ExchangePtr &ex, const TokenClaims &claims)
{
    std::string etag = "\"" + m_store.endpointsVersion(claims.accountId) + "\"";
    net::Headers h;
    h.set("ETag", etag);
    h.set("Cache-Control", "private, no-cache");
    if (etagMatches(ex->request().headers.find("If-None-Match"), etag))
        return ex->respond(304, std::move(h), {});
    QJsonArray list;
    for (const Endpoint &e : m_store.endpointsForAccount(claims.accountId)) {
        list.append(QJsonObject{
            {"slug", QString::fromStdString(e.slug)},
            {"url", QString::fromStdString(m_config.endpointUrl(e.slug))},
            {"port", e.port},
            {"private", e.isPrivate},
            {"http2", e.http2},
            {"status", QString::fromStdString(e.status)},
            {"device",
             QJsonObject{{"id", QString::fromStdString(e.device.id)}, {"name", QString::fromStdString(e.device.name)}}},
            {"sandbox", QString::fromStdString(e.sandbox)},
            {"created_at", reply::isoTime(e.createdAt)},
        });
    }
    reply::json(ex, 200, QJsonObject{{"endpoints", list}}, std::move(h));
}

static QJsonObject apiKeyJson(const ApiKeyRecord &key)
{
    return QJsonObject{{"id", QString::fromStdString(key.id)},
                       {"label", QString::fromStdString(key.label)},
                       {"prefix", QString::fromStdString(key.prefix)},
                       {"created_at", reply::isoTime(key.createdAt)},
                       {"last_used_at", key.lastUsedAt ? QJsonValue(reply::isoTime(*key.lastUsedAt)) : QJsonValue()}};
}

void ApiRoutes::createApiKey(const net::ExchangePtr &ex, const TokenClaims &claims)
{
    ex->readBody(kMaxJsonBody, [this, ex, accountId = claims.accountId](std::string body) {
        auto obj = parseObject(body);
        if (!obj)
            return badJson(ex);
        QString label = obj->value("label").toString().trimmed();
        if (label.isEmpty() || label.size() > 100)
            return reply::error(ex, 400, "invalid_request", "\"label\" is required (1 to 100 characters)");
        offload(m_pool, ex, [this, accountId, label](const net::ExchangePtr &ex) {
            std::string key = newApiKey();
            auto record = m_store.addApiKey(accountId, label.toStdString(), apiKeyPrefix(key), bcryptHash(key));
            ex->post([ex, record, key] {
                if (!record)
                    return reply::error(ex, 500, "internal", "the key could not be stored; try again");
                QJsonObject out{{"id", QString::fromStdString(record->id)},
                                {"label", QString::fromStdString(record->label)},
                                {"key", QString::fromStdString(key)},
                                {"prefix", QString::fromStdString(record->prefix)},
                                {"created_at", reply::isoTime(record->createdAt)}};
                reply::json(ex, 201, out);
            });
        });
    });
}

void ApiRoutes::listApiKeys(const net::ExchangePtr &ex, const TokenClaims &claims)
{
    QJsonArray list;
    for (const ApiKeyRecord &key : m_store.apiKeysForAccount(claims.accountId))
        list.append(apiKeyJson(key));
    reply::json(ex, 200, QJsonObject{{"api_keys", list}});
}

void ApiRoutes::revokeApiKey(const net::ExchangePtr &ex, const TokenClaims &claims, const std::string &keyId)
{
    if (!m_store.revokeApiKey(claims.accountId, keyId))
        return reply::error(ex, 404, "not_found", "no live API key with that id in this account");
    ex->respond(204, {}, {});
}

} // namespace heyo::edge
