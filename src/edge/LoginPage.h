// The browser sign-in page (GET/POST /login): a form for email/password or an API key; on success it sets the
// __heyo_token cookie (HttpOnly; Secure; SameSite=Lax; Domain=<domain> when served there) and redirects to `next`,
// which must be a same-site URL — anything else falls back to the page itself.
#pragma once

#include "edge/EdgeConfig.h"
#include "net/Http.h"

#include <string>

namespace heyo::edge {

class ApiRoutes;

class LoginPage {
public:
    LoginPage(const EdgeConfig &config, ApiRoutes &api);
    void handle(const net::ExchangePtr &ex);

    // Whether `next` is a safe redirect target (https, host = the domain, a subdomain of it, or the API host).
    bool isSameSite(const std::string &next) const;

private:
    void submit(const net::ExchangePtr &ex, const std::string &body);
    void render(const net::ExchangePtr &ex, int status, const std::string &next, const std::string &error,
                const std::string &email = {});
    void signedIn(const net::ExchangePtr &ex, const std::string &token, const std::string &next,
                  const std::string &email);

    const EdgeConfig &m_config;
    ApiRoutes &m_api;
};

} // namespace heyo::edge
