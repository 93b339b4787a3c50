// Listener management for the forwarder.
#include "core/forward/Forwarder.h"

#include "core/Logging.h"
#include "core/forward/AccountTokens.h"
#include "core/forward/AllowedOrigins.h"
#include "core/forward/PortOwner.h"
#include "net/Http.h"

#include <QPointer>

#include <algorithm>

#include <unistd.h>

namespace heyo::forward {

namespace {

// Normalised again here, so that a spec written by hand (or a test) cannot hold "HTTPS://App.Example:443".
std::set<std::string> originSet(const QStringList &origins)
{
    std::set<std::string> out;
    for (const QString &o : origins)
        if (const QString normal = AllowedOrigins::normalise(o, nullptr); !normal.isEmpty())
            out.insert(normal.toStdString());
    return out;
}

// "cannot listen: 127.0.0.1:7001 is already in use": the address once (the engine names it in most of its errors),
// so the message fits the endpoint's row.
QString listenError(const QString &where, const std::string &engineError)
{
    const QString why = QString::fromStdString(engineError);
    return why.startsWith(where) ? Forwarder::tr("cannot listen: %1").arg(why)
                                 : Forwarder::tr("cannot listen on %1: %2").arg(where, why);
}

} // namespace

Forwarder::Forwarder(AccountTokens *tokens, Options options, QObject *parent)
    : QObject(parent), m_tokens(tokens), m_options(std::move(options))
{
    m_engine = std::make_unique<net::Engine>(m_options.threads);
    m_engine->start();
}

Forwarder::~Forwarder()
{
    stopAll(std::chrono::seconds(2));
    m_engine->stop(std::chrono::milliseconds(0));
}

std::shared_ptr<ForwardHandler> Forwarder::makeHandler(quint16 port)
{
    QPointer<Forwarder> self(this);
    auto report = [self](const std::string &slug, const QString &accountId, ForwardEvent event,
                         const std::string &message) {
        // From an engine thread to ours.
        QMetaObject::invokeMethod(
            self.data(),
            [self, slug, accountId, event, message] {
                if (self)
                    self->report(slug, accountId, event, message);
            },
            Qt::QueuedConnection);
    };
    return std::make_shared<ForwardHandler>(port, *m_tokens, report);
}

bool Forwarder::listenBoth(Listening &l, quint16 port, QString *error)
{
    net::ListenerConfig config;
    config.address = "127.0.0.1";
    config.port = port;
    config.headerTimeout = m_options.headerTimeout;
    config.http2 = true; // h2c by prior knowledge beside HTTP/1.1 (gRPC clients, curl --http2-prior-knowledge)
    if (m_options.onlyCurrentUser) {
        config.lookupPeerUid = true;
        config.acceptFilter = [uid = int64_t(::getuid())](const net::PeerInfo &peer) {
            return peer.loopback && peer.uid == uid; // unknown owner (-1) is refused too
        };
    } else {
        config.acceptFilter = [](const net::PeerInfo &peer) { return peer.loopback; };
    }
    auto handler = l.handler;
    auto handle = [handler](const net::ExchangePtr &ex) { handler->handle(ex); };
    net::ListenerId id = 0;
    net::ListenResult v4 = m_engine->listen(config, handle, &id);
    if (!v4.ok) {
        QString owner = port ? PortOwner::describe(port) : QString();
        *error = listenError(QStringLiteral("127.0.0.1:%1").arg(port), v4.error);
        if (!owner.isEmpty())
            *error += tr(" (held by %1)").arg(owner);
        return false;
    }
    l.port = v4.port;
    l.listenerIds.push_back(id);
    l.handler->setPort(l.port); // known only now when the caller asked for any free port
    // The same port on ::1, so "localhost" works for clients that try IPv6 first. A host without IPv6 loopback
    // simply has none; but a port taken on ::1 by someone else would capture those clients: that is an error.
    config.address = "::1";
    config.port = l.port;
    net::ListenResult v6 = m_engine->listen(config, handle, &id);
    if (v6.ok) {
        l.listenerIds.push_back(id);
    } else if (QString::fromStdString(v6.error).contains("in use")) {
        closeListening(l, std::chrono::milliseconds(0));
        *error = listenError(QStringLiteral("[::1]:%1").arg(l.port), v6.error);
        return false;
    }
    return true;
}

SSL_CTX *Forwarder::clientTls(const QString &caFile, QString *error)
{
    if (const auto it = m_clientTls.find(caFile); it != m_clientTls.end())
        return it->second.get();
    std::string why;
    net::SslCtxPtr ctx = net::makeClientTlsContext(caFile.toStdString(), &why);
    if (!ctx) {
        *error = tr("cannot set up TLS: %1").arg(QString::fromStdString(why));
        return nullptr;
    }
    return m_clientTls.emplace(caFile, std::move(ctx)).first->second.get();
}

bool Forwarder::forward(const ForwardSpec &spec, QString *error)
{
    if (m_shutDown) {
        *error = tr("Heyo Access is quitting");
        return false;
    }
    SSL_CTX *tls = clientTls(spec.caFile.isEmpty() ? m_options.extraCaFile : spec.caFile, error);
    if (!tls)
        return false;
    if (m_endpoints.contains(spec.slug)) {
        *error = tr("'%1' is already forwarded on port %2").arg(spec.slug).arg(portOf(spec.slug));
        return false;
    }
    const QUrl &url = spec.endpointUrl;
    if (url.scheme() != "https" || url.host().isEmpty()) {
        *error = tr("the endpoint URL '%1' is not an https URL").arg(url.toString());
        return false;
    }
    Listening l;
    l.accountId = spec.accountId;
    l.route.slug = spec.slug.toStdString();
    l.route.accountId = spec.accountId;
    l.route.accountName = spec.accountName;
    l.route.upstream.host = url.host().toStdString();
    l.route.upstream.port = static_cast<uint16_t>(url.port(443));
    l.route.upstream.sni = l.route.upstream.host;
    l.route.upstream.tls = tls;
    // h2 when the edge offers it by ALPN (one multiplexed connection), else HTTP/1.1 on that same connection.
    l.route.upstream.protocol = net::UpstreamTarget::Protocol::Negotiate;
    l.route.rewriter = std::make_shared<MessageRewriter>(l.route.upstream.host, l.route.upstream.port);
    l.route.allowedOrigins = originSet(spec.allowedOrigins);
    l.handler = makeHandler(spec.port);
    l.handler->setRoutes({{l.route.slug, l.route}});
    if (!listenBoth(l, spec.port, error)) {
        qCWarning(lcForward) << "cannot forward" << spec.slug << ":" << *error;
        return false;
    }
    qCInfo(lcForward).noquote() << "forwarding" << spec.slug << "on port" << l.port << "to" << url.toString();
    m_endpoints.emplace(spec.slug, std::move(l));
    updateRouter();
    emit forwardingChanged();
    return true;
}

bool Forwarder::startRouter(quint16 port, QString *error)
{
    if (m_shutDown) {
        *error = tr("Heyo Access is quitting");
        return false;
    }
    if (m_router) {
        *error = tr("the router already listens on port %1").arg(m_router->port);
        return false;
    }
    auto router = std::make_unique<Listening>();
    router->handler = makeHandler(port);
    router->handler->setRoutes({});
    if (!listenBoth(*router, port, error))
        return false;
    m_router = std::move(router);
    updateRouter();
    emit forwardingChanged();
    return true;
}

bool Forwarder::setAllowedOrigins(const QString &slug, const QStringList &origins)
{
    auto it = m_endpoints.find(slug);
    if (it == m_endpoints.end())
        return false;
    it->route.allowedOrigins = originSet(origins);
    it->handler->setRoutes({{it->route.slug, it->route}}); // requests already past the check keep the old table
    updateRouter();
    return true;
}

void Forwarder::updateRouter()
{
    if (!m_router)
        return;
    std::map<std::string, ForwardRoute> routes;
    for (const Listening &l : std::as_const(m_endpoints))
        routes[l.route.slug] = l.route;
    m_router->handler->setRoutes(std::move(routes));
}

void Forwarder::closeListening(Listening &l, std::chrono::milliseconds grace)
{
    for (uint64_t id : l.listenerIds)
        m_engine->closeListener(id, grace);
    l.listenerIds.clear();
}

void Forwarder::stop(const QString &slug, std::chrono::milliseconds grace)
{
    auto it = m_endpoints.find(slug);
    if (it == m_endpoints.end())
        return;
    closeListening(*it, grace);
    m_endpoints.erase(it);
    qCInfo(lcForward) << "stopped forwarding" << slug;
    updateRouter();
    emit forwardingChanged();
}

void Forwarder::stopAccount(const QString &accountId, std::chrono::milliseconds grace)
{
    for (const QString &slug : m_endpoints.keys())
        if (m_endpoints.value(slug).accountId == accountId)
            stop(slug, grace);
}

void Forwarder::stopAll(std::chrono::milliseconds grace)
{
    for (Listening &l : m_endpoints)
        closeListening(l, grace);
    m_endpoints.clear();
    if (m_router)
        closeListening(*m_router, grace);
    m_router.reset();
    emit forwardingChanged();
}

void Forwarder::shutdown(std::chrono::milliseconds grace)
{
    m_shutDown = true;
    stopAll(grace);
    m_engine->stop(grace); // waits for the exchanges in flight, up to grace
}

int Forwarder::requestsInFlight() const
{
    return m_engine->activeExchanges();
}

quint16 Forwarder::portOf(const QString &slug) const
{
    auto it = m_endpoints.find(slug);
    return it == m_endpoints.end() ? 0 : it->port;
}

QList<ForwardStats> Forwarder::stats() const
{
    QList<ForwardStats> out;
    auto collect = [this](const QString &slug, const Listening &l) {
        ForwardStats s;
        s.slug = slug;
        s.port = l.port;
        std::vector<net::Counters> counters;
        for (uint64_t id : l.listenerIds)
            counters.push_back(m_engine->counters(id));
        // An error is current until a request that began later is answered, on either address (127.0.0.1 or ::1):
        // a browser's retry may well come in on the other one.
        std::chrono::steady_clock::time_point answered{}, errorAt{};
        for (const net::Counters &c : counters)
            answered = std::max(answered, c.lastAnsweredAt);
        for (const net::Counters &c : counters) {
            s.openConnections += c.openConnections;
            s.requests += c.requests;
            s.bytesIn += c.bytesIn;
            s.bytesOut += c.bytesOut;
            s.upstreamRequests += c.upstreamRequests;
            s.upstreamConnections += c.upstreamConnections;
            s.upstreamTlsResumed += c.upstreamTlsResumed;
            if (!c.lastError.empty() && c.lastErrorAt >= answered && c.lastErrorAt >= errorAt) {
                s.lastError = QString::fromStdString(c.lastError);
                errorAt = c.lastErrorAt;
            }
        }
        return s;
    };
    for (auto it = m_endpoints.begin(); it != m_endpoints.end(); ++it)
        out << collect(it.key(), it.value());
    if (m_router)
        out << collect(QString(), *m_router);
    return out;
}

void Forwarder::report(const std::string &slug, const QString &accountId, ForwardEvent event,
                       const std::string &message)
{
    // Only told on: the error itself is in the engine's counters (ForwardHandler noted it), where it ends when a
    // later request is answered.
    QString s = QString::fromStdString(slug), m = QString::fromStdString(message);
    switch (event) {
    case ForwardEvent::WrongAccount:
        emit wrongAccount(s, m);
        break;
    case ForwardEvent::SignInNeeded:
        emit signInNeeded(accountId, m);
        break;
    case ForwardEvent::UpstreamError:
        emit upstreamError(s, m);
        break;
    }
}

} // namespace heyo::forward
