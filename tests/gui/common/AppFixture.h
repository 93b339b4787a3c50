// Shared by the tray app's GUI tests: the demo heyo-edge, a temporary settings file, the real keychain (a service name
// of its own per fixture, in the private D-Bus session scripts/test.sh provides) and an AppController over them.
#pragma once

#include "EdgeProcess.h"

#include "AppController.h"
#include "EndpointModel.h"
#include "Notifier.h"

#include "core/auth/KeychainSecretStore.h"
#include "core/auth/SessionManager.h"

#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <memory>
#include <optional>

namespace heyo::test {

struct AppFixture {
    EdgeProcess edge{{}, true}; // `heyo-edge demo`: ada@demo.heyo and bob@demo.heyo with their endpoints
    QTemporaryDir dir;
    std::unique_ptr<QSettings> settings;
    std::unique_ptr<auth::KeychainSecretStore> secrets;
    std::unique_ptr<ui::AppController> app;

    static constexpr const char *kAda = "ada@demo.heyo";
    static constexpr const char *kAdaPassword = "ada-demo-password";
    static constexpr const char *kBob = "bob@demo.heyo";
    static constexpr const char *kBobPassword = "bob-demo-password";

    ~AppFixture()
    {
        // Let the start-up keychain check finish so teardown does not race it (best effort in a destructor).
        if (app)
            (void)QTest::qWaitFor([this] { return app->keychainChecked(); }, 10000);
        app.reset();
        secrets.reset();
    }

    // Starts the edge and builds the controller (not yet start()ed when `start` is false).
    bool init(bool useTray, QString *error, bool start = true)
    {
        if (!edge.start(error))
            return false;
        settings = std::make_unique<QSettings>(dir.filePath(QStringLiteral("heyo-access.ini")), QSettings::IniFormat);
        secrets = std::make_unique<auth::KeychainSecretStore>(
            nullptr, QStringLiteral("heyo-access-test-") + QUuid::createUuid().toString(QUuid::Id128).left(8));
        ui::AppController::Options o;
        o.settings = settings.get();
        o.secrets = secrets.get();
        o.service = edge.baseUrl();
        o.caFile = edge.caFile();
        o.useTray = useTray;
        o.refreshMs = 500;
        o.statsMs = 100;
        o.clipboardClearMs = 1500;
        app = std::make_unique<ui::AppController>(o);
        app->setUrlOpener([this](const QUrl &url) {
            opened << url;
            return true;
        });
        if (start)
            app->start();
        return true;
    }

    // Signs in through the session manager (the dialog has its own test); the account id, or empty.
    QString signIn(const QString &email, const QString &password, QString *error = nullptr)
    {
        api::ServiceSettings s;
        s.baseUrl = edge.baseUrl();
        s.caFile = edge.caFile();
        std::optional<auth::SessionManager::SignInReply> reply;
        app->sessions()->signInWithPassword(s, email, password,
                                            [&](const auth::SessionManager::SignInReply &r) { reply = r; });
        if (!QTest::qWaitFor([&] { return reply.has_value(); }, 20000)) {
            if (error)
                *error = QStringLiteral("sign-in did not answer");
            return {};
        }
        if (!reply->ok()) {
            if (error)
                *error = reply->message;
            return {};
        }
        return reply->account.id;
    }

    // Ada signed in, with her seven demo endpoints listed (demo-web, -files, -events, -ws, -git, -grpc, -docs): her
    // account id, or empty with `*error` saying what did not happen.
    QString signInAdaAndList(QString *error)
    {
        const QString id = signIn(kAda, kAdaPassword, error);
        if (id.isEmpty())
            return {};
        if (!QTest::qWaitFor([this] { return app->model()->endpointCount() == 7; }, 20000)) {
            *error = QStringLiteral("Ada's endpoints were not listed: %1 of 7").arg(app->model()->endpointCount());
            return {};
        }
        return id;
    }

    // Real curl, run while this thread's event loop keeps turning: the forwarder asks the sessions (on this thread)
    // for tokens, so a blocking wait here would starve it. Returns the HTTP status (0 on failure), body in `*body`.
    static int curl(const QUrl &url, QByteArray *body = nullptr, const QStringList &extra = {})
    {
        QProcess p;
        p.start(QStringLiteral("curl"),
                QStringList{"-sS", "--max-time", "30", "-w", "\n%{http_code}"} << extra << url.toString());
        if (!QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, 40000))
            return 0;
        QByteArray out = p.readAllStandardOutput();
        const int cut = out.lastIndexOf('\n');
        const int status = out.mid(cut + 1).toInt();
        if (body)
            *body = out.left(cut);
        return status;
    }

    QList<QUrl> opened; // what "open in browser" was asked to open
};

} // namespace heyo::test
