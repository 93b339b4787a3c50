// The localhost forwarder as the tray app and the CLI see it: one loopback port per endpoint (127.0.0.1 and ::1),
// an optional router port for <slug>.localhost, per-endpoint counters, and signals for what the user must know.
// The data path runs on the HTTP engine's own threads, never on the thread that owns this object.
#pragma once

#include "core/forward/ForwardHandler.h"
#include "net/TlsContext.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <map>
#include <memory>

namespace heyo::net {
class Engine;
}

namespace heyo::forward {

class AccountTokens;

struct ForwardSpec {
    QString slug;
    QString accountId;
    QString accountName; // the account's email, named in "signed out of …" answers (optional)
    QUrl endpointUrl;    // https://<slug>.<domain>[:port]
    QString caFile;      // the account's service CA, trusted besides the system CAs; empty → Options::extraCaFile
    quint16 port = 0;    // local port; 0 → any free one (tests)
    QStringList allowedOrigins; // browser origins the user allowed for this endpoint (AllowedOrigins)
};

struct ForwardStats {
    QString slug; // empty for the router
    quint16 port = 0;
    quint64 openConnections = 0;
    quint64 requests = 0;
    quint64 bytesIn = 0;
    quint64 bytesOut = 0;
    QString lastError;               // the current error only: empty once a request that began after it was answered
    quint64 upstreamRequests = 0;    // sent to the endpoint (a retry after a refresh counts again)
    quint64 upstreamConnections = 0; // TLS connections opened for them (the rest reused the keep-alive pool)
    quint64 upstreamTlsResumed = 0;  // of those, handshakes that resumed a session
};

class Forwarder : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString extraCaFile;                            // trusted in addition to the system CAs
        int threads = 1;                                // engine threads
        bool onlyCurrentUser = true;                    // refuse connections from other local users' processes
        std::chrono::milliseconds headerTimeout{30000}; // a request head not complete in time → 408
    };
    Forwarder(AccountTokens *tokens, Options options, QObject *parent = nullptr);
    ~Forwarder() override; // stops everything, giving in-flight requests a moment

    // Starts forwarding; false with a message naming the problem (port in use and by whom, bad URL, CA unusable).
    bool forward(const ForwardSpec &spec, QString *error);
    bool startRouter(quint16 port, QString *error);
    // Replaces a forwarded endpoint's allowed origins at once, on its port and the router's; false when not forwarded.
    bool setAllowedOrigins(const QString &slug, const QStringList &origins);
    void stop(const QString &slug, std::chrono::milliseconds grace = std::chrono::seconds(2));
    void stopAll(std::chrono::milliseconds grace = std::chrono::seconds(5));
    // Quitting: stops every listener and blocks until the requests in flight have finished (requests arriving on
    // kept-alive connections meanwhile get 503), or until `grace` has passed. The forwarder is unusable afterwards.
    void shutdown(std::chrono::milliseconds grace);
    // Requests being forwarded right now (after stopAll: those still finishing). Thread-safe, never blocks.
    int requestsInFlight() const;
    // Stops every endpoint of one account (sign-out).
    void stopAccount(const QString &accountId, std::chrono::milliseconds grace = std::chrono::seconds(2));

    bool isForwarding(const QString &slug) const { return m_endpoints.contains(slug); }
    quint16 portOf(const QString &slug) const;
    quint16 routerPort() const { return m_router ? m_router->port : 0; }
    QStringList forwardedSlugs() const { return m_endpoints.keys(); }
    QList<ForwardStats> stats() const;

signals:
    void forwardingChanged();
    void wrongAccount(const QString &slug, const QString &message);
    void signInNeeded(const QString &accountId, const QString &message);
    void upstreamError(const QString &slug, const QString &message);

private:
    struct Listening {
        quint16 port = 0;
        QString accountId;
        std::vector<uint64_t> listenerIds; // 127.0.0.1 and, where the host has it, ::1
        std::shared_ptr<ForwardHandler> handler;
        ForwardRoute route;
    };
    bool listenBoth(Listening &l, quint16 port, QString *error);
    void closeListening(Listening &l, std::chrono::milliseconds grace);
    void updateRouter();
    void report(const std::string &slug, const QString &accountId, ForwardEvent event, const std::string &message);
    std::shared_ptr<ForwardHandler> makeHandler(quint16 port);

    AccountTokens *m_tokens;
    Options m_options;
    // The client TLS context for a CA file (made once, kept while the engine may use it).
    SSL_CTX *clientTls(const QString &caFile, QString *error);
    std::map<QString, net::SslCtxPtr> m_clientTls;
    bool m_shutDown = false;
    std::unique_ptr<net::Engine> m_engine;
    QHash<QString, Listening> m_endpoints;
    std::unique_ptr<Listening> m_router;
};

} // namespace heyo::forward
