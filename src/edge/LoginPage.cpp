// HTML sign-in form and cookie issuing.
#include "edge/LoginPage.h"

#include "edge/ApiRoutes.h"
#include "edge/Credentials.h"
#include "edge/Replies.h"
#include "edge/Store.h"

#include <QUrl>
#include <QUrlQuery>

namespace heyo::edge {

namespace {

constexpr size_t kMaxFormBody = 8 * 1024;

QString esc(const std::string &s)
{
    return QString::fromStdString(s).toHtmlEscaped();
}

std::string hostOf(const net::ExchangePtr &ex)
{
    const std::string *host = ex->request().headers.find("Host");
    std::string h = host ? *host : std::string();
    if (auto colon = h.rfind(':'); colon != std::string::npos && h.find(']') == std::string::npos)
        h.resize(colon);
    return QString::fromStdString(h).toLower().toStdString();
}

// application/x-www-form-urlencoded → values ('+' is a space there, unlike in QUrlQuery).
QUrlQuery parseForm(std::string body)
{
    for (char &c : body)
        if (c == '+')
            c = ' ';
    return QUrlQuery(QString::fromStdString(body));
}

std::string field(const QUrlQuery &q, const char *name)
{
    return q.queryItemValue(name, QUrl::FullyDecoded).toStdString();
}

const char *kStyle = R"(
  :root { color-scheme: light dark; --accent: #5b5bd6; }
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; min-height: 100vh;
         display: grid; place-items: center; background: Canvas; color: CanvasText; }
  main { width: min(380px, 92vw); padding: 32px; border-radius: 14px; box-shadow: 0 8px 32px #0002;
         border: 1px solid #8883; }
  h1 { font-size: 22px; margin: 0 0 4px; } p.sub { margin: 0 0 20px; opacity: .7; }
  label { display: block; font-size: 13px; margin: 12px 0 4px; opacity: .85; }
  input { width: 100%; box-sizing: border-box; padding: 9px 11px; border-radius: 8px; border: 1px solid #8886;
          font: inherit; background: Field; color: FieldText; }
  button { margin-top: 18px; width: 100%; padding: 10px; border: 0; border-radius: 8px; font: inherit;
           font-weight: 600; background: var(--accent); color: white; cursor: pointer; }
  .error { background: #d3303022; border: 1px solid #d3303066; padding: 8px 12px; border-radius: 8px; }
  details { margin-top: 22px; } summary { cursor: pointer; opacity: .8; }
  .ok { font-size: 40px; }
)";

} // namespace

LoginPage::LoginPage(const EdgeConfig &config, ApiRoutes &api) : m_config(config), m_api(api) {}

bool LoginPage::isSameSite(const std::string &next) const
{
    QUrl url(QString::fromStdString(next), QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != "https" || !url.userInfo().isEmpty())
        return false;
    QString host = url.host().toLower(), domain = QString::fromStdString(m_config.domain);
    return host == domain || host.endsWith("." + domain) || host == QString::fromStdString(m_config.apiHost);
}

void LoginPage::handle(const net::ExchangePtr &ex)
{
    const auto &req = ex->request();
    if (req.method == "GET" || req.method == "HEAD") {
        QUrlQuery query(QUrl(QString::fromStdString(req.target)).query());
        return render(ex, 200, field(query, "next"), {});
    }
    if (req.method != "POST") {
        net::Headers h;
        h.set("Allow", "GET, POST");
        return reply::text(ex, 405, "use GET or POST on /login", std::move(h));
    }
    // A form posted from another site is refused: sign-in must start on this page (login CSRF).
    if (const std::string *origin = req.headers.find("Origin"); origin && !isSameSite(*origin + "/"))
        return reply::text(ex, 403, "sign-in forms must be posted from the sign-in page");
    ex->readBody(kMaxFormBody, [this, ex](std::string body) { submit(ex, body); });
}

void LoginPage::submit(const net::ExchangePtr &ex, const std::string &body)
{
    QUrlQuery form = parseForm(body);
    std::string next = field(form, "next"), email = field(form, "email"), password = field(form, "password"),
                apiKey = field(form, "api_key");
    auto done = [this, ex, next, email](std::optional<Account> account, std::string result) {
        if (!account) {
            std::string message = result.rfind("too_many_attempts", 0) == 0
                                      ? "Too many failed attempts. Wait a minute and try again."
                                  : result == "invalid_api_key" ? "That API key is unknown or has been revoked."
                                                                : "The email or password is incorrect.";
            int status = result.rfind("too_many_attempts", 0) == 0 ? 429 : 401;
            return ex->post([=, this] { render(ex, status, next, message, email); });
        }
        std::string keyId = result.rfind("key:", 0) == 0 ? result.substr(4) : std::string();
        std::string token = m_api.issueToken(*account, keyId);
        ex->post([=, this] { signedIn(ex, token, next, account->email); });
    };
    if (!apiKey.empty())
        m_api.checkApiKey(ex->peer().address, apiKey, done);
    else if (!email.empty() && !password.empty())
        m_api.checkPassword(ex->peer().address, email, password, done);
    else
        render(ex, 400, next, "Enter your email and password, or an API key.", email);
}

void LoginPage::signedIn(const net::ExchangePtr &ex, const std::string &token, const std::string &next,
                         const std::string &email)
{
    std::string host = hostOf(ex);
    std::string cookie = std::string(kTokenCookie) + "=" + token +
                         "; Path=/; Max-Age=" + std::to_string(m_config.tokenLifetimeSeconds) +
                         "; HttpOnly; Secure; SameSite=Lax";
    // A Domain attribute browsers would reject (the page served on another host) is left out: host-only instead.
    if (host == m_config.domain || QString::fromStdString(host).endsWith(QString::fromStdString("." + m_config.domain)))
        cookie += "; Domain=" + m_config.domain;
    net::Headers h;
    h.add("Set-Cookie", cookie);
    if (isSameSite(next)) {
        h.set("Location", next);
        return reply::text(ex, 302, "signed in; continue at " + next, std::move(h));
    }
    QString page = QString("<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport "
                           "content='width=device-width'><title>Signed in — Heyo</title><style>%1</style></head>"
                           "<body><main><div class=ok>✓</div><h1>Signed in</h1><p class=sub>as %2. You can close "
                           "this window.</p></main></body></html>")
                       .arg(kStyle, esc(email));
    reply::html(ex, 200, page.toStdString(), std::move(h));
}

void LoginPage::render(const net::ExchangePtr &ex, int status, const std::string &next, const std::string &error,
                       const std::string &email)
{
    std::string safeNext = isSameSite(next) ? next : std::string();
    QString errorHtml = error.empty() ? QString() : QString("<p class=error role=alert>%1</p>").arg(esc(error));
    QString page =
        QString("<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport "
                "content='width=device-width'><title>Sign in — Heyo</title><style>%1</style></head><body><main>"
                "<h1>Sign in to Heyo</h1><p class=sub>to reach your private endpoints</p>%2"
                "<form method=post action=/login id=password-form>"
                "<input type=hidden name=next value=\"%3\">"
                "<label for=email>Email</label><input id=email name=email type=email autocomplete=username "
                "value=\"%4\" required autofocus>"
                "<label for=password>Password</label><input id=password name=password type=password "
                "autocomplete=current-password required>"
                "<button type=submit>Sign in</button></form>"
                "<details><summary>Use an API key instead</summary>"
                "<form method=post action=/login id=api-key-form><input type=hidden name=next value=\"%3\">"
                "<label for=api_key>API key</label><input id=api_key name=api_key type=password "
                "autocomplete=off placeholder=\"heyo_…\" required>"
                "<button type=submit>Sign in with API key</button></form></details>"
                "</main></body></html>")
            .arg(kStyle, errorHtml, esc(safeNext), esc(email));
    reply::html(ex, status, page.toStdString());
}

} // namespace heyo::edge
