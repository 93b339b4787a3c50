// Loads the browser sign-in plugin on demand and relays its window's outcome.
#include "BrowserSignIn.h"

#include "BrowserSignInBackend.h"
#include "WebEnginePlugin.h"

namespace heyo::ui {

BrowserSignIn::BrowserSignIn(const api::ServiceSettings &service, QObject *parent) : QObject(parent), m_service(service)
{
}

BrowserSignIn::~BrowserSignIn()
{
    if (m_window) {
        m_finished = true; // no signal from a dying object
        delete m_window;
    }
}

QString BrowserSignIn::pluginError()
{
    return WebEnginePlugin::error();
}

void BrowserSignIn::start()
{
    if (m_window) {
        m_window->raise();
        m_window->activateWindow();
        return;
    }
    m_finished = false;
    BrowserSignInBackend *b = WebEnginePlugin::signIn();
    if (!b) {
        QMetaObject::invokeMethod(
            this, [this] { done({}, pluginError()); }, Qt::QueuedConnection);
        return;
    }
    QPointer<BrowserSignIn> self(this);
    BrowserSignInBackend::Handlers h;
    h.token = [self](const QByteArray &token) {
        if (self)
            self->done(token, {});
    };
    h.failed = [self](const QString &error) {
        if (self)
            self->done({}, error);
    };
    h.loaded = [self](bool ok, const QUrl &url) {
        if (self)
            emit self->pageLoaded(ok, url);
    };
    m_window = b->createWindow(m_service, std::move(h), nullptr);
    m_window->setAttribute(Qt::WA_DeleteOnClose);
    m_window->show();
}

void BrowserSignIn::cancel()
{
    if (m_window)
        m_window->close(); // the window reports "closed" through failed()
}

void BrowserSignIn::runJavaScript(const QString &script)
{
    if (m_window && WebEnginePlugin::signIn())
        WebEnginePlugin::signIn()->runJavaScript(m_window, script);
}

void BrowserSignIn::done(const QByteArray &token, const QString &error)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_window) {
        QWidget *w = m_window;
        m_window.clear();
        w->close();
    }
    emit finished(token, error);
}

} // namespace heyo::ui
