// Host-based routing for heyo-edge.
#include "edge/EdgeService.h"

#include "edge/ApiRoutes.h"
#include "edge/EdgeGate.h"
#include "edge/LoginPage.h"
#include "edge/Replies.h"

#include <QString>

namespace heyo::edge {

EdgeService::EdgeService(const EdgeConfig &config, ApiRoutes &api, LoginPage &login, EdgeGate &gate)
    : m_config(config), m_api(api), m_login(login), m_gate(gate)
{
}

static std::string hostWithoutPort(const std::string &host)
{
    std::string h = QString::fromStdString(host).toLower().toStdString();
    if (!h.empty() && h.front() == '[')
        return h.substr(0, h.find(']') + 1);
    return h.substr(0, h.rfind(':'));
}

void EdgeService::handle(const net::ExchangePtr &ex)
{
    const std::string *hostHeader = ex->request().headers.find("Host");
    std::string host = hostHeader ? hostWithoutPort(*hostHeader) : std::string();
    if (host == m_config.apiHost || host == m_config.domain) {
        if (m_api.handle(ex))
            return;
        std::string_view path = ex->request().path();
        if (path == "/login")
            return m_login.handle(ex);
        if (path == "/healthz")
            return reply::text(ex, 200, "ok");
        if (path == "/")
            return serviceHome(ex);
        return reply::text(ex, 404, "not found");
    }
    std::string suffix = "." + m_config.domain;
    if (host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0) {
        std::string slug = host.substr(0, host.size() - suffix.size());
        if (slug.find('.') == std::string::npos)
            return m_gate.handle(ex, slug);
    }
    reply::text(ex, 421, "this service answers for " + m_config.apiHost + " and *." + m_config.domain);
}

void EdgeService::serviceHome(const net::ExchangePtr &ex)
{
    reply::text(ex, 200,
                "heyo-edge: the API is at " + m_config.apiUrl() + "/api/, sign in at " + m_config.loginUrl() +
                    ", endpoints are https://<slug>." + m_config.domain + m_config.portSuffix());
}

} // namespace heyo::edge
