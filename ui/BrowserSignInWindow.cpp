// Browser sign-in window (WebEngine): cookie watch, CA-pinned certificate handling, off-the-record profile.
#include "BrowserSignInWindow.h"

#include <QCloseEvent>
#include <QFile>
#include <QLabel>
#include <QNetworkCookie>
#include <QSslCertificate>
#include <QVBoxLayout>
#include <QWebEngineCertificateError>
#include <QWebEngineCookieStore>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineView>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>

namespace heyo::ui {

namespace {
const QByteArray kTokenCookie = "__heyo_token";

X509 *toX509(const QSslCertificate &cert)
{
    const QByteArray der = cert.toDer();
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    return d2i_X509(nullptr, &p, der.size());
}
} // namespace

BrowserSignInWindow::BrowserSignInWindow(const api::ServiceSettings &service, BrowserSignInBackend::Handlers handlers,
                                         QWidget *parent)
    : QWidget(parent), m_service(service), m_handlers(std::move(handlers))
{
    setWindowTitle(tr("Sign in to Heyo — %1").arg(service.baseUrl.host()));
    resize(520, 680);
    // No storage name: off-the-record, nothing (cookies, cache) is written to disk.
    m_profile = new QWebEngineProfile(this);
    m_profile->setHttpCacheType(QWebEngineProfile::MemoryHttpCache);
    m_profile->setPersistentCookiesPolicy(QWebEngineProfile::NoPersistentCookies);
    m_view = new QWebEngineView(this);
    auto *page = new QWebEnginePage(m_profile, m_view); // owned by the view, so it dies before the profile
    m_view->setPage(page);
    m_status = new QLabel(this);
    m_status->setText(tr("Connecting to %1…").arg(service.baseUrl.host()));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);

    connect(m_profile->cookieStore(), &QWebEngineCookieStore::cookieAdded, this, &BrowserSignInWindow::onCookieAdded);
    connect(page, &QWebEnginePage::certificateError, this, &BrowserSignInWindow::onCertificateError);
    connect(page, &QWebEnginePage::loadFinished, this, [this](bool ok) {
        m_status->setText(ok ? QString() : tr("The sign-in page could not be loaded."));
        if (m_handlers.loaded)
            m_handlers.loaded(ok, m_view->url());
    });
}

BrowserSignInWindow::~BrowserSignInWindow()
{
    // The page must go before its profile.
    delete m_view;
    m_view = nullptr;
}

void BrowserSignInWindow::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_started)
        return;
    m_started = true;
    m_view->load(m_service.loginUrl());
}

void BrowserSignInWindow::closeEvent(QCloseEvent *event)
{
    if (!m_done) {
        m_done = true;
        if (m_handlers.failed)
            m_handlers.failed(tr("sign-in window closed"));
    }
    QWidget::closeEvent(event);
}

void BrowserSignInWindow::runJavaScript(const QString &script)
{
    m_view->page()->runJavaScript(script);
}

bool BrowserSignInWindow::cookieBelongsToService(const QNetworkCookie &cookie) const
{
    QString domain = cookie.domain().toLower();
    if (domain.startsWith(QLatin1Char('.')))
        domain.remove(0, 1);
    const QString host = m_service.baseUrl.host().toLower();
    // Host-only cookie of the service, the service's parent domain, or the edge domain under it (heyo.localhost).
    return domain == host || host.endsWith(QLatin1Char('.') + domain) || domain.endsWith(QLatin1Char('.') + host);
}

void BrowserSignInWindow::onCookieAdded(const QNetworkCookie &cookie)
{
    // cookieAdded fires again on reload, and for every cookie: only the first token cookie of the service counts.
    if (m_done || cookie.name() != kTokenCookie || cookie.value().isEmpty() || !cookieBelongsToService(cookie))
        return;
    m_done = true;
    m_status->setText(tr("Signed in."));
    if (m_handlers.token)
        m_handlers.token(cookie.value());
}

bool BrowserSignInWindow::chainTrusted(const QList<QSslCertificate> &chain, const QString &host, const QString &caFile,
                                       QString *why)
{
    if (caFile.isEmpty() || chain.isEmpty()) {
        *why = QStringLiteral("no CA file is configured for this service");
        return false;
    }
    QFile f(caFile);
    if (!f.open(QIODevice::ReadOnly)) {
        *why = QStringLiteral("cannot read %1").arg(caFile);
        return false;
    }
    const QList<QSslCertificate> cas = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
    for (const QSslCertificate &ca : cas) {
        X509 *x = toX509(ca);
        if (x) {
            X509_STORE_add_cert(store.get(), x);
            X509_free(x);
        }
    }
    std::unique_ptr<X509, decltype(&X509_free)> leaf(toX509(chain.first()), X509_free);
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    for (int i = 1; i < chain.size(); ++i) {
        if (X509 *x = toX509(chain.at(i)))
            sk_X509_push(untrusted, x);
    }
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
    bool ok = false;
    if (leaf && ctx && X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted) == 1) {
        X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx.get());
        const QByteArray h = host.toUtf8();
        X509_VERIFY_PARAM_set1_host(param, h.constData(), h.size());
        ok = X509_verify_cert(ctx.get()) == 1;
        if (!ok)
            *why = QString::fromUtf8(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
    } else {
        *why = QStringLiteral("unreadable certificate");
    }
    sk_X509_pop_free(untrusted, X509_free);
    return ok;
}

void BrowserSignInWindow::onCertificateError(const QWebEngineCertificateError &error)
{
    QWebEngineCertificateError e = error;
    QString why;
    if (e.isOverridable() && chainTrusted(e.certificateChain(), e.url().host(), m_service.caFile, &why)) {
        e.acceptCertificate();
        return;
    }
    e.rejectCertificate();
    if (!m_done) {
        m_done = true;
        if (m_handlers.failed)
            m_handlers.failed(
                tr("the certificate of %1 is not trusted: %2 (%3)").arg(e.url().host(), e.description(), why));
    }
}

} // namespace heyo::ui
