// Built-in endpoint browser window (WebEngine plugin side).
#include "EndpointBrowserWindow.h"

#include <QAction>
#include <QApplication>
#include <QLineEdit>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QWebEngineHistory>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineView>

namespace heyo::ui {

namespace {
// Keeps navigation on the endpoint's local origin: a link elsewhere opens in the system browser instead.
class EndpointPage : public QWebEnginePage {
public:
    EndpointPage(QWebEngineProfile *profile, const QUrl &home, std::function<void(const QUrl &)> openExternally,
                 QObject *parent)
        : QWebEnginePage(profile, parent), m_home(home), m_openExternally(std::move(openExternally))
    {
    }

protected:
    bool acceptNavigationRequest(const QUrl &url, NavigationType type, bool isMainFrame) override
    {
        if (!isMainFrame || sameOrigin(url) || url.scheme() == QLatin1String("data") ||
            url.scheme() == QLatin1String("about"))
            return true;
        if (type == NavigationTypeLinkClicked && m_openExternally)
            m_openExternally(url);
        return false;
    }

    QWebEnginePage *createWindow(WebWindowType) override
    {
        return this; // target="_blank" on the endpoint: stay in this window (other sites are sent out above)
    }

private:
    bool sameOrigin(const QUrl &url) const
    {
        return url.scheme() == m_home.scheme() && url.host().compare(m_home.host(), Qt::CaseInsensitive) == 0 &&
               url.port(80) == m_home.port(80);
    }

    QUrl m_home;
    std::function<void(const QUrl &)> m_openExternally;
};
} // namespace

QWebEngineProfile *EndpointBrowserWindow::sharedProfile()
{
    static QWebEngineProfile *profile = [] {
        auto *p = new QWebEngineProfile(qApp); // no storage name: off the record
        p->setHttpCacheType(QWebEngineProfile::MemoryHttpCache);
        p->setPersistentCookiesPolicy(QWebEngineProfile::NoPersistentCookies);
        return p;
    }();
    return profile;
}

EndpointBrowserWindow::EndpointBrowserWindow(const QString &slug, const QUrl &url,
                                             std::function<void(const QUrl &)> openExternally, QWidget *parent)
    : QMainWindow(parent), m_slug(slug), m_home(url), m_openExternally(std::move(openExternally))
{
    setObjectName(QStringLiteral("endpointBrowser-%1").arg(slug));
    resize(1100, 780);
    m_view = new QWebEngineView(this);
    m_view->setPage(new EndpointPage(sharedProfile(), url, m_openExternally, m_view));
    setCentralWidget(m_view);

    auto *bar = addToolBar(tr("Navigation"));
    bar->setMovable(false);
    const struct {
        QWebEnginePage::WebAction action;
        QStyle::StandardPixmap icon;
        QKeySequence::StandardKey key;
    } navigation[] = {{QWebEnginePage::Back, QStyle::SP_ArrowBack, QKeySequence::Back},
                      {QWebEnginePage::Forward, QStyle::SP_ArrowForward, QKeySequence::Forward},
                      {QWebEnginePage::Reload, QStyle::SP_BrowserReload, QKeySequence::Refresh}};
    for (const auto &n : navigation) {
        QAction *a = m_view->pageAction(n.action);
        a->setIcon(style()->standardIcon(n.icon));
        a->setShortcut(n.key);
        a->setToolTip(QStringLiteral("%1 (%2)").arg(a->text(), a->shortcut().toString(QKeySequence::NativeText)));
        bar->addAction(a);
    }
    m_address = new QLineEdit(this);
    m_address->setReadOnly(true); // this window shows one endpoint; the address is for reading and copying
    m_address->setAccessibleName(tr("Address"));
    bar->addWidget(m_address);
    auto *external = bar->addAction(tr("Open in System Browser"));
    external->setToolTip(tr("Open this page in the system browser"));
    connect(external, &QAction::triggered, this, [this] {
        if (m_openExternally)
            m_openExternally(m_view->url());
    });

    connect(m_view, &QWebEngineView::urlChanged, this, [this](const QUrl &u) { m_address->setText(u.toString()); });
    connect(m_view, &QWebEngineView::titleChanged, this, &EndpointBrowserWindow::updateTitle);
    connect(m_view, &QWebEngineView::loadStarted, this, [this] { statusBar()->showMessage(tr("Loading…")); });
    connect(m_view, &QWebEngineView::loadFinished, this, [this](bool ok) {
        if (ok)
            statusBar()->clearMessage();
        else
            statusBar()->showMessage(
                tr("%1 could not be loaded. Is the endpoint still forwarded?").arg(m_view->url().toString()));
    });
    updateTitle();
    load(url);
}

EndpointBrowserWindow::~EndpointBrowserWindow()
{
    delete m_view; // the page before anything it refers to
    m_view = nullptr;
}

void EndpointBrowserWindow::load(const QUrl &url)
{
    m_address->setText(url.toString());
    m_view->load(url);
}

void EndpointBrowserWindow::runJavaScript(const QString &script)
{
    m_view->page()->runJavaScript(script);
}

void EndpointBrowserWindow::updateTitle()
{
    const QString page = m_view ? m_view->title() : QString();
    // Chromium uses the URL as the title until the page names itself.
    if (page.isEmpty() || page == m_view->url().toString() || page == m_view->url().toString(QUrl::RemoveScheme))
        setWindowTitle(tr("%1 — Heyo Access").arg(m_slug));
    else
        setWindowTitle(tr("%1 — %2 — Heyo Access").arg(page, m_slug));
}

} // namespace heyo::ui
