// heyo-edge's SQLite store: one serialised connection per Store, WAL for readers beside a writer in another process,
// a busy timeout so the admin CLI and `serve` can write the same file, and PRAGMA user_version for migrations.
#include "edge/Store.h"

#include "edge/Secrets.h"

#include <openssl/evp.h>
#include <sqlite3.h>

#include <QLoggingCategory>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <thread>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcEdgeStore, "heyo.edge.store")

namespace heyo::edge {

namespace {

constexpr int kSchemaVersion = 2;
constexpr int kBusyTimeoutMs = 5000;

// Each entry moves the schema from version i to i + 1; never edit a released entry, append a new one.
const char *const kMigrations[] = {
    // 0 → 1
    R"sql(
CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);
CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, name)
);
CREATE TABLE endpoints (
    slug       TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    device_id  TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    sandbox    TEXT NOT NULL DEFAULT '',
    target     TEXT NOT NULL,
    port       INTEGER NOT NULL DEFAULT 0,
    private    INTEGER NOT NULL DEFAULT 1,
    status     TEXT NOT NULL DEFAULT 'running',
    created_at INTEGER NOT NULL
);
CREATE INDEX endpoints_account ON endpoints(account_id);
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    label        TEXT NOT NULL DEFAULT '',
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_keys_prefix ON api_keys(prefix);
CREATE INDEX api_keys_account ON api_keys(account_id);
)sql",
    // 1 → 2: endpoints whose app speaks HTTP/2 (h2c)
    R"sql(
ALTER TABLE endpoints ADD COLUMN http2 INTEGER NOT NULL DEFAULT 0;
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

int64_t nowSeconds()
{
    return static_cast<int64_t>(std::time(nullptr));
}

// A prepared statement that finalises itself; binds are 1-based like SQLite's.
class Stmt {
public:
    Stmt(sqlite3 *db, const char *sql)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK) {
            qCWarning(lcEdgeStore, "prepare failed: %s", sqlite3_errmsg(db));
            m_stmt = nullptr;
        }
    }
    ~Stmt() { sqlite3_finalize(m_stmt); }
    Stmt(const Stmt &) = delete;
    Stmt &operator=(const Stmt &) = delete;

    bool ok() const { return m_stmt != nullptr; }
    Stmt &bind(int i, const std::string &v)
    {
        sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Stmt &bind(int i, int64_t v)
    {
        sqlite3_bind_int64(m_stmt, i, v);
        return *this;
    }
    Stmt &bindNull(int i)
    {
        sqlite3_bind_null(m_stmt, i);
        return *this;
    }
    int step() { return m_stmt ? sqlite3_step(m_stmt) : SQLITE_MISUSE; }
    std::string text(int col) const
    {
        auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
        return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(m_stmt, col))) : std::string();
    }
    int64_t integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
    std::optional<int64_t> optInteger(int col) const
    {
        if (sqlite3_column_type(m_stmt, col) == SQLITE_NULL)
            return std::nullopt;
        return integer(col);
    }

private:
    sqlite3_stmt *m_stmt = nullptr;
};

bool exec(sqlite3 *db, const char *sql, std::string *error = nullptr)
{
    char *msg = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
        std::string text = msg ? msg : sqlite3_errstr(rc);
        if (error)
            *error = text;
        else
            qCWarning(lcEdgeStore, "sqlite: %s", text.c_str());
    }
    sqlite3_free(msg);
    return rc == SQLITE_OK;
}

// BEGIN IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so a read-then-write transaction
// can never fail half-way with SQLITE_BUSY because another process wrote in between.
class WriteTransaction {
public:
    explicit WriteTransaction(sqlite3 *db) : m_db(db) { m_active = exec(m_db, "BEGIN IMMEDIATE"); }
    ~WriteTransaction()
    {
        if (m_active)
            exec(m_db, "ROLLBACK");
    }
    bool active() const { return m_active; }
    bool commit()
    {
        if (!m_active)
            return false;
        m_active = false;
        if (exec(m_db, "COMMIT"))
            return true;
        exec(m_db, "ROLLBACK");
        return false;
    }

private:
    sqlite3 *m_db;
    bool m_active = false;
};

bool isDnsLabel(const std::string &s)
{
    if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-')
        return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    return true;
}

// The port of "http://host:PORT[/…]"; 0 when there is none.
int portFromTarget(const std::string &target)
{
    auto scheme = target.find("://");
    size_t hostStart = scheme == std::string::npos ? 0 : scheme + 3;
    size_t hostEnd = target.find('/', hostStart);
    std::string authority =
        target.substr(hostStart, hostEnd == std::string::npos ? std::string::npos : hostEnd - hostStart);
    size_t colon = authority.rfind(':');
    if (colon == std::string::npos || authority.find(']', colon) != std::string::npos)
        return 0;
    int port = 0;
    for (char c : authority.substr(colon + 1)) {
        if (c < '0' || c > '9' || port > 65535)
            return 0;
        port = port * 10 + (c - '0');
    }
    return port <= 65535 ? port : 0;
}

std::string describeOpenError(int rc, sqlite3 *db, const std::string &path)
{
    int primary = rc & 0xff;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
        return "the database " + path + " is corrupt or not a SQLite database (" + sqlite3_errstr(rc) +
               "); move it aside to start with an empty one";
    if (primary == SQLITE_READONLY || primary == SQLITE_PERM)
        return "the database " + path + " is not writable (" + sqlite3_errstr(rc) + ")";
    if (primary == SQLITE_CANTOPEN)
        return "cannot open the database " + path + " (" + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + ")";
    return "cannot use the database " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

Account readAccount(const Stmt &s)
{
    Account a;
    a.id = s.text(0);
    a.email = s.text(1);
    a.name = s.text(2);
    a.passwordHash = s.text(3);
    a.createdAt = s.integer(4);
    return a;
}

constexpr const char *kAccountColumns = "SELECT id, email, name, password_hash, created_at FROM accounts ";

constexpr const char *kEndpointSelect =
    "SELECT e.slug, e.account_id, d.id, d.account_id, d.name, e.sandbox, e.target, e.port, e.private, e.status, "
    "e.created_at, e.http2 FROM endpoints e JOIN devices d ON d.id = e.device_id ";

Endpoint readEndpoint(const Stmt &s)
{
    Endpoint e;
    e.slug = s.text(0);
    e.accountId = s.text(1);
    e.device.id = s.text(2);
    e.device.accountId = s.text(3);
    e.device.name = s.text(4);
    e.sandbox = s.text(5);
    e.target = s.text(6);
    e.port = static_cast<int>(s.integer(7));
    e.isPrivate = s.integer(8) != 0;
    e.status = s.text(9);
    e.createdAt = s.integer(10);
    e.http2 = s.integer(11) != 0;
    return e;
}

constexpr const char *kApiKeySelect =
    "SELECT id, account_id, label, prefix, hash, created_at, last_used_at, revoked_at FROM api_keys ";

ApiKeyRecord readApiKey(const Stmt &s)
{
    ApiKeyRecord k;
    k.id = s.text(0);
    k.accountId = s.text(1);
    k.label = s.text(2);
    k.prefix = s.text(3);
    k.hash = s.text(4);
    k.createdAt = s.integer(5);
    k.lastUsedAt = s.optInteger(6);
    k.revokedAt = s.optInteger(7);
    return k;
}

} // namespace

std::unique_ptr<Store> Store::open(const std::string &path, std::string *error)
{
    auto fail = [&](const std::string &msg) -> std::unique_ptr<Store> {
        if (error)
            *error = msg;
        return nullptr;
    };
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path file(path);
    fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
    if (!fs::is_directory(dir, ec))
        return fail("the data directory " + dir.string() + " does not exist or is not a directory");
    if (fs::is_directory(file, ec))
        return fail("the database path " + path + " is a directory");
    // SQLite needs to create -wal and -shm files beside the database, so the directory itself must be writable.
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        return fail("the data directory " + dir.string() + " is not writable (" + std::strerror(errno) + ")");

    // Create the file ourselves so it is private from the first byte; SQLite gives -wal and -shm the same mode.
    if (!fs::exists(file, ec)) {
        int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            return fail("cannot create the database " + path + ": " + std::strerror(errno));
        if (fd >= 0)
            ::close(fd);
    }

    std::unique_ptr<Store> store(new Store);
    int rc = sqlite3_open_v2(path.c_str(), &store->m_db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK)
        return fail(describeOpenError(rc, store->m_db, path));
    sqlite3_extended_result_codes(store->m_db, 1);
    sqlite3_busy_timeout(store->m_db, kBusyTimeoutMs);

    // The first statement reads the header: this is where "file is not a database" shows up.
    auto pragma = [&](const char *sql) -> std::optional<std::string> {
        char *msg = nullptr;
        int prc = sqlite3_exec(store->m_db, sql, nullptr, nullptr, &msg);
        sqlite3_free(msg);
        if (prc != SQLITE_OK)
            return describeOpenError(prc, store->m_db, path);
        return std::nullopt;
    };
    // Switching a new file to WAL needs the exclusive lock, and SQLite answers SQLITE_BUSY at once for that lock
    // upgrade without calling the busy handler: several processes opening a new store together collide here. Retry
    // for as long as the busy timeout would have waited, then check the mode really is WAL.
    const auto walDeadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    std::string mode;
    auto keepMode = [](void *out, int columns, char **values, char **) {
        if (columns > 0 && values[0])
            *static_cast<std::string *>(out) = values[0];
        return 0;
    };
    for (int attempt = 0;; ++attempt) {
        const int src = sqlite3_exec(store->m_db, "PRAGMA journal_mode=WAL", keepMode, &mode, nullptr);
        if (src == SQLITE_OK)
            break;
        const int primary = src & 0xff;
        if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || std::chrono::steady_clock::now() > walDeadline)
            return fail(describeOpenError(src, store->m_db, path));
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(1 + attempt, 20)));
    }
    if (mode != "wal")
        return fail("the database " + path + " cannot use write-ahead logging (journal mode stays " + mode + ")");
    if (auto e = pragma("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL"))
        return fail(*e);

    auto userVersion = [&]() -> int {
        Stmt s(store->m_db, "PRAGMA user_version");
        return s.step() == SQLITE_ROW ? static_cast<int>(s.integer(0)) : -1;
    };
    int version = userVersion();
    if (version < 0)
        return fail(describeOpenError(sqlite3_errcode(store->m_db), store->m_db, path));
    if (version > kSchemaVersion)
        return fail("the database " + path + " has schema version " + std::to_string(version) +
                    ", newer than this program supports (" + std::to_string(kSchemaVersion) +
                    "); use a newer heyo-edge");
    if (version < kSchemaVersion) {
        WriteTransaction tx(store->m_db);
        if (!tx.active())
            return fail(describeOpenError(sqlite3_errcode(store->m_db), store->m_db, path));
        // Another process may have migrated while we waited for the write lock.
        version = userVersion();
        if (version > kSchemaVersion)
            return fail("the database " + path + " has schema version " + std::to_string(version) +
                        ", newer than this program supports (" + std::to_string(kSchemaVersion) + ")");
        for (int v = version; v < kSchemaVersion; ++v) {
            std::string err;
            if (!exec(store->m_db, kMigrations[v], &err))
                return fail("migrating " + path + " to schema version " + std::to_string(v + 1) + " failed: " + err);
        }
        if (!exec(store->m_db, ("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str()) || !tx.commit())
            return fail(describeOpenError(sqlite3_errcode(store->m_db), store->m_db, path));
    }
    return store;
}

Store::~Store()
{
    if (m_db)
        sqlite3_close_v2(m_db);
}

std::optional<Account> Store::createAccount(const std::string &email, const std::string &name,
                                            const std::string &passwordHash, std::string *error)
{
    auto fail = [&](const std::string &msg) -> std::optional<Account> {
        if (error)
            *error = msg;
        return std::nullopt;
    };
    if (email.empty() || email.find('@') == std::string::npos)
        return fail("invalid email address");
    std::lock_guard lock(m_mutex);
    Account a{newId("acc"), email, name, passwordHash, nowSeconds()};
    Stmt s(m_db, "INSERT INTO accounts (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)");
    s.bind(1, a.id).bind(2, a.email).bind(3, a.name).bind(4, a.passwordHash).bind(5, a.createdAt);
    int rc = s.step();
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return fail("an account with the email " + email + " already exists");
    if (rc != SQLITE_DONE)
        return fail(std::string("database error: ") + sqlite3_errmsg(m_db));
    return a;
}

std::optional<Account> Store::accountByEmail(const std::string &email)
{
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, (std::string(kAccountColumns) + "WHERE email = ? COLLATE NOCASE").c_str());
    s.bind(1, email);
    if (s.step() != SQLITE_ROW)
        return std::nullopt;
    return readAccount(s);
}

std::optional<Account> Store::accountById(const std::string &id)
{
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, (std::string(kAccountColumns) + "WHERE id = ?").c_str());
    s.bind(1, id);
    if (s.step() != SQLITE_ROW)
        return std::nullopt;
    return readAccount(s);
}

bool Store::setPassword(const std::string &accountId, const std::string &passwordHash)
{
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, "UPDATE accounts SET password_hash = ? WHERE id = ?");
    s.bind(1, passwordHash).bind(2, accountId);
    return s.step() == SQLITE_DONE && sqlite3_changes(m_db) > 0;
}

Device Store::deviceFor(const std::string &accountId, const std::string &name)
{
    std::lock_guard lock(m_mutex);
    return deviceForLocked(accountId, name);
}

Device Store::deviceForLocked(const std::string &accountId, const std::string &name)
{
    // INSERT OR IGNORE + SELECT is race-free against other processes thanks to UNIQUE(account_id, name).
    Stmt ins(m_db, "INSERT OR IGNORE INTO devices (id, account_id, name, created_at) VALUES (?, ?, ?, ?)");
    ins.bind(1, newId("dev")).bind(2, accountId).bind(3, name).bind(4, nowSeconds());
    if (ins.step() != SQLITE_DONE)
        qCWarning(lcEdgeStore, "creating a device failed: %s", sqlite3_errmsg(m_db));
    Stmt s(m_db, "SELECT id, account_id, name FROM devices WHERE account_id = ? AND name = ?");
    s.bind(1, accountId).bind(2, name);
    if (s.step() != SQLITE_ROW)
        return Device{};
    return Device{s.text(0), s.text(1), s.text(2)};
}

bool Store::addEndpoint(const Endpoint &endpoint, std::string *error)
{
    auto fail = [&](const std::string &msg) {
        if (error)
            *error = msg;
        return false;
    };
    if (!isDnsLabel(endpoint.slug))
        return fail("invalid slug \"" + endpoint.slug + "\": use 1-63 lowercase letters, digits and '-'");
    if (endpoint.target.empty())
        return fail("an endpoint needs a target");
    if (endpoint.device.id.empty() && endpoint.device.name.empty())
        return fail("an endpoint needs a device (id or name)");

    std::lock_guard lock(m_mutex);
    WriteTransaction tx(m_db);
    if (!tx.active())
        return fail(std::string("database busy: ") + sqlite3_errmsg(m_db));
    {
        Stmt acc(m_db, "SELECT 1 FROM accounts WHERE id = ?");
        acc.bind(1, endpoint.accountId);
        if (acc.step() != SQLITE_ROW)
            return fail("no account with id " + endpoint.accountId);
    }
    std::string deviceId = endpoint.device.id;
    if (deviceId.empty()) {
        deviceId = deviceForLocked(endpoint.accountId, endpoint.device.name).id;
        if (deviceId.empty())
            return fail(std::string("creating the device failed: ") + sqlite3_errmsg(m_db));
    } else {
        Stmt dev(m_db, "SELECT 1 FROM devices WHERE id = ? AND account_id = ?");
        dev.bind(1, deviceId).bind(2, endpoint.accountId);
        if (dev.step() != SQLITE_ROW)
            return fail("the device " + deviceId + " does not belong to the account");
    }
    Stmt s(m_db, "INSERT INTO endpoints (slug, account_id, device_id, sandbox, target, port, private, status, "
                 "created_at, http2) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, endpoint.slug)
        .bind(2, endpoint.accountId)
        .bind(3, deviceId)
        .bind(4, endpoint.sandbox)
        .bind(5, endpoint.target)
        .bind(6, static_cast<int64_t>(endpoint.port ? endpoint.port : portFromTarget(endpoint.target)))
        .bind(7, static_cast<int64_t>(endpoint.isPrivate ? 1 : 0))
        .bind(8, endpoint.status.empty() ? std::string("running") : endpoint.status)
        .bind(9, endpoint.createdAt ? endpoint.createdAt : nowSeconds())
        .bind(10, static_cast<int64_t>(endpoint.http2 ? 1 : 0));
    int rc = s.step();
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        return fail("the slug " + endpoint.slug + " is already taken");
    if (rc != SQLITE_DONE)
        return fail(std::string("database error: ") + sqlite3_errmsg(m_db));
    if (!tx.commit())
        return fail(std::string("database error: ") + sqlite3_errmsg(m_db));
    return true;
}

bool Store::setEndpointTarget(const std::string &slug, const std::string &target)
{
    if (target.empty())
        return false;
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, "UPDATE endpoints SET target = ? WHERE slug = ?");
    s.bind(1, target).bind(2, slug);
    return s.step() == SQLITE_DONE && sqlite3_changes(m_db) > 0;
}

std::optional<Endpoint> Store::endpointBySlug(const std::string &slug)
{
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, (std::string(kEndpointSelect) + "WHERE e.slug = ?").c_str());
    s.bind(1, slug);
    if (s.step() != SQLITE_ROW)
        return std::nullopt;
    return readEndpoint(s);
}

std::vector<Endpoint> Store::endpointsForAccount(const std::string &accountId)
{
    std::lock_guard lock(m_mutex);
    return endpointsForAccountLocked(accountId);
}

std::vector<Endpoint> Store::endpointsForAccountLocked(const std::string &accountId)
{
    std::vector<Endpoint> out;
    Stmt s(m_db, (std::string(kEndpointSelect) + "WHERE e.account_id = ? ORDER BY d.name, e.slug").c_str());
    s.bind(1, accountId);
    while (s.step() == SQLITE_ROW)
        out.push_back(readEndpoint(s));
    return out;
}

std::string Store::endpointsVersion(const std::string &accountId)
{
    // A digest of every field the endpoint list shows: it changes exactly when the list does, whoever wrote it
    // (this process or the admin CLI), and survives restarts.
    std::lock_guard lock(m_mutex);
    std::string blob;
    for (const Endpoint &e : endpointsForAccountLocked(accountId)) {
        for (const std::string *f : {&e.slug, &e.device.id, &e.device.name, &e.sandbox, &e.target, &e.status}) {
            blob += std::to_string(f->size());
            blob += ':';
            blob += *f;
        }
        blob += std::to_string(e.port) + ',' + (e.isPrivate ? "1" : "0") + ',' + std::to_string(e.createdAt) +
                (e.http2 ? ",h2;" : ";");
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdLen = 0;
    EVP_Digest(blob.data(), blob.size(), md, &mdLen, EVP_sha256(), nullptr);
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < 16 && i < mdLen; ++i) {
        hex.push_back(digits[md[i] >> 4]);
        hex.push_back(digits[md[i] & 0x0f]);
    }
    return hex;
}

std::optional<ApiKeyRecord> Store::addApiKey(const std::string &accountId, const std::string &label,
                                             const std::string &prefix, const std::string &hash)
{
    std::lock_guard lock(m_mutex);
    ApiKeyRecord k;
    k.id = newId("key");
    k.accountId = accountId;
    k.label = label;
    k.prefix = prefix;
    k.hash = hash;
    k.createdAt = nowSeconds();
    Stmt s(m_db, "INSERT INTO api_keys (id, account_id, label, prefix, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)");
    s.bind(1, k.id).bind(2, k.accountId).bind(3, k.label).bind(4, k.prefix).bind(5, k.hash).bind(6, k.createdAt);
    if (s.step() != SQLITE_DONE) {
        qCWarning(lcEdgeStore, "adding an API key failed: %s", sqlite3_errmsg(m_db));
        return std::nullopt;
    }
    return k;
}

std::vector<ApiKeyRecord> Store::apiKeysForAccount(const std::string &accountId)
{
    std::lock_guard lock(m_mutex);
    std::vector<ApiKeyRecord> out;
    Stmt s(m_db, (std::string(kApiKeySelect) + "WHERE account_id = ? AND revoked_at IS NULL ORDER BY created_at, rowid")
                     .c_str());
    s.bind(1, accountId);
    while (s.step() == SQLITE_ROW)
        out.push_back(readApiKey(s));
    return out;
}

std::vector<ApiKeyRecord> Store::apiKeysByPrefix(const std::string &prefix)
{
    std::lock_guard lock(m_mutex);
    std::vector<ApiKeyRecord> out;
    Stmt s(m_db, (std::string(kApiKeySelect) + "WHERE prefix = ? AND revoked_at IS NULL ORDER BY rowid").c_str());
    s.bind(1, prefix);
    while (s.step() == SQLITE_ROW)
        out.push_back(readApiKey(s));
    return out;
}

std::optional<ApiKeyRecord> Store::apiKeyById(const std::string &id)
{
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, (std::string(kApiKeySelect) + "WHERE id = ?").c_str());
    s.bind(1, id);
    if (s.step() != SQLITE_ROW)
        return std::nullopt;
    return readApiKey(s);
}

bool Store::revokeApiKey(const std::string &accountId, const std::string &keyId)
{
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL");
    s.bind(1, nowSeconds()).bind(2, keyId).bind(3, accountId);
    return s.step() == SQLITE_DONE && sqlite3_changes(m_db) > 0;
}

int Store::revokeApiKeysByPrefix(const std::string &prefix)
{
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, "UPDATE api_keys SET revoked_at = ? WHERE prefix = ? AND revoked_at IS NULL");
    s.bind(1, nowSeconds()).bind(2, prefix);
    return s.step() == SQLITE_DONE ? sqlite3_changes(m_db) : 0;
}

void Store::touchApiKey(const std::string &keyId, int64_t when)
{
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, "UPDATE api_keys SET last_used_at = ? WHERE id = ?");
    s.bind(1, when).bind(2, keyId);
    if (s.step() != SQLITE_DONE)
        qCWarning(lcEdgeStore, "recording API key use failed: %s", sqlite3_errmsg(m_db));
}

} // namespace heyo::edge
