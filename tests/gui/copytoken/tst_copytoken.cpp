// Copy token against the demo heyo-edge: the confirmation names the account and shows the token only masked
// ("eyJhbGciOi…"); confirming puts the real token on the clipboard with `x-kde-passwordManagerHint: secret`; after
// the shortened timeout the clipboard is empty again, unless the user had copied something else meanwhile.
#include "AppFixture.h"

#include "ClipboardGuard.h"
#include "CopyTokenAction.h"

#include <QAbstractButton>
#include <QClipboard>
#include <QGuiApplication>
#include <QMimeData>

using namespace heyo;

namespace {
QByteArray currentToken(ui::AppController *app, const QString &id)
{
    QByteArray token;
    bool done = false;
    app->sessions()->tokenFor(id, [&](const auth::SessionManager::TokenReply &r) {
        token = r.token;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 20000))
        return {}; // the caller's comparison then fails with a clear value
    return token;
}
} // namespace

class TestCopyToken : public QObject {
    Q_OBJECT
private slots:
    void confirmsMaskedCopiesWithHintAndClears()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        const QString ada = f.signIn(f.kAda, f.kAdaPassword, &error);
        QVERIFY2(!ada.isEmpty(), qPrintable(error));
        const QByteArray token = currentToken(f.app.get(), ada);
        QVERIFY(token.startsWith("eyJ"));
        QGuiApplication::clipboard()->setText(QStringLiteral("before"));

        QSignalSpy copied(f.app->copyTokenAction(), &ui::CopyTokenAction::copied);
        QSignalSpy expired(f.app->clipboard(), &ui::ClipboardGuard::expired);
        f.app->copyToken(ada);
        QTRY_VERIFY_WITH_TIMEOUT(f.app->copyTokenAction()->confirmation(), 10000);
        QMessageBox *box = f.app->copyTokenAction()->confirmation();
        QVERIFY(QTest::qWaitForWindowExposed(box));
        QVERIFY(box->text().contains(QString::fromLatin1(f.kAda)));
        const QString masked = QString::fromLatin1(token.left(10)) + QChar(0x2026);
        QVERIFY2(box->informativeText().contains(masked), qPrintable(box->informativeText()));
        QVERIFY(!box->informativeText().contains(QString::fromLatin1(token.left(11))));
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("before")); // nothing copied before the answer

        QAbstractButton *copyButton = nullptr;
        for (QAbstractButton *b : box->buttons())
            if (box->buttonRole(b) == QMessageBox::AcceptRole)
                copyButton = b;
        QVERIFY(copyButton);
        QTest::mouseClick(copyButton, Qt::LeftButton);
        QTRY_COMPARE(copied.count(), 1);
        QCOMPARE(copied.first().at(1).toString(), masked);

        const QMimeData *mime = QGuiApplication::clipboard()->mimeData();
        QVERIFY(mime);
        QCOMPARE(mime->text().toUtf8(), token);
        QCOMPARE(mime->data(QStringLiteral("x-kde-passwordManagerHint")), QByteArray("secret"));
        QVERIFY(f.app->clipboard()->holdsSecret());
        // The notification never carries the token itself.
        for (const auto &m : f.app->notifier()->history())
            QVERIFY(!m.text.toUtf8().contains(token));

        // Cleared after the shortened timeout (1.5 s here, 30 s in the product).
        QTRY_COMPARE_WITH_TIMEOUT(expired.count(), 1, 5000);
        QVERIFY(expired.first().at(0).toBool());
        QVERIFY(QGuiApplication::clipboard()->text().isEmpty());
    }

    void declinedCopiesNothingAndUserCopyIsLeftAlone()
    {
        test::AppFixture f;
        QString error;
        QVERIFY2(f.init(true, &error), qPrintable(error));
        const QString ada = f.signIn(f.kAda, f.kAdaPassword, &error);
        QVERIFY2(!ada.isEmpty(), qPrintable(error));
        QGuiApplication::clipboard()->setText(QStringLiteral("mine"));

        // The seam answers "Cancel" without showing the dialog.
        QSignalSpy declined(f.app->copyTokenAction(), &ui::CopyTokenAction::declined);
        ui::CopyTokenAction::setNextAnswer(QMessageBox::Cancel);
        f.app->copyToken(ada);
        QTRY_COMPARE_WITH_TIMEOUT(declined.count(), 1, 10000);
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("mine"));

        // Copied, then the user copies something else: the timer must not wipe it.
        QSignalSpy copied(f.app->copyTokenAction(), &ui::CopyTokenAction::copied);
        QSignalSpy expired(f.app->clipboard(), &ui::ClipboardGuard::expired);
        ui::CopyTokenAction::setNextAnswer(QMessageBox::Ok);
        f.app->copyToken(ada);
        QTRY_COMPARE_WITH_TIMEOUT(copied.count(), 1, 10000);
        QVERIFY(QGuiApplication::clipboard()->text().startsWith(QStringLiteral("eyJ")));
        QGuiApplication::clipboard()->setText(QStringLiteral("something else"));
        QTRY_COMPARE_WITH_TIMEOUT(expired.count(), 1, 5000);
        QVERIFY(!expired.first().at(0).toBool());
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("something else"));
    }
};

QTEST_MAIN(TestCopyToken)
#include "tst_copytoken.moc"
