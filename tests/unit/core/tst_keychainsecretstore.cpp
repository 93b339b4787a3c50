// KeychainSecretStore against the real Secret Service (gnome-keyring in the test command's private D-Bus session):
// round trip, not-found = "not signed in", delete verified by reading back, secret-tool sees the same entry, and a
// process without a session bus gets the "no keychain" state (run as a child process with the bus pointing nowhere).
#include "core/auth/KeychainSecretStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <optional>

using namespace heyo::auth;

namespace {
SecretResult wait(const std::function<void(SecretStore::Callback)> &start)
{
    std::optional<SecretResult> out;
    start([&](const SecretResult &r) { out = r; });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(out.has_value(), 60000); }();
    return out.value_or(SecretResult{SecretStatus::Failed, QStringLiteral("timeout"), {}});
}
} // namespace

class TestKeychainSecretStore : public QObject {
    Q_OBJECT
private slots:
    void roundTrip()
    {
        KeychainSecretStore store;
        const QString key =
            SecretStore::keyFor(QStringLiteral("acc_test%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(8)),
                                QStringLiteral("jwt"));
        const QByteArray secret = "eyJ.test." + QUuid::createUuid().toByteArray(QUuid::Id128);
        SecretResult r = wait([&](auto cb) { store.read(key, cb); });
        QCOMPARE(r.status, SecretStatus::NotFound);
        r = wait([&](auto cb) { store.write(key, secret, cb); });
        QVERIFY2(r.ok(), qPrintable(r.message));
        r = wait([&](auto cb) { store.read(key, cb); });
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.data, secret);

        QProcess tool;
        tool.start(QStringLiteral("secret-tool"), {QStringLiteral("lookup"), QStringLiteral("user"), key,
                                                   QStringLiteral("server"), QStringLiteral("heyo-access")});
        QVERIFY(tool.waitForFinished(20000));
        QCOMPARE(tool.readAllStandardOutput().trimmed(), secret);

        r = wait([&](auto cb) { store.remove(key, cb); });
        QVERIFY2(r.ok() || r.status == SecretStatus::NotFound, qPrintable(r.message));
        r = wait([&](auto cb) { store.read(key, cb); });
        QCOMPARE(r.status, SecretStatus::NotFound);
    }

    void lockedKeyringIsReported()
    {
        if (qEnvironmentVariableIsSet("HEYO_KEYCHAIN_LOCKED_CHILD")) {
            // Child: a private bus whose keyring was never unlocked (no login collection).
            KeychainSecretStore store;
            const SecretResult r = wait([&](auto cb) { store.write(QStringLiteral("acc_x/jwt"), "s", cb); });
            // gnome-keyring answers either "no such collection" (Locked) or, when it tried to prompt for an unlock
            // and no prompter could show, a dismissed prompt (AccessDenied); which one depends on timing. Both must
            // reach the user as "unlock it", and neither may succeed.
            QVERIFY2(r.status == SecretStatus::Locked || r.status == SecretStatus::AccessDenied,
                     qPrintable(secretStatusName(r.status) + QStringLiteral(": ") + r.message));
            QVERIFY(r.message.contains(QStringLiteral("unlock")));
            return;
        }
        QTemporaryDir home;
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HEYO_KEYCHAIN_LOCKED_CHILD"), QStringLiteral("1"));
        env.insert(QStringLiteral("HOME"), home.path());
        // Its own runtime dir too, or the activated gnome-keyring finds the running (unlocked) one and defers to it.
        QVERIFY(QDir(home.path()).mkdir(QStringLiteral("run")));
        QFile::setPermissions(home.filePath(QStringLiteral("run")),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home.filePath(QStringLiteral("run")));
        env.remove(QStringLiteral("DISPLAY")); // no prompter can show up and hang the job
        child.setProcessEnvironment(env);
        child.setProcessChannelMode(QProcess::MergedChannels);
        child.start(QStringLiteral("dbus-run-session"), {QStringLiteral("--"), QCoreApplication::applicationFilePath(),
                                                         QStringLiteral("lockedKeyringIsReported")});
        QVERIFY(child.waitForFinished(90000));
        QVERIFY2(child.exitCode() == 0, child.readAll().constData());
    }

    void noSessionBusMeansNoKeychain()
    {
        if (qEnvironmentVariableIsSet("HEYO_KEYCHAIN_CHILD")) {
            // Child: the bus address points nowhere.
            KeychainSecretStore store;
            const SecretResult r = wait([&](auto cb) { store.write(QStringLiteral("acc_x/jwt"), "s", cb); });
            QCOMPARE(r.status, SecretStatus::NoBackend);
            QVERIFY(r.message.contains(QStringLiteral("no keychain")));
            return;
        }
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HEYO_KEYCHAIN_CHILD"), QStringLiteral("1"));
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent/heyo-bus"));
        env.remove(QStringLiteral("DISPLAY"));
        child.setProcessEnvironment(env);
        child.setProcessChannelMode(QProcess::MergedChannels);
        child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("noSessionBusMeansNoKeychain")});
        QVERIFY(child.waitForFinished(90000));
        QVERIFY2(child.exitCode() == 0, child.readAll().constData());
    }
};

QTEST_GUILESS_MAIN(TestKeychainSecretStore)
#include "tst_keychainsecretstore.moc"
