// The sign-in dialog filled and clicked like a user would, against the demo heyo-edge: email and password; a wrong
// password answered inline in the service's words; an API key with "stay signed in" (the key is kept and the session
// renews with it); and once through "Sign in with browser" (the WebEngine window, covered in depth by
// tst_browsersignin).
#include "AppFixture.h"
#include "WebEngineAsRoot.h"

#include "BrowserSignIn.h"
#include "SignInDialog.h"

#include <QCheckBox>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>

using namespace heyo;

class TestSignInDialog : public QObject {
    Q_OBJECT
public:
    static void initMain() { test::allowWebEngineAsRoot(); }

private slots:
    void passwordWrongThenRight()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        QPointer<ui::SignInDialog> d = f.app->showSignIn(); // deletes itself once closed
        QVERIFY(QTest::qWaitForWindowExposed(d));
        // The service comes from the settings (--service / --ca-file here).
        QCOMPARE(d->serviceEdit()->text(), f.edge.apiUrl());
        QCOMPARE(d->caFileEdit()->text(), f.edge.caFile());
        QSignalSpy signedIn(d, &ui::SignInDialog::signedIn);

        // Empty form: told what is missing, nothing sent.
        QTest::mouseClick(d->signInButton(), Qt::LeftButton);
        QCOMPARE(d->errorText(), QStringLiteral("Enter your email address."));

        QTest::keyClicks(d->emailEdit(), QString::fromLatin1(f.kAda));
        QTest::keyClicks(d->passwordEdit(), QStringLiteral("not-her-password"));
        QTest::keyClick(d->passwordEdit(), Qt::Key_Return); // Enter submits
        QTRY_VERIFY_WITH_TIMEOUT(!d->isBusy() && !d->errorText().isEmpty(), 20000);
        QVERIFY2(d->errorText().contains(QStringLiteral("password"), Qt::CaseInsensitive), qPrintable(d->errorText()));
        QVERIFY(d->errorText().at(0).isUpper());
        QVERIFY(d->isVisible());
        QCOMPARE(signedIn.count(), 0);

        d->passwordEdit()->clear();
        QTest::keyClicks(d->passwordEdit(), QString::fromLatin1(f.kAdaPassword));
        QTest::mouseClick(d->signInButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(signedIn.count(), 1, 20000);
        QCOMPARE(signedIn.first().at(0).value<api::AccountInfo>().email, QString::fromLatin1(f.kAda));
        QCOMPARE(f.app->sessions()->accountIds().size(), 1);
        QTRY_VERIFY(d.isNull() || !d->isVisible()); // accepted and closed
        QTRY_COMPARE_WITH_TIMEOUT(f.app->model()->endpointCount(), 7, 20000);
    }

    void apiKeyKeptForRenewal()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        const QByteArray key = f.edge.issueApiKey(QString::fromLatin1(f.kBob), QStringLiteral("gui test"), &error);
        QVERIFY2(key.startsWith("heyo_"), qPrintable(error));
        ui::SignInDialog *d = f.app->showSignIn();
        QVERIFY(QTest::qWaitForWindowExposed(d));
        QSignalSpy signedIn(d, &ui::SignInDialog::signedIn);
        d->setMethod(ui::SignInDialog::ApiKey);
        QVERIFY(d->keepKeyBox()->isChecked()); // "stay signed in" is the default
        QTest::keyClicks(d->apiKeyEdit(),
                         QStringLiteral("heyo_0000000000000000000000000000000000000000000000000000000000000000"));
        QTest::mouseClick(d->signInButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!d->isBusy() && !d->errorText().isEmpty(), 20000);
        QCOMPARE(signedIn.count(), 0);

        d->apiKeyEdit()->clear();
        QTest::keyClicks(d->apiKeyEdit(), QString::fromLatin1(key));
        QTest::mouseClick(d->signInButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(signedIn.count(), 1, 20000);
        const QString id = signedIn.first().at(0).value<api::AccountInfo>().id;
        const auto session = f.app->sessions()->session(id);
        QVERIFY(session);
        QCOMPARE(session->account.email, QString::fromLatin1(f.kBob));
        QVERIFY(session->keepsApiKey);
        QTRY_COMPARE_WITH_TIMEOUT(f.app->model()->endpointCount(), 1, 20000); // bob-notes
    }

    void browserButtonSignsIn()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        ui::SignInDialog *d = f.app->showSignIn();
        QVERIFY(QTest::qWaitForWindowExposed(d));
        QSignalSpy signedIn(d, &ui::SignInDialog::signedIn);
        QTest::mouseClick(d->browserButton(), Qt::LeftButton);
        ui::BrowserSignIn *b = d->browserSignIn();
        QVERIFY(b);
        QVERIFY2(b->isRunning(), qPrintable(ui::BrowserSignIn::pluginError()));
        QVERIFY(d->isBusy());
        QSignalSpy loaded(b, &ui::BrowserSignIn::pageLoaded);
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 30000);
        b->runJavaScript(QStringLiteral("document.getElementById('email').value = '%1';"
                                        "document.getElementById('password').value = '%2';"
                                        "document.getElementById('password-form').submit();")
                             .arg(QString::fromLatin1(f.kAda), QString::fromLatin1(f.kAdaPassword)));
        QTRY_COMPARE_WITH_TIMEOUT(signedIn.count(), 1, 30000);
        QCOMPARE(signedIn.first().at(0).value<api::AccountInfo>().email, QString::fromLatin1(f.kAda));
        QCOMPARE(f.app->sessions()->accountIds().size(), 1);
    }
};

QTEST_MAIN(TestSignInDialog)
#include "tst_signindialog.moc"
