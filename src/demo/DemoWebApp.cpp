// The demo web app: an HTML page with its assets, /api/whoami, /api/ echo, /redirect, /cookie and /status/<code>.
#include "DemoWebApp.h"

#include "DemoEchoExchange.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

// Resources in a static library must be registered by name, outside any namespace.
static void initDemoResources()
{
    Q_INIT_RESOURCE(demo_assets);
}

namespace heyo::demo {

namespace {
QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n";
}

// "host:port", "[v6]:port" or "host" → the host alone, as a cookie Domain wants it.
QByteArray hostWithoutPort(const QByteArray &host)
{
    if (host.startsWith('[')) {
        const qsizetype end = host.indexOf(']');
        return end < 0 ? host : host.left(end + 1);
    }
    const qsizetype colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.left(colon);
}
} // namespace

DemoWebApp::DemoWebApp(QObject *parent)
    : QObject(parent), m_server([this](DemoHttpConnection &c) { return handle(c); }, this)
{
    initDemoResources();
}

bool DemoWebApp::listen(quint16 port, QString *error)
{
    return m_server.listen(port, error);
}

std::unique_ptr<DemoExchange> DemoWebApp::handle(DemoHttpConnection &c)
{
    const QByteArray &path = c.request().path;
    if (path == "/api/whoami")
        whoami(c);
    else if (path.startsWith("/api/"))
        return std::make_unique<DemoEchoExchange>(c);
    else if (path == "/" || path == "/index.html")
        serveAsset(c, ":/heyo/demo/index.html", "text/html; charset=utf-8");
    else if (path == "/static/app.css")
        serveAsset(c, ":/heyo/demo/app.css", "text/css; charset=utf-8");
    else if (path == "/static/app.js")
        serveAsset(c, ":/heyo/demo/app.js", "text/javascript; charset=utf-8");
    else if (path == "/redirect")
        redirect(c);
    else if (path == "/cookie")
        cookie(c);
    else if (path.startsWith("/status/"))
        status(c);
    else
        c.respondText(404, "text/plain; charset=utf-8", "not found: " + path + "\n");
    return nullptr;
}

void DemoWebApp::serveAsset(DemoHttpConnection &c, const QString &resource, const QByteArray &contentType)
{
    const QByteArray &method = c.request().method;
    if (method != "GET" && method != "HEAD") {
        c.respond(405, {{"Allow", "GET, HEAD"}, {"Content-Type", "text/plain"}}, "use GET\n");
        return;
    }
    QFile f(resource);
    if (!f.open(QIODevice::ReadOnly)) {
        c.respondText(500, "text/plain", "missing resource\n");
        return;
    }
    c.respond(200, {{"Content-Type", contentType}, {"Cache-Control", "no-cache"}}, f.readAll());
}

void DemoWebApp::whoami(DemoHttpConnection &c)
{
    const DemoHttpRequest &r = c.request();
    const QByteArray account = r.header("x-heyo-account-id");
    const QByteArray email = r.header("x-heyo-email");
    c.respondText(200, "application/json",
                  json({{"account_id", account.isEmpty() ? QJsonValue() : QJsonValue(QString::fromUtf8(account))},
                        {"email", email.isEmpty() ? QJsonValue() : QJsonValue(QString::fromUtf8(email))}}));
}

void DemoWebApp::redirect(DemoHttpConnection &c)
{
    const DemoHttpRequest &r = c.request();
    QString to = r.queryValue("to");
    if (to.isEmpty())
        to = "/";
    // Only same-site paths: this must not become an open redirector.
    if (!to.startsWith('/') || to.startsWith("//") || to.contains('\\') || to.contains('\r') || to.contains('\n')) {
        c.respondText(400, "text/plain; charset=utf-8", "to= must be a path starting with a single /\n");
        return;
    }
    const QByteArray host = r.header("host");
    if (host.isEmpty()) {
        c.respondText(400, "text/plain; charset=utf-8", "a Host header is needed to build the Location\n");
        return;
    }
    // Absolute, built from Host (and the scheme the edge says the client used), so a proxy's Location rewrite can
    // be tested.
    const QByteArray scheme = r.header("x-forwarded-proto") == "https" ? "https://" : "http://";
    const QByteArray location = scheme + host + QUrl(to).toEncoded();
    c.respond(302, {{"Location", location}, {"Content-Type", "text/plain; charset=utf-8"}},
              "redirecting to " + location + "\n");
}

void DemoWebApp::cookie(DemoHttpConnection &c)
{
    const DemoHttpRequest &r = c.request();
    const QByteArray domain = hostWithoutPort(r.header("host"));
    QByteArray setCookie = "heyo_demo=hello; Path=/; HttpOnly; SameSite=Lax";
    if (!domain.isEmpty())
        setCookie += "; Domain=" + domain;
    c.respond(200, {{"Set-Cookie", setCookie}, {"Content-Type", "application/json"}},
              json({{"set_cookie", QString::fromLatin1(setCookie)},
                    {"received_cookie", QString::fromLatin1(r.header("cookie"))}}));
}

void DemoWebApp::status(DemoHttpConnection &c)
{
    bool ok = false;
    const int code = c.request().path.mid(int(sizeof("/status/")) - 1).toInt(&ok);
    if (!ok || code < 200 || code > 599) {
        c.respondText(400, "text/plain; charset=utf-8", "status must be a number from 200 to 599\n");
        return;
    }
    c.respond(code, {{"Content-Type", "text/plain; charset=utf-8"}},
              QByteArray::number(code) + ' ' + DemoHttpConnection::reasonPhrase(code) + "\n");
}

} // namespace heyo::demo
