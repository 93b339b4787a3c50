// Edge policy for endpoint hosts.
#include "edge/EdgeGate.h"

#include "edge/Credentials.h"
#include "edge/Replies.h"
#include "edge/TokenVerifier.h"

#include <QUrl>

#include <algorithm>

namespace heyo::edge {

namespace {

constexpr auto kRouteTtl = std::chrono::seconds(2);

bool acceptsHtml(const net::RequestHead &req)
{
    const std::string *accept = req.headers.find("Accept");
    return (req.method == "GET" || req.method == "HEAD") && accept && accept->find("text/html") != std::string::npos;
}

net::UpstreamTarget upstreamFor(const Endpoint &endpoint)
{
    QUrl url(QString::fromStdString(endpoint.target));
    net::UpstreamTarget up;
    up.host = url.host().toStdString();
    up.port = static_cast<uint16_t>(url.port(80));
    up.sni = up.host;
    // An HTTP/2 app is reached in h2c by prior knowledge; its requests share one connection.
    up.protocol = endpoint.http2 ? net::UpstreamTarget::Protocol::Http2 : net::UpstreamTarget::Protocol::Http1;
    return up;
}

} // namespace

EdgeGate::EdgeGate(const EdgeConfig &config, Store &store, TokenVerifier &verifier)
    : m_config(config), m_store(store), m_verifier(verifier)
{
}

EdgeGate::Route EdgeGate::route(const std::string &slug)
{
    auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(m_mutex);
        auto it = m_routes.find(slug);
        if (it != m_routes.end() && now - it->second.loadedAt < kRouteTtl)
            return it->second;
    }
    Route r{m_store.endpointBySlug(slug), {}, now};
    if (r.endpoint)
        r.upstream = upstreamFor(*r.endpoint);
    std::lock_guard lock(m_mutex);
    if (m_routes.size() > 10000)
        m_routes.clear();
    m_routes[slug] = r;
    return r;
}

void EdgeGate::handle(const net::ExchangePtr &ex, const std::string &slug)
{
    Route r = route(slug);
    if (!r.endpoint)
        return reply::text(ex, 404, "there is no endpoint named '" + slug + "' on this service");

    net::RequestHead &head = ex->editRequest(); // edited in place: no copy of every header per request
    // Identity headers come only from us: whatever a client sent under these names is dropped.
    head.headers.remove("X-Heyo-Account-Id");
    head.headers.remove("X-Heyo-Email");

    if (!r.endpoint->isPrivate) {
        // Our own credentials never reach an app, even a public one; the app's own Authorization passes.
        Credentials::remove(head.headers, CredentialSource::HeyoAuthorization);
        Credentials::remove(head.headers, CredentialSource::Cookie);
        return forward(ex, r, head);
    }

    std::vector<Credential> candidates = Credentials::find(head.headers);
    if (candidates.empty())
        return challenge(ex, "this endpoint is private: send a token as 'Authorization: Bearer <token>' (heyo token)",
                         true);

    std::string reason;
    for (const Credential &c : candidates) {
        std::string why;
        auto claims = m_verifier.verify(c.token, &why);
        if (!claims) {
            if (reason.empty())
                reason = why;
            continue;
        }
        if (claims->accountId != r.endpoint->accountId) {
            net::Headers h;
            h.set(std::string(kEdgeErrorHeader), "wrong_account");
            return reply::text(ex, 403,
                               "this endpoint belongs to another account; sign in with the account that owns it",
                               std::move(h));
        }
        Credentials::remove(head.headers, c.source);
        head.headers.set("X-Heyo-Account-Id", claims->accountId);
        head.headers.set("X-Heyo-Email", claims->email);
        return forward(ex, r, head);
    }
    bool onlyCookies = std::all_of(candidates.begin(), candidates.end(),
                                   [](const Credential &c) { return c.source == CredentialSource::Cookie; });
    challenge(ex, "the token is not valid (" + reason + "); sign in again", onlyCookies);
}

void EdgeGate::challenge(const net::ExchangePtr &ex, const std::string &message, bool browserMayRedirect)
{
    const auto &req = ex->request();
    if (browserMayRedirect && acceptsHtml(req)) {
        const std::string *host = req.headers.find("Host");
        std::string here = "https://" + (host ? *host : std::string()) + req.target;
        net::Headers h;
        h.set("Location",
              m_config.loginUrl() + "?next=" + QUrl::toPercentEncoding(QString::fromStdString(here)).toStdString());
        return reply::text(ex, 302, "sign in first: " + m_config.loginUrl(), std::move(h));
    }
    net::Headers h;
    h.set(std::string(kEdgeErrorHeader), "invalid_token");
    h.add("WWW-Authenticate", "Bearer realm=\"heyo\"");
    h.add("WWW-Authenticate", "Basic realm=\"heyo\", charset=\"UTF-8\""); // lets git ask its credential helper
    reply::text(ex, 401, message, std::move(h));
}

void EdgeGate::forward(const net::ExchangePtr &ex, const Route &r, net::RequestHead &head)
{
    head.headers.set("X-Forwarded-Proto", "https");
    if (const std::string *host = head.headers.find("Host"))
        head.headers.set("X-Forwarded-Host", *host);
    head.headers.set("X-Forwarded-For", ex->peer().address);
    net::ProxyHooks hooks;
    // Only the edge may say why it refused a request; an app cannot fake it.
    hooks.onResponseHead = [](net::ResponseHead &response) { response.headers.remove(kEdgeErrorHeader); };
    hooks.describeError = [slug = r.endpoint->slug](int status, const std::string &reason) {
        return status == 504 ? "endpoint '" + slug + "' did not answer in time (" + reason + ")"
                             : "endpoint '" + slug + "' is not reachable: its app is not answering (" + reason + ")";
    };
    ex->proxy(r.upstream, head, std::move(hooks));
}

} // namespace heyo::edge
