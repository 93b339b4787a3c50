// Assembly of a running heyo-edge.
#include "edge/EdgeServer.h"

#include "edge/ApiRoutes.h"
#include "edge/EdgeGate.h"
#include "edge/EdgeService.h"
#include "edge/LoginPage.h"
#include "edge/Store.h"
#include "edge/TokenService.h"
#include "edge/TokenVerifier.h"
#include "edge/WorkerPool.h"
#include "net/Http.h"
#include "net/TlsContext.h"

#include <QDir>
#include <QFileInfo>

#include <cstdio>

namespace heyo::edge {

// Destruction runs bottom-up: the engine is stopped first (in stop()), then the workers drain, then the rest.
struct EdgeServer::Parts {
    EdgeConfig config;
    TlsFiles tls;
    std::unique_ptr<Store> store;
    std::unique_ptr<TokenService> tokens;
    std::unique_ptr<TokenVerifier> verifier;
    net::SslCtxPtr serverTls;
    std::unique_ptr<net::Engine> engine;
    std::unique_ptr<WorkerPool> workers;
    std::unique_ptr<ApiRoutes> api;
    std::unique_ptr<LoginPage> login;
    std::unique_ptr<EdgeGate> gate;
    std::unique_ptr<EdgeService> service;
    bool stopped = false;
};

std::unique_ptr<Store> openStore(const std::string &dataDir, std::string *error)
{
    QDir dir(QString::fromStdString(dataDir));
    if (!dir.exists() && !dir.mkpath(".")) {
        *error = "cannot create the data directory " + dataDir;
        return nullptr;
    }
    QFileInfo info(dir.absolutePath());
    if (!info.isDir() || !info.isWritable()) {
        *error = "the data directory " + dataDir + " is not a writable directory";
        return nullptr;
    }
    QFile::setPermissions(dir.absolutePath(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return Store::open(dir.filePath("heyo-edge.db").toStdString(), error);
}

EdgeServer::EdgeServer() : d(std::make_unique<Parts>()) {}

EdgeServer::~EdgeServer()
{
    stop(std::chrono::milliseconds(0));
}

std::unique_ptr<EdgeServer> EdgeServer::start(EdgeServerOptions options, std::string *error)
{
    std::unique_ptr<EdgeServer> server(new EdgeServer);
    Parts &p = *server->d;
    p.config = options.config;
    p.store = openStore(p.config.dataDir, error);
    if (!p.store)
        return nullptr;
    QDir dir(QString::fromStdString(p.config.dataDir));
    p.tokens = TokenService::open(dir.filePath("keys/jwt-ed25519.pem").toStdString(), p.config.issuer(), error);
    if (!p.tokens)
        return nullptr;
    if (!ensureLocalTls(p.config.dataDir, p.config.domain, &p.tls, error))
        return nullptr;
    p.serverTls = net::makeServerTlsContext(p.tls.serverCert, p.tls.serverKey, error);
    if (!p.serverTls)
        return nullptr;

    p.verifier =
        std::make_unique<TokenVerifier>(*p.tokens, *p.store, std::chrono::seconds(p.config.apiKeyCacheSeconds));
    p.workers = std::make_unique<WorkerPool>(2);
    p.api = std::make_unique<ApiRoutes>(p.config, *p.store, *p.tokens, *p.verifier, *p.workers);
    p.login = std::make_unique<LoginPage>(p.config, *p.api);
    p.gate = std::make_unique<EdgeGate>(p.config, *p.store, *p.verifier);
    p.service = std::make_unique<EdgeService>(p.config, *p.api, *p.login, *p.gate);

    p.engine = std::make_unique<net::Engine>(options.threads);
    net::ListenerConfig listener;
    listener.address = options.listenAddress;
    listener.port = options.listenPort;
    listener.tls = p.serverTls.get();
    listener.http2 = true; // ALPN "h2" beside "http/1.1"
    if (options.log) {
        listener.accessLog = [log = options.log](const net::AccessRecord &r) {
            char line[160];
            std::snprintf(line, sizeof line, " %d %.1fms", r.status, double(r.duration.count()) / 1000.0);
            log(r.method + " " + r.host + " " + r.path + line);
        };
    }
    // Bound before the loops run, so the advertised port is known before the first request is handled.
    net::ListenResult bound =
        p.engine->listen(listener, [service = p.service.get()](const net::ExchangePtr &ex) { service->handle(ex); });
    if (!bound.ok) {
        *error = bound.error;
        return nullptr;
    }
    p.config.port = bound.port;
    p.engine->start();
    return server;
}

uint16_t EdgeServer::port() const
{
    return d->config.port;
}

const EdgeConfig &EdgeServer::config() const
{
    return d->config;
}

const TlsFiles &EdgeServer::tlsFiles() const
{
    return d->tls;
}

Store &EdgeServer::store()
{
    return *d->store;
}

void EdgeServer::stop(std::chrono::milliseconds grace)
{
    if (d->stopped || !d->engine)
        return;
    d->stopped = true;
    d->engine->stop(grace);
    d->workers.reset(); // drains queued sign-ins; their answers go to closed exchanges, which ignore them
}

} // namespace heyo::edge
