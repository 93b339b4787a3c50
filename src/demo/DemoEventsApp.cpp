// The demo events app: GET /events?count=N&interval_ms=M is a Server-Sent Events ticker, / a page that shows it.
#include "DemoEventsApp.h"

#include "DemoEventsExchange.h"

#include <QFile>

static void initDemoEventsResources()
{
    Q_INIT_RESOURCE(demo_assets);
}

namespace heyo::demo {

DemoEventsApp::DemoEventsApp(QObject *parent)
    : QObject(parent), m_server([this](DemoHttpConnection &c) { return handle(c); }, this)
{
    initDemoEventsResources();
}

bool DemoEventsApp::listen(quint16 port, QString *error)
{
    return m_server.listen(port, error);
}

std::unique_ptr<DemoExchange> DemoEventsApp::handle(DemoHttpConnection &c)
{
    const DemoHttpRequest &r = c.request();
    if (r.method != "GET" && r.method != "HEAD") {
        c.respond(405, {{"Allow", "GET, HEAD"}, {"Content-Type", "text/plain"}}, "use GET\n");
        return nullptr;
    }
    if (r.path == "/" || r.path == "/index.html") {
        QFile page(":/heyo/demo/events.html");
        page.open(QIODevice::ReadOnly);
        c.respond(200, {{"Content-Type", "text/html; charset=utf-8"}, {"Cache-Control", "no-cache"}}, page.readAll());
        return nullptr;
    }
    if (r.path != "/events") {
        c.respondText(404, "text/plain; charset=utf-8", "not found: " + r.path + "\n");
        return nullptr;
    }
    qint64 count = -1;
    int interval = 1000;
    bool ok = true;
    if (const QString v = r.queryValue("count"); !v.isEmpty())
        count = v.toLongLong(&ok);
    if (const QString v = r.queryValue("interval_ms"); ok && !v.isEmpty())
        interval = v.toInt(&ok);
    if (!ok || count < -1 || interval < 1 || interval > 3600000) {
        c.respondText(400, "text/plain; charset=utf-8", "count must be >= 0, interval_ms from 1 to 3600000\n");
        return nullptr;
    }
    c.beginResponse(
        200, {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}});
    return std::make_unique<DemoEventsExchange>(c, count, interval);
}

} // namespace heyo::demo
