// The control-plane API of a real heyo-edge over TLS: sign-in and its rate limit, API-key exchange, keys shown once
// and never listed, revocation reaching tokens within the cache window, endpoints with ETag, errors with bodies.
#include "EdgeTestHelpers.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QThread>
#include <QtTest>

class EdgeApiTest : public QObject {
    Q_OBJECT
    EdgeProcess m_edge;

    CurlResult api(const QString &method, const QString &path, const QString &token, const QByteArray &json = {},
                   const QStringList &extra = {})
    {
        QStringList args{"-X", method, "-H", bearer(token)};
        if (!json.isEmpty())
            args << "-H"
                 << "Content-Type: application/json"
                 << "--data-binary"
                 << "@-";
        return runCurl(m_edge.caFile(), args + extra + QStringList{m_edge.apiUrl() + path}, json);
    }
    QJsonObject createKey(const QString &token, const QString &label)
    {
        CurlResult r = api("POST", "/api/api-keys", token, QJsonDocument(QJsonObject{{"label", label}}).toJson());
        return r.status == 201 ? jsonOf(r) : QJsonObject();
    }
    CurlResult exchange(const QString &key)
    {
        return postJson(m_edge, "/api/api-keys/exchange", QJsonDocument(QJsonObject{{"api_key", key}}).toJson());
    }

private slots:
    void initTestCase() { QVERIFY2(m_edge.start("demo", {"--api-key-cache", "2"}), qPrintable(m_edge.error())); }

    void loginSucceedsWithTheDocumentedShape()
    {
        CurlResult r = postJson(m_edge, "/api/auth/login",
                                QJsonDocument(QJsonObject{{"email", kAdaEmail}, {"password", kAdaPassword}}).toJson());
        QCOMPARE(r.status, 200);
        QJsonObject o = jsonOf(r);
        QVERIFY(o.value("token").toString().startsWith("eyJ"));
        QVERIFY(QDateTime::fromString(o.value("expires_at").toString(), Qt::ISODate) > QDateTime::currentDateTimeUtc());
        QCOMPARE(o.value("account").toObject().value("email").toString(), kAdaEmail);
        QCOMPARE(o.value("account").toObject().value("name").toString(), QString("Ada Lovelace"));
        QVERIFY(o.value("account").toObject().value("id").toString().startsWith("acc_"));
        QCOMPARE(r.header("Cache-Control"), QByteArray("no-store"));
        // The email is case-insensitive.
        QVERIFY(!loginToken(m_edge, "ADA@Demo.Heyo", kAdaPassword).isEmpty());
    }

    void loginFailureIs401WithAnErrorBody()
    {
        CurlResult r = postJson(m_edge, "/api/auth/login",
                                QJsonDocument(QJsonObject{{"email", kBobEmail}, {"password", "wrong"}}).toJson());
        QCOMPARE(r.status, 401);
        QCOMPARE(jsonOf(r).value("error").toObject().value("code").toString(), QString("invalid_credentials"));
        CurlResult unknown = postJson(m_edge, "/api/auth/login",
                                      QJsonDocument(QJsonObject{{"email", "nobody@x"}, {"password", "x"}}).toJson());
        QCOMPARE(unknown.status, 401);
        QCOMPARE(unknown.body, r.body); // an unknown account is not told apart from a wrong password
    }

    void loginIsRateLimited()
    {
        EdgeProcess fresh;
        QVERIFY2(fresh.start("demo", {"--quiet"}), qPrintable(fresh.error()));
        QByteArray wrong = QJsonDocument(QJsonObject{{"email", kAdaEmail}, {"password", "guess"}}).toJson();
        for (int i = 0; i < 5; ++i)
            QCOMPARE(postJson(fresh, "/api/auth/login", wrong).status, 401);
        CurlResult limited = postJson(fresh, "/api/auth/login", wrong);
        QCOMPARE(limited.status, 429);
        QVERIFY(limited.header("Retry-After").toInt() > 0);
        QCOMPARE(jsonOf(limited).value("error").toObject().value("code").toString(), QString("too_many_attempts"));
        // Even the right password waits: the limit is per account, so guessing cannot go on in parallel.
        QCOMPARE(loginToken(fresh, kAdaEmail, kAdaPassword), QString());
        // Another account is not affected.
        QVERIFY(!loginToken(fresh, kBobEmail, kBobPassword).isEmpty());
    }

    void parallelGuessesReachBcryptAtMostFiveTimes()
    {
        // 200 wrong passwords at once, each on its own connection: attempts in flight count against the limit, so
        // at most 5 are checked (401) and the rest are refused before any hashing (429).
        EdgeProcess fresh;
        QVERIFY2(fresh.start("demo", {"--quiet"}), qPrintable(fresh.error()));
        const QString wrong =
            QJsonDocument(QJsonObject{{"email", kAdaEmail}, {"password", "guess"}}).toJson(QJsonDocument::Compact);
        QStringList args{"-sS",
                         "--cacert",
                         fresh.caFile(),
                         "-Z",
                         "--parallel-max",
                         "200",
                         "--parallel-immediate",
                         "-w",
                         "%{http_code}\n",
                         "-H",
                         "Content-Type: application/json",
                         "--data-binary",
                         wrong};
        for (int i = 0; i < 200; ++i)
            args << "-o"
                 << "/dev/null" << fresh.apiUrl() + "/api/auth/login"; // -o applies to one URL
        QProcess curl;
        curl.start("curl", args);
        QVERIFY(curl.waitForFinished(120000));
        QMap<QByteArray, int> statuses;
        for (const QByteArray &line : curl.readAllStandardOutput().split('\n'))
            if (!line.trimmed().isEmpty())
                statuses[line.trimmed()]++;
        qInfo() << "200 parallel wrong passwords:" << statuses;
        QCOMPARE(statuses.value("401") + statuses.value("429"), 200);
        QVERIFY2(statuses.value("401") <= 5, "more than 5 guesses reached bcrypt");
        QVERIFY(statuses.value("401") >= 1);
        // The limit now holds for the right password too, and another account is not affected.
        QCOMPARE(loginToken(fresh, kAdaEmail, kAdaPassword), QString());
        QVERIFY(!loginToken(fresh, kBobEmail, kBobPassword).isEmpty());
    }

    void jsonRoutesTakeOnlyJson()
    {
        // A browser can send text/plain or a form cross-site without a preflight: those are 415, not parsed.
        const QByteArray body = QJsonDocument(QJsonObject{{"email", kBobEmail}, {"password", "nope"}}).toJson();
        for (const QString &type : {QString("text/plain"), QString("application/x-www-form-urlencoded"),
                                    QString("multipart/form-data; boundary=x"), QString("application/jsonx")}) {
            for (const QString &path : {QString("/api/auth/login"), QString("/api/api-keys/exchange")}) {
                CurlResult r = runCurl(
                    m_edge.caFile(),
                    {"-X", "POST", "-H", "Content-Type: " + type, "--data-binary", "@-", m_edge.apiUrl() + path}, body);
                QCOMPARE(r.status, 415);
                QCOMPARE(jsonOf(r).value("error").toObject().value("code").toString(),
                         QString("unsupported_media_type"));
            }
        }
        CurlResult none = runCurl(
            m_edge.caFile(),
            {"-X", "POST", "-H", "Content-Type:", "--data-binary", "@-", m_edge.apiUrl() + "/api/auth/login"}, body);
        QCOMPARE(none.status, 415);
        // Parameters and case are allowed: this one is parsed and checked (a wrong password).
        CurlResult json = runCurl(m_edge.caFile(),
                                  {"-X", "POST", "-H", "Content-Type: Application/JSON; charset=utf-8", "--data-binary",
                                   "@-", m_edge.apiUrl() + "/api/auth/login"},
                                  body);
        QCOMPARE(json.status, 401);
        const QString token = loginToken(m_edge, kAdaEmail, kAdaPassword);
        CurlResult key = api("POST", "/api/api-keys", token, {}, {"-H", "Content-Type: text/plain", "-d", "{}"});
        QCOMPARE(key.status, 415);
    }

    void crossSiteStateChangesAreRefused()
    {
        const QByteArray body = QJsonDocument(QJsonObject{{"email", kBobEmail}, {"password", "nope"}}).toJson();
        const QString own = m_edge.apiUrl(); // https://localhost:PORT: the API's own origin
        for (const QStringList &headers :
             {QStringList{"-H", "Origin: https://evil.example"}, QStringList{"-H", "Origin: null"},
              QStringList{"-H", "Origin: https://demo-web.heyo.localhost:" + QString::number(m_edge.port())},
              QStringList{"-H", "Sec-Fetch-Site: cross-site"}, QStringList{"-H", "Sec-Fetch-Site: same-site"},
              QStringList{"-H", "Origin: " + own, "-H", "Sec-Fetch-Site: cross-site"}}) {
            CurlResult r = postJson(m_edge, "/api/auth/login", body, headers);
            QVERIFY2(r.status == 403, qPrintable(headers.join(' ')));
            QCOMPARE(jsonOf(r).value("error").toObject().value("code").toString(), QString("cross_site_request"));
        }
        // The API's own origin, and a request a user typed (Sec-Fetch-Site: none), are checked as usual.
        QCOMPARE(postJson(m_edge, "/api/auth/login", body, {"-H", "Origin: " + own}).status, 401);
        QCOMPARE(postJson(m_edge, "/api/auth/login", body, {"-H", "Sec-Fetch-Site: none"}).status, 401);
        const QString token = loginToken(m_edge, kAdaEmail, kAdaPassword);
        // Revoking a key is state-changing too; reading is not.
        CurlResult revoke = api("DELETE", "/api/api-keys/ak_nosuch", token, {}, {"-H", "Origin: https://evil.example"});
        QCOMPARE(revoke.status, 403);
        QCOMPARE(api("GET", "/api/me", token, {}, {"-H", "Origin: https://evil.example"}).status, 200);
    }

    void malformedJsonIs400AndUnknownRouteIs404()
    {
        CurlResult bad = postJson(m_edge, "/api/auth/login", "{not json");
        QCOMPARE(bad.status, 400);
        QCOMPARE(jsonOf(bad).value("error").toObject().value("code").toString(), QString("invalid_request"));
        QCOMPARE(postJson(m_edge, "/api/auth/login", "[1,2]").status, 400);
        QCOMPARE(postJson(m_edge, "/api/auth/login", "{\"email\":\"a@b\"}").status, 400);
        CurlResult missing = runCurl(m_edge.caFile(), {m_edge.apiUrl() + "/api/nothing-here"});
        QCOMPARE(missing.status, 404);
        QCOMPARE(jsonOf(missing).value("error").toObject().value("code").toString(), QString("not_found"));
        QCOMPARE(runCurl(m_edge.caFile(), {m_edge.apiUrl() + "/api/auth/login"}).status, 405);
    }

    void meNeedsAValidToken()
    {
        QString token = loginToken(m_edge, kAdaEmail, kAdaPassword);
        CurlResult me = api("GET", "/api/me", token);
        QCOMPARE(me.status, 200);
        QCOMPARE(jsonOf(me).value("account").toObject().value("email").toString(), kAdaEmail);
        QCOMPARE(runCurl(m_edge.caFile(), {m_edge.apiUrl() + "/api/me"}).status, 401);
        QCOMPARE(api("GET", "/api/me", "garbage").status, 401);
        // X-Heyo-Authorization is accepted by the API too.
        QCOMPARE(runCurl(m_edge.caFile(), {"-H", "X-Heyo-Authorization: Bearer " + token, m_edge.apiUrl() + "/api/me"})
                     .status,
                 200);
    }

    void endpointsListedAcrossDevicesWithEtag()
    {
        QString token = loginToken(m_edge, kAdaEmail, kAdaPassword);
        CurlResult r = api("GET", "/api/endpoints", token);
        QCOMPARE(r.status, 200);
        QJsonArray list = jsonOf(r).value("endpoints").toArray();
        QSet<QString> slugs, devices;
        for (const QJsonValue &v : list) {
            QJsonObject e = v.toObject();
            slugs << e.value("slug").toString();
            devices << e.value("device").toObject().value("name").toString();
            QCOMPARE(e.value("url").toString(), m_edge.endpointUrl(e.value("slug").toString()));
            QVERIFY(e.value("device").toObject().value("id").toString().startsWith("dev_"));
            for (const char *field : {"port", "private", "status", "sandbox", "created_at"})
                QVERIFY2(e.contains(field), field);
        }
        QVERIFY(slugs.contains("demo-web") && slugs.contains("demo-docs") && slugs.contains("demo-git"));
        QVERIFY(!slugs.contains("bob-notes")); // another account's endpoint is never listed
        QVERIFY(devices.size() >= 3);
        QByteArray etag = r.header("ETag");
        QVERIFY(!etag.isEmpty());
        CurlResult same = api("GET", "/api/endpoints", token, {}, {"-H", "If-None-Match: " + QString::fromUtf8(etag)});
        QCOMPARE(same.status, 304);
        QVERIFY(same.body.isEmpty());
        // Adding an endpoint changes the ETag.
        QCOMPARE(m_edge
                     .admin({"endpoint", "add", "--account", kAdaEmail, "--slug", "etag-probe", "--target",
                             "http://127.0.0.1:9", "--device", "new-device"})
                     .exitCode,
                 0);
        CurlResult changed =
            api("GET", "/api/endpoints", token, {}, {"-H", "If-None-Match: " + QString::fromUtf8(etag)});
        QCOMPARE(changed.status, 200);
        QVERIFY(changed.header("ETag") != etag);
        QVERIFY(changed.body.contains("etag-probe"));
    }

    void apiKeyShownOnceNeverListedAndExchanges()
    {
        QString token = loginToken(m_edge, kAdaEmail, kAdaPassword);
        QJsonObject created = createKey(token, "ci runner");
        QString key = created.value("key").toString();
        QVERIFY2(QRegularExpression("^heyo_[0-9a-f]{64}$").match(key).hasMatch(), qPrintable(key.left(5)));
        QCOMPARE(created.value("label").toString(), QString("ci runner"));

        CurlResult list = api("GET", "/api/api-keys", token);
        QCOMPARE(list.status, 200);
        QVERIFY(!list.body.contains(key.toUtf8()));
        QVERIFY(!list.body.contains("\"key\""));
        bool found = false;
        for (const QJsonValue &v : jsonOf(list).value("api_keys").toArray())
            if (v.toObject().value("id") == created.value("id")) {
                found = true;
                QCOMPARE(v.toObject().value("prefix").toString(), key.left(12));
            }
        QVERIFY(found);

        CurlResult ex = exchange(key);
        QCOMPARE(ex.status, 200);
        QString exchanged = jsonOf(ex).value("token").toString();
        QCOMPARE(jsonOf(ex).value("account").toObject().value("email").toString(), kAdaEmail);
        QCOMPARE(
            runCurl(m_edge.caFile(), {"-H", bearer(exchanged), m_edge.endpointUrl("demo-web") + "/api/echo"}).status,
            200);
        // Now last_used_at is set.
        for (const QJsonValue &v : jsonOf(api("GET", "/api/api-keys", token)).value("api_keys").toArray())
            if (v.toObject().value("id") == created.value("id"))
                QVERIFY(v.toObject().value("last_used_at").isString());

        QCOMPARE(exchange("heyo_" + QString(64, 'a')).status, 401);
        QCOMPARE(exchange("not-a-key").status, 401);
    }

    void revokedKeyStopsExchangesAndItsTokensWithinTheWindow()
    {
        QString token = loginToken(m_edge, kAdaEmail, kAdaPassword);
        QJsonObject created = createKey(token, "to revoke");
        QString key = created.value("key").toString();
        QString exchanged = jsonOf(exchange(key)).value("token").toString();
        QVERIFY(!exchanged.isEmpty());
        QString edgeUrl = m_edge.endpointUrl("demo-web") + "/api/echo";
        QCOMPARE(runCurl(m_edge.caFile(), {"-H", bearer(exchanged), edgeUrl}).status, 200);

        CurlResult del = api("DELETE", "/api/api-keys/" + created.value("id").toString(), token);
        QCOMPARE(del.status, 204);
        QElapsedTimer t;
        t.start();
        QCOMPARE(exchange(key).status, 401); // exchanges fail at once
        int status = 0;
        while (t.elapsed() < 30000) {
            status = runCurl(m_edge.caFile(), {"-H", bearer(exchanged), edgeUrl}).status;
            if (status == 401)
                break;
            QThread::msleep(250);
        }
        QCOMPARE(status, 401);
        QVERIFY(t.elapsed() < 30000);
        QCOMPARE(api("DELETE", "/api/api-keys/" + created.value("id").toString(), token).status, 404);
        // The CLI revokes by prefix while the server runs.
        QJsonObject second = createKey(token, "cli revoke");
        QString key2 = second.value("key").toString();
        QCOMPARE(exchange(key2).status, 200);
        QCOMPARE(m_edge.admin({"api-key", "revoke", "--prefix", key2.left(12)}).exitCode, 0);
        QCOMPARE(exchange(key2).status, 401);
    }

    void anotherAccountCannotRevokeMyKey()
    {
        QString ada = loginToken(m_edge, kAdaEmail, kAdaPassword), bob = loginToken(m_edge, kBobEmail, kBobPassword);
        QJsonObject created = createKey(ada, "ada's");
        QCOMPARE(api("DELETE", "/api/api-keys/" + created.value("id").toString(), bob).status, 404);
        QCOMPARE(exchange(created.value("key").toString()).status, 200);
    }

    void jwksPublishesTheEd25519Key()
    {
        CurlResult r = runCurl(m_edge.caFile(), {m_edge.apiUrl() + "/.well-known/jwks.json"});
        QCOMPARE(r.status, 200);
        QJsonObject key = jsonOf(r).value("keys").toArray().at(0).toObject();
        QCOMPARE(key.value("kty").toString(), QString("OKP"));
        QCOMPARE(key.value("crv").toString(), QString("Ed25519"));
        QVERIFY(!key.value("x").toString().isEmpty());
    }

    void secretsAreNeverStoredInPlaintext()
    {
        QString token = loginToken(m_edge, kAdaEmail, kAdaPassword);
        QString key = createKey(token, "plaintext probe").value("key").toString();
        QVERIFY(!key.isEmpty());
        m_edge.stop(); // checkpoint the WAL into the file, then read every byte of the data directory
        QDirIterator it(m_edge.dataDir(), QDir::Files, QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            QByteArray bytes = f.readAll();
            ++files;
            QVERIFY2(!bytes.contains(key.toUtf8()), qPrintable(f.fileName()));
            QVERIFY2(!bytes.contains(key.mid(12).toUtf8()), qPrintable(f.fileName()));
            QVERIFY2(!bytes.contains(kAdaPassword.toUtf8()), qPrintable(f.fileName()));
            QVERIFY2(!bytes.contains(token.toUtf8()), qPrintable(f.fileName()));
        }
        QVERIFY(files >= 3);
        QVERIFY(QFile::exists(m_edge.dataDir() + "/heyo-edge.db"));
        QVERIFY2(m_edge.restart("serve", {"--quiet"}), qPrintable(m_edge.error())); // the store survives a restart
        QVERIFY(!loginToken(m_edge, kAdaEmail, kAdaPassword).isEmpty());
    }
};

QTEST_GUILESS_MAIN(EdgeApiTest)
#include "tst_edge_api.moc"
