// Sign-in dialog: the three ways in, inline errors, busy state.
#include "SignInDialog.h"

#include "BrowserSignIn.h"
#include "CaFileField.h"

#include "core/auth/SessionManager.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QStyle>
#include <QTabWidget>
#include <QVBoxLayout>

namespace heyo::ui {

SignInDialog::SignInDialog(auth::SessionManager *sessions, const api::ServiceSettings &service, QWidget *parent)
    : QDialog(parent), m_sessions(sessions)
{
    setWindowTitle(tr("Sign in — Heyo Access"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/heyo-access.svg")));
    setMinimumWidth(460);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 18, 20, 14);
    layout->setSpacing(12);

    auto *header = new QHBoxLayout;
    auto *logo = new QLabel(this);
    logo->setPixmap(QIcon(QStringLiteral(":/icons/heyo-access.svg")).pixmap(48, 48));
    header->addWidget(logo, 0, Qt::AlignTop);
    auto *title = new QLabel(tr("<b style='font-size:13pt'>Sign in to Heyo</b><br>"
                                "Reach your private endpoints from this computer. Your token is kept in the "
                                "system keychain."),
                             this);
    title->setWordWrap(true);
    header->addWidget(title, 1);
    layout->addLayout(header);

    m_keychain = new QLabel(this);
    m_keychain->setWordWrap(true);
    m_keychain->setStyleSheet(QStringLiteral("QLabel { background: #fdf3e1; color: #5a3d00; border: 1px solid #e8c37a;"
                                             " border-radius: 4px; padding: 6px; }"));
    m_keychain->hide();
    layout->addWidget(m_keychain);

    m_tabs = new QTabWidget(this);
    auto *pw = new QWidget(m_tabs);
    auto *pwForm = new QFormLayout(pw);
    m_email = new QLineEdit(pw);
    m_email->setPlaceholderText(tr("you@example.com"));
    m_email->setInputMethodHints(Qt::ImhEmailCharactersOnly | Qt::ImhNoAutoUppercase);
    m_password = new QLineEdit(pw);
    m_password->setEchoMode(QLineEdit::Password);
    pwForm->addRow(tr("&Email:"), m_email);
    pwForm->addRow(tr("&Password:"), m_password);
    m_tabs->addTab(pw, tr("Email and password"));

    auto *key = new QWidget(m_tabs);
    auto *keyForm = new QFormLayout(key);
    m_apiKey = new QLineEdit(key);
    m_apiKey->setEchoMode(QLineEdit::Password);
    m_apiKey->setPlaceholderText(tr("heyo_…"));
    m_keepKey = new QCheckBox(tr("&Stay signed in (keep the key in the keychain and renew the session with it)"), key);
    m_keepKey->setChecked(true);
    keyForm->addRow(tr("API &key:"), m_apiKey);
    keyForm->addRow(QString(), m_keepKey);
    m_tabs->addTab(key, tr("API key"));
    layout->addWidget(m_tabs);

    // Where: prefilled from Settings; changing it here only affects this sign-in.
    auto *serviceForm = new QFormLayout;
    m_serviceUrl = new QLineEdit(service.baseUrl.toString(), this);
    auto *caField = new CaFileField(service.caFile, this);
    m_caFile = caField->edit();
    serviceForm->addRow(tr("Ser&vice:"), m_serviceUrl);
    auto *caLabel = new QLabel(tr("&CA file:"), this);
    caLabel->setBuddy(m_caFile);
    serviceForm->addRow(caLabel, caField);
    layout->addLayout(serviceForm);

    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #b3261e; }"));
    m_error->setAccessibleName(tr("Sign-in error"));
    m_error->hide();
    layout->addWidget(m_error);

    auto *buttons = new QHBoxLayout;
    m_browser = new QPushButton(tr("Sign in with &browser…"), this);
    m_browser->setIcon(QIcon::fromTheme(QStringLiteral("internet-web-browser")));
    m_browser->setAutoDefault(false);
    buttons->addWidget(m_browser);
    buttons->addStretch();
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setAutoDefault(false);
    m_signIn = new QPushButton(tr("Sign in"), this);
    m_signIn->setDefault(true);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_signIn);
    layout->addLayout(buttons);

    connect(m_signIn, &QPushButton::clicked, this, &SignInDialog::submit);
    connect(m_cancel, &QPushButton::clicked, this, &SignInDialog::reject);
    connect(m_browser, &QPushButton::clicked, this, &SignInDialog::startBrowser);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        m_error->hide();
        (m_tabs->currentIndex() == Password ? m_email : m_apiKey)->setFocus();
    });
    m_email->setFocus();
}

void SignInDialog::setMethod(Method m)
{
    m_tabs->setCurrentIndex(m);
}

void SignInDialog::setKeychainProblem(const QString &message)
{
    m_keychain->setText(message);
    m_keychain->setVisible(!message.isEmpty());
}

api::ServiceSettings SignInDialog::service() const
{
    api::ServiceSettings s;
    s.baseUrl = QUrl::fromUserInput(m_serviceUrl->text().trimmed());
    s.caFile = m_caFile->text().trimmed();
    return s;
}

QString SignInDialog::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

QString SignInDialog::plainWords(const QString &message)
{
    QString m = message.simplified();
    // The service's words without the codes meant for logs: "(invalid_credentials, HTTP 401)".
    static const QRegularExpression codes(QStringLiteral("\\s*\\([a-z_]+(, HTTP \\d+)?\\)|\\s*\\(HTTP \\d+\\)"));
    m.remove(codes);
    static const QRegularExpression prefix(QStringLiteral("^sign-in failed:\\s*"),
                                           QRegularExpression::CaseInsensitiveOption);
    m.remove(prefix);
    if (m.isEmpty())
        return tr("Signing in failed.");
    m[0] = m[0].toUpper();
    if (!m.endsWith(QLatin1Char('.')) && !m.endsWith(QLatin1Char('!')) && !m.endsWith(QLatin1Char('?')))
        m += QLatin1Char('.');
    return m;
}

void SignInDialog::showError(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

void SignInDialog::setBusy(bool busy, const QString &what)
{
    m_busy = busy;
    for (QWidget *w : std::initializer_list<QWidget *>{m_tabs, m_serviceUrl, m_caFile, m_browser, m_signIn})
        w->setEnabled(!busy);
    m_signIn->setText(busy ? what : tr("Sign in"));
}

void SignInDialog::submit()
{
    if (m_busy || !m_sessions)
        return;
    const api::ServiceSettings s = service();
    if (const QString problem = s.validate(); !problem.isEmpty()) {
        showError(plainWords(problem));
        m_serviceUrl->setFocus();
        return;
    }
    QPointer<SignInDialog> self(this);
    auto done = [self](const auth::SessionManager::SignInReply &r) {
        if (self)
            self->finishSignIn(r.ok(), r.message, r.account);
    };
    if (m_tabs->currentIndex() == Password) {
        const QString email = m_email->text().trimmed();
        if (email.isEmpty() || m_password->text().isEmpty()) {
            showError(email.isEmpty() ? tr("Enter your email address.") : tr("Enter your password."));
            (email.isEmpty() ? m_email : m_password)->setFocus();
            return;
        }
        showError({});
        setBusy(true, tr("Signing in…"));
        m_sessions->signInWithPassword(s, email, m_password->text(), done);
    } else {
        const QByteArray key = m_apiKey->text().trimmed().toUtf8();
        if (key.isEmpty()) {
            showError(tr("Paste an API key (it starts with heyo_)."));
            m_apiKey->setFocus();
            return;
        }
        showError({});
        setBusy(true, tr("Signing in…"));
        m_sessions->signInWithApiKey(s, key, m_keepKey->isChecked(), done);
    }
}

void SignInDialog::startBrowser()
{
    if (m_busy)
        return;
    const api::ServiceSettings s = service();
    if (const QString problem = s.validate(); !problem.isEmpty()) {
        showError(plainWords(problem));
        return;
    }
    showError({});
    delete m_browserSignIn;
    m_browserSignIn = new BrowserSignIn(s, this);
    setBusy(true, tr("Waiting for the browser…"));
    connect(m_browserSignIn, &BrowserSignIn::finished, this, [this, s](const QByteArray &token, const QString &error) {
        if (token.isEmpty()) {
            setBusy(false);
            showError(plainWords(error));
            return;
        }
        QPointer<SignInDialog> self(this);
        setBusy(true, tr("Signing in…"));
        m_sessions->signInWithToken(s, token, [self](const auth::SessionManager::SignInReply &r) {
            if (self)
                self->finishSignIn(r.ok(), r.message, r.account);
        });
    });
    m_browserSignIn->start();
}

void SignInDialog::finishSignIn(bool ok, const QString &message, const api::AccountInfo &account)
{
    setBusy(false);
    if (!ok) {
        showError(plainWords(message));
        (m_tabs->currentIndex() == Password ? m_password : m_apiKey)->selectAll();
        return;
    }
    m_password->clear();
    m_apiKey->clear();
    emit signedIn(account);
    accept();
}

} // namespace heyo::ui
