// heyo-edge's SQLite store: accounts, devices, endpoints, API keys. Safe for concurrent use from many threads and
// from other processes on the same file (WAL, busy timeout); schema versioned with forward migrations.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace heyo::edge {

struct Account {
    std::string id; // public id, "acc_" + 16 hex
    std::string email;
    std::string name;
    std::string passwordHash; // bcrypt; empty → password sign-in disabled
    int64_t createdAt = 0;    // unix seconds
};

struct Device {
    std::string id; // "dev_" + 16 hex
    std::string accountId;
    std::string name;
};

struct Endpoint {
    std::string slug; // unique across the service
    std::string accountId;
    Device device;
    std::string sandbox;
    std::string target; // "http://127.0.0.1:PORT" — where the edge proxies to
    int port = 0;       // the sandbox port the endpoint exposes (from target)
    bool isPrivate = true;
    bool http2 = false; // the app speaks HTTP/2 in plain text (h2c, prior knowledge): gRPC and the like
    std::string status = "running";
    int64_t createdAt = 0;
};

struct ApiKeyRecord {
    std::string id; // "key_" + 16 hex
    std::string accountId;
    std::string label;
    std::string prefix; // first 12 characters of the key, for display and lookup
    std::string hash;   // bcrypt of the whole key
    int64_t createdAt = 0;
    std::optional<int64_t> lastUsedAt;
    std::optional<int64_t> revokedAt;
};

class Store {
public:
    // Opens (creating if needed) the database at `path`; nullptr and `*error` on a bad directory, a file that is not
    // a database, or a schema newer than this program.
    static std::unique_ptr<Store> open(const std::string &path, std::string *error);
    ~Store();

    std::optional<Account> createAccount(const std::string &email, const std::string &name,
                                         const std::string &passwordHash, std::string *error); // duplicate → error
    std::optional<Account> accountByEmail(const std::string &email);                           // case-insensitive
    std::optional<Account> accountById(const std::string &id);
    bool setPassword(const std::string &accountId, const std::string &passwordHash);

    Device deviceFor(const std::string &accountId, const std::string &name); // finds or creates

    // slug must be a DNS label (lowercase letters, digits, '-'); duplicate slug → error
    bool addEndpoint(const Endpoint &endpoint, std::string *error);
    bool setEndpointTarget(const std::string &slug, const std::string &target);
    std::optional<Endpoint> endpointBySlug(const std::string &slug);
    std::vector<Endpoint> endpointsForAccount(const std::string &accountId); // ordered by device name, slug
    // Changes whenever the account's endpoint list changes: the basis of the ETag.
    std::string endpointsVersion(const std::string &accountId);

    std::optional<ApiKeyRecord> addApiKey(const std::string &accountId, const std::string &label,
                                          const std::string &prefix, const std::string &hash);
    std::vector<ApiKeyRecord> apiKeysForAccount(const std::string &accountId); // revoked ones excluded
    std::vector<ApiKeyRecord> apiKeysByPrefix(const std::string &prefix);      // revoked ones excluded
    std::optional<ApiKeyRecord> apiKeyById(const std::string &id);             // revoked ones included
    bool revokeApiKey(const std::string &accountId, const std::string &keyId); // false: no such live key
    int revokeApiKeysByPrefix(const std::string &prefix);                      // how many were revoked
    void touchApiKey(const std::string &keyId, int64_t when);

private:
    Store() = default;
    Device deviceForLocked(const std::string &accountId, const std::string &name);
    std::vector<Endpoint> endpointsForAccountLocked(const std::string &accountId);
    sqlite3 *m_db = nullptr;
    std::mutex m_mutex; // one connection, serialised; SQLite WAL handles other processes
};

} // namespace heyo::edge
