// Per-request forwarding policy.
#include "core/forward/ForwardHandler.h"

#include "core/forward/AccountTokens.h"
#include "core/forward/CorsGrant.h"

namespace heyo::forward {

ForwardHandler::ForwardHandler(uint16_t port, AccountTokens &tokens, ForwardReport report)
    : m_port(port), m_tokens(tokens), m_report(std::move(report)),
      m_table(std::make_shared<Table>(Table{LocalOrigin(port, {}), {}}))
{
}

void ForwardHandler::setRoutes(std::map<std::string, ForwardRoute> routes)
{
    std::lock_guard lock(m_mutex);
    m_routes = std::move(routes);
    rebuild();
}

void ForwardHandler::setPort(uint16_t port)
{
    std::lock_guard lock(m_mutex);
    m_port = port;
    rebuild();
}

void ForwardHandler::rebuild()
{
    std::set<std::string> slugs;
    std::map<std::string, std::shared_ptr<const ForwardRoute>> routes;
    for (const auto &[slug, route] : m_routes) {
        slugs.insert(slug);
        routes.emplace(slug, std::make_shared<const ForwardRoute>(route));
    }
    m_table.store(std::make_shared<const Table>(Table{LocalOrigin(m_port, slugs), std::move(routes)}));
}

// The edge marks its own refusals with X-Heyo-Error (and strips that header from apps' answers); a 401 with the
// service's Bearer realm counts too, for an edge that does not mark. An app's own 401/403 is passed through untouched:
// no token refresh, no "wrong account" notice.
bool ForwardHandler::isEdgeRefusal(const net::ResponseHead &response)
{
    if (const std::string *marker = response.headers.find("X-Heyo-Error"))
        return *marker == (response.status == 403 ? "wrong_account" : "invalid_token");
    if (response.status != 401)
        return false;
    for (std::string_view challenge : response.headers.all("WWW-Authenticate"))
        if (challenge.find("realm=\"heyo\"") != std::string_view::npos)
            return true;
    return false;
}

void ForwardHandler::refuse(const net::ExchangePtr &ex, int status, const std::string &line)
{
    net::Headers h;
    h.set("Content-Type", "text/plain; charset=utf-8");
    h.set("Cache-Control", "no-store");
    ex->respond(status, std::move(h), line + "\n");
}

void ForwardHandler::handle(const net::ExchangePtr &ex)
{
    auto t = m_table.load();
    const net::RequestHead &req = ex->request();
    const std::string *host = req.headers.find("Host");
    auto match = host ? t->origin.matchHost(*host) : std::nullopt;
    if (!match)
        return refuse(ex, 421,
                      "this forwarder answers only to http://127.0.0.1:" + std::to_string(m_port) +
                          " (or localhost, [::1], <endpoint>.localhost); the Host '" + (host ? *host : "") +
                          "' was refused");
    auto f = std::make_shared<Flight>();
    if (!match->slug.empty())
        f->route = t->routes.at(match->slug); // matchHost only accepts slugs present in the table
    else if (t->routes.size() == 1)
        f->route = t->routes.begin()->second;
    // Checked against the endpoint's own allowed origins, so the router allows a page for one endpoint only.
    static const std::set<std::string> kNone;
    const std::set<std::string> &allowed = f->route ? f->route->allowedOrigins : kNone;
    if (std::string why = t->origin.crossOriginRefusal(req.headers, *match, f->route ? f->route->slug : "", allowed);
        !why.empty())
        return refuse(ex, 403, why);
    if (!f->route)
        return listRoutes(ex, *t);
    f->corsOrigin = LocalOrigin::allowedOrigin(req.headers, allowed);
    if (!f->corsOrigin.empty() && CorsGrant::isPreflight(req)) // the browser asks leave; the endpoint is not asked
        return ex->respond(204, CorsGrant::preflightAnswer(req.headers, f->corsOrigin), {});
    f->localOrigin = "http://" + match->authority;
    f->token = m_tokens.cached(f->route->accountId);
    if (!f->token.empty())
        return send(ex, f);
    // No token in memory yet: ask the session (one load shared by everyone waiting), then continue on this loop.
    m_tokens.fetch(f->route->accountId, {}, [this, ex, f](const std::string &fresh, const QString &error) {
        ex->post([this, ex, f, fresh, error] {
            const ForwardRoute &route = *f->route;
            if (fresh.empty()) {
                const std::string line =
                    "not signed in to the account that owns '" + route.slug + "': " + error.toStdString();
                ex->noteError(line); // before the report, so whoever it reaches finds it in the counters
                m_report(route.slug, route.accountId, ForwardEvent::SignInNeeded, error.toStdString());
                return refuse(ex, 401, line + " (run: heyo login)");
            }
            f->token = fresh;
            send(ex, f);
        });
    });
}

void ForwardHandler::send(const net::ExchangePtr &ex, const std::shared_ptr<Flight> &f)
{
    const ForwardRoute &route = *f->route;
    net::RequestHead &head = ex->editRequest(); // rewritten in place: no copy of every header per request
    route.rewriter->rewriteRequest(head, f->localOrigin, f->token);
    net::ProxyHooks hooks;
    // Every error noted here goes to the exchange before the report, so the counters already show it when the Qt
    // side hears of it; it stays current until a later request on this listener is answered.
    std::weak_ptr<net::Exchange> weak = ex;
    hooks.onResponseHead = [this, weak, f](net::ResponseHead &response) {
        const ForwardRoute &r = *f->route;
        if (response.status == 403 && isEdgeRefusal(response)) {
            const std::string line = "endpoint belongs to another account";
            if (auto ex = weak.lock())
                ex->noteError(line);
            m_report(r.slug, r.accountId, ForwardEvent::WrongAccount, line);
        } else if (response.status == 401 && isEdgeRefusal(response)) // not replayable, or rejected again:
            m_tokens.fetch(r.accountId, f->token,
                           [](const std::string &, const QString &) {}); // refresh for what follows
        r.rewriter->rewriteResponse(response, f->localOrigin);
        if (!r.allowedOrigins.empty())
            CorsGrant::grant(response, f->corsOrigin);
    };
    // Upstream 401 on a replayable request: one refresh shared by every request waiting on this account (the
    // SessionManager coalesces), then one retry with the new token; or, when no new token can be had, a 401 that
    // tells the user what to do.
    hooks.onUnauthorized = [this, weak, f](const net::ResponseHead &response) {
        if (weak.expired() || !isEdgeRefusal(response)) // the app's own 401 is the app's business
            return false;
        m_tokens.fetch(f->route->accountId, f->token, [this, weak, f](const std::string &fresh, const QString &error) {
            auto ex = weak.lock();
            if (!ex)
                return;
            ex->post([this, ex, f, fresh, error] {
                const ForwardRoute &r = *f->route;
                if (fresh.empty() || fresh == f->token) {
                    const QString who = r.accountName.isEmpty() ? r.accountId : r.accountName;
                    const std::string why = error.isEmpty() ? "the endpoint refused the token" : error.toStdString();
                    ex->noteError("signed out of " + who.toStdString() + ": " + why);
                    m_report(r.slug, r.accountId, ForwardEvent::SignInNeeded, why);
                    net::Headers h;
                    h.set("Content-Type", "text/plain; charset=utf-8");
                    h.set("Cache-Control", "no-store");
                    ex->respond(401, std::move(h),
                                "signed out of " + who.toStdString() + ": sign in again (heyo login)\n");
                    return;
                }
                f->token = fresh;
                net::RequestHead &again = ex->editRequest(); // already rewritten: only the token changes
                r.rewriter->replaceToken(again, fresh);
                ex->retry(again);
            });
        });
        return true;
    };
    hooks.describeError = [this, weak, f](int status, const std::string &reason) {
        const ForwardRoute &r = *f->route;
        std::string line = status == 504 ? "endpoint '" + r.slug + "' did not answer in time (" + reason + ")"
                                         : "cannot reach endpoint '" + r.slug + "': " + reason;
        if (auto ex = weak.lock())
            ex->noteError(line); // the engine notes it too, but only after this returns
        m_report(r.slug, r.accountId, ForwardEvent::UpstreamError, line);
        return line;
    };
    ex->proxy(route.upstream, head, std::move(hooks));
}

void ForwardHandler::listRoutes(const net::ExchangePtr &ex, const Table &table)
{
    std::string body = "This is the Heyo Access router. Each endpoint has its own address:\n";
    for (const auto &[slug, route] : table.routes)
        body += "  http://" + slug + ".localhost:" + std::to_string(m_port) + "/\n";
    if (table.routes.empty())
        body += "  (no endpoint is forwarded yet)\n";
    net::Headers h;
    h.set("Content-Type", "text/plain; charset=utf-8");
    ex->respond(404, std::move(h), std::move(body));
}

} // namespace heyo::forward
