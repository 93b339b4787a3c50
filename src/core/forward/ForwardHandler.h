// The forwarder's policy for one listening port, run on the engine's threads: checks Host (421) and browser origin
// (403), picks the endpoint (its own, or by <slug>.localhost on the router port), attaches the account's token and
// streams the request to the endpoint over TLS, rewriting only what DESIGN §3 lists.
#pragma once

#include "core/forward/LocalOrigin.h"
#include "core/forward/MessageRewriter.h"
#include "net/Http.h"

#include <QString>

#include <atomic>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace heyo::forward {

class AccountTokens;

struct ForwardRoute {
    std::string slug;
    QString accountId;
    QString accountName; // the account's email, for messages ("signed out of ada@…"); accountId when unknown
    net::UpstreamTarget upstream;
    std::shared_ptr<const MessageRewriter> rewriter;
    std::set<std::string> allowedOrigins; // browser origins the user allowed besides ours (normalised), CORS granted
};

// What the Qt side is told about (called on an engine thread).
enum class ForwardEvent { WrongAccount, SignInNeeded, UpstreamError };
using ForwardReport = std::function<void(const std::string &slug, const QString &accountId, ForwardEvent event,
                                         const std::string &message)>;

class ForwardHandler {
public:
    ForwardHandler(uint16_t port, AccountTokens &tokens, ForwardReport report);
    // Thread-safe; a router port gets every forwarded endpoint, an endpoint port just its own.
    void setRoutes(std::map<std::string, ForwardRoute> routes);
    // Thread-safe; for a listener bound to "any free port", once the port is known.
    void setPort(uint16_t port);
    void handle(const net::ExchangePtr &ex);

private:
    struct Table {
        LocalOrigin origin;
        std::map<std::string, std::shared_ptr<const ForwardRoute>> routes;
    };
    // What one request's callbacks share: one allocation, rather than copies of the route and strings per hook.
    struct Flight {
        std::shared_ptr<const ForwardRoute> route;
        std::string localOrigin; // http://<the Host the client used>
        std::string token;       // the token this request carries (a retry after a 401 carries a new one)
        std::string corsOrigin;  // the request's Origin when the user allowed it: its response grants CORS
    };
    void rebuild(); // with m_mutex held
    void send(const net::ExchangePtr &ex, const std::shared_ptr<Flight> &flight);
    static bool isEdgeRefusal(const net::ResponseHead &response);
    static void refuse(const net::ExchangePtr &ex, int status, const std::string &line);
    void listRoutes(const net::ExchangePtr &ex, const Table &table);

    std::atomic<uint16_t> m_port;
    AccountTokens &m_tokens;
    ForwardReport m_report;
    std::mutex m_mutex;                           // serialises setRoutes/setPort; requests only load m_table
    std::map<std::string, ForwardRoute> m_routes; // the source of m_table, kept to rebuild it on setPort
    std::atomic<std::shared_ptr<const Table>> m_table;
};

} // namespace heyo::forward
