// heyo-edge's store survives SIGKILL in the middle of writing: a real `heyo-edge serve` killed while clients create
// and revoke API keys through its API, and writer processes on the Store API killed in a tight insert loop. After
// each kill `PRAGMA integrity_check` is "ok", every write that was acknowledged (a 201/204 the client read, a line a
// writer printed after its commit) is there, and the service starts again on the same data.
#include "EdgeProcess.h"
#include "NetTestSupport.h"

#include "edge/Store.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <thread>

using namespace heyo::test;

namespace {

const QString kEmail = QStringLiteral("crash@example.com");
const QByteArray kPassword = "crash-test-password";

// The writer a test starts as a child process (this executable with --store-writer DB TAG): inserts accounts one
// after the other and prints each email once its INSERT has committed, until it is killed.
int storeWriter(const char *path, const char *tag)
{
    std::string error;
    auto store = heyo::edge::Store::open(path, &error);
    if (!store) {
        std::fprintf(stderr, "writer: %s\n", error.c_str());
        return 1;
    }
    for (long i = 0;; ++i) {
        const std::string email = std::string(tag) + "-" + std::to_string(i) + "@writer.test";
        if (!store->createAccount(email, "writer", "not-a-hash", &error)) {
            std::fprintf(stderr, "writer: %s\n", error.c_str());
            return 1;
        }
        const std::string line = email + "\n";
        if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
            return 1;
    }
}

// `PRAGMA integrity_check` of the database at `path`, and the rows of one query's first two columns.
struct DbCheck {
    QString integrity;
    std::map<std::string, bool> rows; // first column → second column is not NULL
};

DbCheck checkDb(const QString &path, const char *query)
{
    DbCheck out;
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        out.integrity = QStringLiteral("cannot open: ") + QString::fromUtf8(sqlite3_errmsg(db));
        sqlite3_close(db);
        return out;
    }
    sqlite3_stmt *st = nullptr;
    QStringList lines;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW)
            lines << QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    out.integrity = lines.join('\n');
    if (sqlite3_prepare_v2(db, query, -1, &st, nullptr) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW)
            out.rows[reinterpret_cast<const char *>(sqlite3_column_text(st, 0))] =
                sqlite3_column_type(st, 1) != SQLITE_NULL;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

// One HTTP/1.1 request on a kept-alive TLS connection to the edge's API.
RawResponse call(RawClient &c, int port, const std::string &method, const std::string &path, const std::string &token,
                 const std::string &json = {})
{
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: localhost:" + std::to_string(port) + "\r\n";
    if (!token.empty())
        req += "Authorization: Bearer " + token + "\r\n";
    if (!json.empty())
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(json.size()) + "\r\n";
    req += "\r\n" + json;
    if (!c.send(req))
        return {};
    return c.readResponse();
}

} // namespace

class TestFaultsStore : public QObject {
    Q_OBJECT
private slots:
    void edgeKilledWhileWritingThroughItsApi()
    {
        EdgeProcess edge({QStringLiteral("--quiet")});
        QString error;
        QVERIFY2(edge.start(&error), qPrintable(error));
        QVERIFY2(edge.addAccount(kEmail, kPassword, {}, &error), qPrintable(error));
        SSL_CTX *tls = SSL_CTX_new(TLS_client_method());
        QVERIFY(SSL_CTX_load_verify_locations(tls, edge.caFile().toUtf8().constData(), nullptr) == 1);
        SSL_CTX_set_verify(tls, SSL_VERIFY_PEER, nullptr);
        const int port = edge.port();
        std::string token;
        {
            RawClient c(static_cast<uint16_t>(port), tls);
            QVERIFY2(c.ok(), c.tlsError().c_str());
            const RawResponse r =
                call(c, port, "POST", "/api/auth/login", {},
                     "{\"email\":\"" + kEmail.toStdString() + "\",\"password\":\"" + kPassword.toStdString() + "\"}");
            QCOMPARE(r.status, 200);
            token = QJsonDocument::fromJson(QByteArray::fromStdString(r.body))
                        .object()
                        .value("token")
                        .toString()
                        .toStdString();
            QVERIFY(!token.empty());
        }

        // Four clients, each creating a key and revoking it, over and over. A write counts as acknowledged when its
        // 201 or 204 has been read whole.
        std::mutex mutex;
        QSet<QString> created, revoked;
        std::atomic<bool> stop{false};
        std::atomic<int> acks{0};
        std::vector<std::thread> clients;
        for (int t = 0; t < 4; ++t) {
            clients.emplace_back([&, t] {
                RawClient c(static_cast<uint16_t>(port), tls);
                c.setTimeout(10000);
                for (int n = 0; !stop && c.ok(); ++n) {
                    const RawResponse made =
                        call(c, port, "POST", "/api/api-keys", token,
                             "{\"label\":\"crash-" + std::to_string(t) + "-" + std::to_string(n) + "\"}");
                    if (!made.ok || made.status != 201)
                        return;
                    const QString id =
                        QJsonDocument::fromJson(QByteArray::fromStdString(made.body)).object().value("id").toString();
                    {
                        std::lock_guard lock(mutex);
                        created.insert(id);
                    }
                    ++acks;
                    const RawResponse gone = call(c, port, "DELETE", "/api/api-keys/" + id.toStdString(), token);
                    if (!gone.ok || gone.status != 204)
                        return;
                    std::lock_guard lock(mutex);
                    revoked.insert(id);
                    ++acks;
                }
            });
        }
        QVERIFY(QTest::qWaitFor([&] { return acks >= 60; }, 60000));
        QTest::qWait(QRandomGenerator::global()->bounded(300));
        QVERIFY(::kill(pid_t(edge.pid()), SIGKILL) == 0);
        stop = true;
        for (auto &c : clients)
            c.join();
        edge.stop(); // reaps it
        SSL_CTX_free(tls);
        qInfo("SIGKILL after %d created and %d revoked keys were acknowledged", int(created.size()),
              int(revoked.size()));

        const DbCheck db = checkDb(edge.dataDir() + "/heyo-edge.db", "SELECT id, revoked_at FROM api_keys");
        QCOMPARE(db.integrity, QStringLiteral("ok"));
        for (const QString &id : std::as_const(created))
            QVERIFY2(db.rows.count(id.toStdString()), qPrintable("acknowledged key lost: " + id));
        for (const QString &id : std::as_const(revoked))
            QVERIFY2(db.rows.at(id.toStdString()), qPrintable("acknowledged revocation lost: " + id));

        // The service starts again on the same data and signs in.
        QVERIFY2(edge.start(&error), qPrintable(error));
        SSL_CTX *again = SSL_CTX_new(TLS_client_method());
        SSL_CTX_load_verify_locations(again, edge.caFile().toUtf8().constData(), nullptr);
        SSL_CTX_set_verify(again, SSL_VERIFY_PEER, nullptr);
        {
            RawClient c(quint16(edge.port()), again);
            QVERIFY2(c.ok(), c.tlsError().c_str());
            QCOMPARE(
                call(c, edge.port(), "POST", "/api/auth/login", {},
                     "{\"email\":\"" + kEmail.toStdString() + "\",\"password\":\"" + kPassword.toStdString() + "\"}")
                    .status,
                200);
        }
        SSL_CTX_free(again);
    }

    void writersKilledInATightInsertLoop()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("heyo-edge.db"));
        {
            std::string error;
            QVERIFY2(heyo::edge::Store::open(path.toStdString(), &error), error.c_str()); // the schema, first
        }
        QSet<QString> acknowledged;
        for (int round = 0; round < 3; ++round) {
            // Two writers on the same file at once (WAL, busy timeout), each killed at its own moment.
            QList<std::shared_ptr<QProcess>> writers;
            QList<QByteArray> out;
            for (int w = 0; w < 2; ++w) {
                auto p = std::make_shared<QProcess>();
                p->start(QCoreApplication::applicationFilePath(),
                         {QStringLiteral("--store-writer"), path, QStringLiteral("r%1w%2").arg(round).arg(w)});
                QVERIFY(p->waitForStarted(10000));
                writers << p;
                out << QByteArray();
            }
            for (int w = 0; w < 2; ++w) {
                QProcess &p = *writers[w];
                const int want = 200 + 300 * w + QRandomGenerator::global()->bounded(200);
                QElapsedTimer t;
                t.start();
                while (out[w].count('\n') < want && p.state() == QProcess::Running && t.elapsed() < 30000) {
                    p.waitForReadyRead(100);
                    out[w] += p.readAllStandardOutput();
                }
                QVERIFY2(p.state() == QProcess::Running, p.readAllStandardError().constData());
                p.kill(); // SIGKILL
                QVERIFY(p.waitForFinished(10000));
                out[w] += p.readAllStandardOutput(); // what it printed before it died was committed too
            }
            int n = 0;
            for (const QByteArray &o : std::as_const(out))
                for (const QByteArray &line : o.split('\n'))
                    if (!line.isEmpty()) {
                        acknowledged.insert(QString::fromUtf8(line));
                        ++n;
                    }
            const DbCheck db = checkDb(path, "SELECT email, id FROM accounts");
            qInfo("round %d: writers killed after %d acknowledged inserts; %d rows", round, n, int(db.rows.size()));
            QCOMPARE(db.integrity, QStringLiteral("ok"));
            for (const QString &email : std::as_const(acknowledged))
                QVERIFY2(db.rows.count(email.toStdString()), qPrintable("acknowledged insert lost: " + email));
            QVERIFY(db.rows.size() >= size_t(acknowledged.size()));
        }
    }
};

int main(int argc, char **argv)
{
    if (argc == 4 && std::string_view(argv[1]) == "--store-writer")
        return storeWriter(argv[2], argv[3]);
    QCoreApplication app(argc, argv);
    TestFaultsStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_faults_store.moc"
