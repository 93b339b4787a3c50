// Local-mode TLS material with the OpenSSL 3 API: a P-256 CA (name-constrained to loopback names) and a server
// certificate it signs, kept under DIR/tls, reused across starts and renewed when near expiry or the domain changed.
#include "edge/CertificateAuthority.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <QLoggingCategory>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

Q_LOGGING_CATEGORY(lcEdgeTls, "heyo.edge.tls")

namespace heyo::edge {

namespace {

constexpr long kDay = 24 * 60 * 60;
constexpr long kCaLifetime = 3650 * kDay;
constexpr long kServerLifetime = 825 * kDay; // the CA/Browser Forum maximum Apple and others still enforce
constexpr long kBackdate = 3600; // notBefore an hour back, for clocks a little behind; lifetimes count from it
constexpr long kRenewBefore = 30 * kDay;

template <typename T, void (*F)(T *)> struct Deleter {
    void operator()(T *p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

bool isDnsName(const std::string &name)
{
    if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.')
        return false;
    size_t label = 0;
    for (size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (c == '.') {
            if (label == 0 || name[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
        if (c == '-' && label == 0)
            return false;
        if (++label > 63)
            return false;
    }
    return name.back() != '-';
}

std::string fileText(const std::string &path, std::string *error)
{
    std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) {
        *error = "cannot read " + path + ": " + std::strerror(errno);
        return {};
    }
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0)
        out.append(buf, n);
    return out;
}

// All certificates in a PEM file, in order.
std::vector<X509Ptr> readCerts(const std::string &path, std::string *error)
{
    std::vector<X509Ptr> certs;
    std::string text = fileText(path, error);
    if (text.empty()) {
        if (error->empty())
            *error = path + " is empty";
        return certs;
    }
    BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    while (X509 *x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        certs.emplace_back(x);
    if (certs.empty())
        *error = path + " does not contain a PEM certificate";
    return certs;
}

PkeyPtr readKey(const std::string &path, std::string *error)
{
    std::string text = fileText(path, error);
    if (text.empty()) {
        if (error->empty())
            *error = path + " is empty";
        return nullptr;
    }
    BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    OPENSSL_cleanse(text.data(), text.size());
    if (!key)
        *error = path + " does not contain a PEM private key";
    return key;
}

// Writes beside the target and renames over it, so a reader never sees half a file and a key is never briefly
// readable by others.
bool writeFileAtomic(const std::string &path, const std::string &data, mode_t mode, std::string *error)
{
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    ::unlink(tmp.c_str());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        *error = "cannot write " + path + ": " + std::strerror(errno);
        return false;
    }
    ::fchmod(fd, mode);
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *error = "cannot write " + path + ": " + std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return false;
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        *error = "cannot write " + path + ": " + std::strerror(errno);
        ::unlink(tmp.c_str());
        return false;
    }
    return true;
}

std::string pemOf(X509 *cert)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert);
    char *data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

std::string pemOf(EVP_PKEY *key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr); // PKCS#8
    char *data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    std::string out(data, static_cast<size_t>(len));
    OPENSSL_cleanse(data, static_cast<size_t>(len));
    return out;
}

bool addExtension(X509 *cert, X509 *issuer, int nid, const std::string &value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool setRandomSerial(X509 *cert)
{
    std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> bn(BN_new());
    // 127 random bits: positive, unique per certificate, within the 20-octet limit.
    if (!bn || BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1)
        return false;
    return BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool setName(X509_NAME *name, const std::string &commonName)
{
    return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>("Heyo Access (local)"), -1, -1, 0) == 1 &&
           X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(commonName.c_str()), -1, -1, 0) == 1;
}

PkeyPtr newP256Key()
{
    return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

// The CA may only vouch for loopback names: if its key ever leaked it could not impersonate real sites.
std::string nameConstraintsFor(const std::string &domain)
{
    std::string nc = "critical,permitted;DNS:localhost,permitted;IP:127.0.0.0/255.0.0.0,"
                     "permitted;IP:::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
    if (domain != "localhost" && !(domain.size() > 10 && domain.compare(domain.size() - 10, 10, ".localhost") == 0))
        nc += ",permitted;DNS:" + domain;
    return nc;
}

bool makeCa(const std::string &domain, PkeyPtr *keyOut, X509Ptr *certOut)
{
    PkeyPtr key = newP256Key();
    X509Ptr cert(X509_new());
    if (!key || !cert)
        return false;
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    const std::string cn = std::string("Heyo Access local CA (") + host + ")";
    bool ok = X509_set_version(cert.get(), X509_VERSION_3) == 1 && setRandomSerial(cert.get()) &&
              setName(X509_get_subject_name(cert.get()), cn) &&
              X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1 &&
              X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdate) &&
              X509_gmtime_adj(X509_getm_notAfter(cert.get()), kCaLifetime - kBackdate) &&
              X509_set_pubkey(cert.get(), key.get()) == 1 &&
              addExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
              addExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") &&
              addExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash") &&
              addExtension(cert.get(), cert.get(), NID_authority_key_identifier, "keyid:always") &&
              addExtension(cert.get(), cert.get(), NID_name_constraints, nameConstraintsFor(domain)) &&
              X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
    if (!ok)
        return false;
    *keyOut = std::move(key);
    *certOut = std::move(cert);
    return true;
}

bool makeServer(const std::string &domain, X509 *ca, EVP_PKEY *caKey, PkeyPtr *keyOut, X509Ptr *certOut)
{
    PkeyPtr key = newP256Key();
    X509Ptr cert(X509_new());
    if (!key || !cert)
        return false;
    std::string san = "DNS:localhost";
    if (domain != "localhost")
        san += ",DNS:" + domain;
    san += ",DNS:*." + domain + ",IP:127.0.0.1,IP:::1";
    bool ok = X509_set_version(cert.get(), X509_VERSION_3) == 1 && setRandomSerial(cert.get()) &&
              setName(X509_get_subject_name(cert.get()), domain) &&
              X509_set_issuer_name(cert.get(), X509_get_subject_name(ca)) == 1 &&
              X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdate) &&
              X509_gmtime_adj(X509_getm_notAfter(cert.get()), kServerLifetime - kBackdate) &&
              X509_set_pubkey(cert.get(), key.get()) == 1 &&
              addExtension(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE") &&
              addExtension(cert.get(), ca, NID_key_usage, "critical,digitalSignature") &&
              addExtension(cert.get(), ca, NID_ext_key_usage, "serverAuth") &&
              addExtension(cert.get(), ca, NID_subject_alt_name, san) &&
              addExtension(cert.get(), ca, NID_subject_key_identifier, "hash") &&
              addExtension(cert.get(), ca, NID_authority_key_identifier, "keyid:always") &&
              X509_sign(cert.get(), caKey, EVP_sha256()) > 0;
    if (!ok)
        return false;
    *keyOut = std::move(key);
    *certOut = std::move(cert);
    return true;
}

bool expiresWithin(X509 *cert, long seconds)
{
    time_t limit = std::time(nullptr) + seconds;
    return X509_cmp_time(X509_get0_notAfter(cert), &limit) <= 0;
}

// The same checks a client makes: chain to the CA, purpose serverAuth, every name the service answers to.
bool serverCertGood(X509 *server, X509 *ca, const std::string &domain, std::string *why)
{
    StorePtr store(X509_STORE_new());
    StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!store || !ctx || X509_STORE_add_cert(store.get(), ca) != 1 ||
        X509_STORE_CTX_init(ctx.get(), store.get(), server, nullptr) != 1) {
        *why = "cannot set up verification";
        return false;
    }
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
    if (X509_verify_cert(ctx.get()) != 1) {
        *why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
        return false;
    }
    for (const std::string &name : {std::string("localhost"), domain, "any-slug." + domain}) {
        if (X509_check_host(server, name.c_str(), name.size(), 0, nullptr) != 1) {
            *why = "does not cover " + name;
            return false;
        }
    }
    for (const char *ip : {"127.0.0.1", "::1"}) {
        if (X509_check_ip_asc(server, ip, 0) != 1) {
            *why = std::string("does not cover ") + ip;
            return false;
        }
    }
    if (expiresWithin(server, kRenewBefore)) {
        *why = "expires within 30 days";
        return false;
    }
    return true;
}

// Serialises concurrent starts on the same data directory (two `serve`s, or tests) while files are replaced.
class DirLock {
public:
    explicit DirLock(const std::string &path)
    {
        m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (m_fd >= 0)
            ::flock(m_fd, LOCK_EX);
    }
    ~DirLock()
    {
        if (m_fd >= 0)
            ::close(m_fd); // releases the lock
    }
    bool ok() const { return m_fd >= 0; }

private:
    int m_fd = -1;
};

} // namespace

bool ensureLocalTls(const std::string &dataDir, const std::string &domain, TlsFiles *files, std::string *error)
{
    std::string err;
    auto fail = [&](const std::string &msg) {
        if (error)
            *error = msg;
        return false;
    };
    if (!isDnsName(domain))
        return fail("invalid domain \"" + domain + "\": use lowercase DNS labels, e.g. heyo.localhost");
    // TLS clients refuse a wildcard directly under a single label (*.localhost), so endpoints need two.
    if (domain.find('.') == std::string::npos)
        return fail("the domain \"" + domain + "\" needs at least two labels (e.g. heyo." + domain +
                    ") so that *.<domain> is a certificate name clients accept");

    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path tlsDir = fs::path(dataDir) / "tls";
    fs::create_directories(tlsDir, ec);
    if (ec || !fs::is_directory(tlsDir))
        return fail("cannot create the directory " + tlsDir.string() + ": " +
                    (ec ? ec.message() : std::string("not a directory")));
    if (::chmod(tlsDir.c_str(), 0700) != 0 || ::access(tlsDir.c_str(), W_OK | X_OK) != 0)
        return fail("the directory " + tlsDir.string() + " is not writable: " + std::strerror(errno));

    const std::string caCert = (tlsDir / "ca.pem").string(), caKeyFile = (tlsDir / "ca-key.pem").string();
    const std::string serverCert = (tlsDir / "server.pem").string();
    const std::string serverKeyFile = (tlsDir / "server-key.pem").string();

    DirLock lock((tlsDir / ".lock").string());
    if (!lock.ok())
        return fail("cannot lock " + tlsDir.string() + ": " + std::strerror(errno));

    // The CA: clients were pointed at it, so an existing one is only replaced when it is about to expire; one that
    // cannot be read is an error for the operator, never silently overwritten.
    X509Ptr ca;
    PkeyPtr caKey;
    const bool haveCaCert = fs::exists(caCert, ec), haveCaKey = fs::exists(caKeyFile, ec);
    bool newCa = false;
    if (haveCaCert || haveCaKey) {
        if (!haveCaCert || !haveCaKey)
            return fail("incomplete CA in " + tlsDir.string() + ": " + (haveCaCert ? caKeyFile : caCert) +
                        " is missing; remove " + (haveCaCert ? caCert : caKeyFile) + " to create a new CA");
        auto certs = readCerts(caCert, &err);
        if (certs.empty())
            return fail(err);
        caKey = readKey(caKeyFile, &err);
        if (!caKey)
            return fail(err);
        ca = std::move(certs.front());
        if (X509_check_private_key(ca.get(), caKey.get()) != 1)
            return fail(caKeyFile + " does not belong to " + caCert);
        ::chmod(caKeyFile.c_str(), 0600);
        if (expiresWithin(ca.get(), kRenewBefore)) {
            qCInfo(lcEdgeTls, "the local CA %s expires within 30 days: creating a new one", caCert.c_str());
            ca.reset();
            caKey.reset();
        }
    }
    if (!ca) {
        if (!makeCa(domain, &caKey, &ca))
            return fail("creating the local CA failed");
        if (!writeFileAtomic(caKeyFile, pemOf(caKey.get()), 0600, &err) ||
            !writeFileAtomic(caCert, pemOf(ca.get()), 0644, &err))
            return fail(err);
        newCa = true;
    }

    // The server certificate is derived material: anything wrong with it (unreadable, another CA, near expiry, a
    // changed domain) just means a new one.
    bool reuse = false;
    if (!newCa && fs::exists(serverCert, ec) && fs::exists(serverKeyFile, ec)) {
        std::string readErr, why;
        auto chain = readCerts(serverCert, &readErr);
        PkeyPtr key = chain.empty() ? nullptr : readKey(serverKeyFile, &readErr);
        if (!key)
            why = readErr;
        else if (X509_check_private_key(chain.front().get(), key.get()) != 1)
            why = "key does not match";
        else if (serverCertGood(chain.front().get(), ca.get(), domain, &why))
            reuse = true;
        if (!reuse)
            qCInfo(lcEdgeTls, "renewing the server certificate %s (%s)", serverCert.c_str(), why.c_str());
        else
            ::chmod(serverKeyFile.c_str(), 0600);
    }
    if (!reuse) {
        PkeyPtr key;
        X509Ptr cert;
        if (!makeServer(domain, ca.get(), caKey.get(), &key, &cert))
            return fail("creating the server certificate failed");
        std::string why;
        if (!serverCertGood(cert.get(), ca.get(), domain, &why)) {
            // An older CA whose name constraints do not allow the new domain: only a new CA can fix that.
            if (newCa)
                return fail("the new server certificate does not verify: " + why);
            qCWarning(lcEdgeTls,
                      "the local CA cannot vouch for %s (%s): creating a new CA; clients must trust the new %s",
                      domain.c_str(), why.c_str(), caCert.c_str());
            if (!makeCa(domain, &caKey, &ca) || !makeServer(domain, ca.get(), caKey.get(), &key, &cert))
                return fail("creating the local CA failed");
            if (!serverCertGood(cert.get(), ca.get(), domain, &why))
                return fail("the new server certificate does not verify: " + why);
            if (!writeFileAtomic(caKeyFile, pemOf(caKey.get()), 0600, &err) ||
                !writeFileAtomic(caCert, pemOf(ca.get()), 0644, &err))
                return fail(err);
        }
        // Key first: a reader that sees the new certificate must find its key.
        if (!writeFileAtomic(serverKeyFile, pemOf(key.get()), 0600, &err) ||
            !writeFileAtomic(serverCert, pemOf(cert.get()) + pemOf(ca.get()), 0644, &err))
            return fail(err);
    }

    if (files) {
        files->caCert = caCert;
        files->serverCert = serverCert;
        files->serverKey = serverKeyFile;
    }
    return true;
}

} // namespace heyo::edge
