// Allowed browser origins: what counts as an origin (written exactly as a browser sends it in Origin, everything
// else refused with a reason), and the per-endpoint lists kept in the settings file across instances.
#include "core/forward/AllowedOrigins.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using heyo::forward::AllowedOrigins;

class AllowedOriginsTest : public QObject {
    Q_OBJECT

private slots:
    void normalisedLikeABrowser_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("origin");
        QTest::newRow("plain") << "https://app.example"
                               << "https://app.example";
        QTest::newRow("case") << "HTTPS://App.EXAMPLE"
                              << "https://app.example";
        QTest::newRow("default https port") << "https://app.example:443"
                                            << "https://app.example";
        QTest::newRow("default http port") << "http://app.example:80"
                                           << "http://app.example";
        QTest::newRow("http on 443 is not default") << "http://app.example:443"
                                                    << "http://app.example:443";
        QTest::newRow("other port") << "http://localhost:5173"
                                    << "http://localhost:5173";
        QTest::newRow("zero-padded port") << "http://localhost:05173"
                                          << "http://localhost:5173";
        QTest::newRow("trailing slash") << "https://app.example/"
                                        << "https://app.example";
        QTest::newRow("spaces around") << "  https://app.example  "
                                       << "https://app.example";
        QTest::newRow("ipv4") << "http://127.0.0.1:3000"
                              << "http://127.0.0.1:3000";
        QTest::newRow("ipv6") << "http://[0:0:0:0:0:0:0:1]:3000"
                              << "http://[::1]:3000";
        QTest::newRow("ipv6 upper") << "http://[FE80::1]"
                                    << "http://[fe80::1]";
        QTest::newRow("idn") << "https://bücher.example"
                             << "https://xn--bcher-kva.example";
        QTest::newRow("underscore") << "http://my_app.internal:8080"
                                    << "http://my_app.internal:8080";
    }
    void normalisedLikeABrowser()
    {
        QFETCH(QString, input);
        QFETCH(QString, origin);
        QString error;
        QCOMPARE(AllowedOrigins::normalise(input, &error), origin);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void notOriginsRefused_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("reason");
        QTest::newRow("empty") << ""
                               << "no origin given";
        QTest::newRow("null") << "null"
                              << "Origin: null";
        QTest::newRow("NULL") << "NULL"
                              << "Origin: null";
        QTest::newRow("star") << "*"
                              << "wildcards";
        QTest::newRow("wildcard host") << "https://*.app.example"
                                       << "wildcards";
        QTest::newRow("path") << "https://app.example/page"
                              << "path, query or fragment";
        QTest::newRow("query") << "https://app.example?x=1"
                               << "path, query or fragment";
        QTest::newRow("fragment") << "https://app.example#top"
                                  << "path, query or fragment";
        QTest::newRow("two slashes") << "https://app.example//"
                                     << "path, query or fragment";
        QTest::newRow("backslash") << "https://app.example\\x"
                                   << "path, query or fragment";
        QTest::newRow("user") << "https://ada@app.example"
                              << "user name";
        QTest::newRow("no scheme") << "app.example"
                                   << "is not an origin";
        QTest::newRow("ftp") << "ftp://app.example"
                             << "only http:// and https://";
        QTest::newRow("extension") << "chrome-extension://abcdef"
                                   << "only http:// and https://";
        QTest::newRow("file") << "file://"
                              << "only http:// and https://";
        QTest::newRow("no host") << "https://"
                                 << "is not an origin";
        QTest::newRow("port only") << "https://:8443"
                                   << "host name is not valid";
        QTest::newRow("port 0") << "http://localhost:0"
                                << "port must be";
        QTest::newRow("port too big") << "http://localhost:65536"
                                      << "port must be";
        QTest::newRow("port sign") << "http://localhost:+80"
                                   << "port must be";
        QTest::newRow("empty port") << "http://localhost:"
                                    << "port must be";
        QTest::newRow("space inside") << "https://app .example"
                                      << "is not an origin";
        QTest::newRow("bad char") << "https://app$.example"
                                  << "host name is not valid";
        QTest::newRow("empty label") << "https://app..example"
                                     << "host name is not valid";
        QTest::newRow("bare ipv6") << "http://::1:3000"
                                   << "in brackets";
        QTest::newRow("bad ipv6") << "http://[::g]:3000"
                                  << "IPv6 address";
        QTest::newRow("ipv6 zone") << "http://[fe80::1%eth0]"
                                   << "IPv6 address";
        QTest::newRow("unclosed ipv6") << "http://[::1:3000"
                                       << "IPv6 address";
    }
    void notOriginsRefused()
    {
        QFETCH(QString, input);
        QFETCH(QString, reason);
        QString error;
        QCOMPARE(AllowedOrigins::normalise(input, &error), QString());
        QVERIFY2(error.contains(reason), qPrintable(error));
    }

    void listsArePerEndpointAndAccount()
    {
        AllowedOrigins o(nullptr);
        QString error;
        QVERIFY(o.allow("acc_1", "demo-web", "HTTPS://App.Example:443/", &error));
        QVERIFY(o.allow("acc_1", "demo-web", "http://localhost:5173", &error));
        QVERIFY(o.allow("acc_1", "demo-web", "https://app.example", &error)); // the same origin again: no duplicate
        QCOMPARE(o.of("acc_1", "demo-web"), (QStringList{"http://localhost:5173", "https://app.example"}));
        QCOMPARE(o.of("acc_1", "demo-files"), QStringList());
        QCOMPARE(o.of("acc_2", "demo-web"), QStringList()); // the same slug of another account is another endpoint
        QVERIFY(!o.allow("acc_1", "demo-web", "null", &error));
        QVERIFY(error.contains("null"));
        QVERIFY(o.disallow("acc_1", "demo-web", "https://APP.example/", &error));
        QCOMPARE(o.of("acc_1", "demo-web"), QStringList{"http://localhost:5173"});
        QVERIFY(o.disallow("acc_1", "demo-web", "https://never.example", &error)); // not there: nothing to do
        QVERIFY(!o.set("acc_1", "demo-web", {"https://ok.example", "https://bad.example/path"}, &error));
        QCOMPARE(o.of("acc_1", "demo-web"), QStringList{"http://localhost:5173"}); // all or nothing
        QVERIFY(o.set("acc_1", "demo-web", {}, &error));
        QCOMPARE(o.of("acc_1", "demo-web"), QStringList());
    }

    void keptInTheSettingsFile()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("heyo-access.ini");
        QString error;
        {
            QSettings s(file, QSettings::IniFormat);
            AllowedOrigins o(&s);
            QVERIFY2(o.allow("acc_1", "demo-web", "https://app.example", &error), qPrintable(error));
            QVERIFY2(o.allow("acc_1", "demo-web", "http://[::1]:5173", &error), qPrintable(error));
            QVERIFY2(o.allow("acc_1", "demo-ws", "http://localhost:3000", &error), qPrintable(error));
        }
        {
            // Another process (the CLI, then the tray app) reads the same lists.
            QSettings s(file, QSettings::IniFormat);
            AllowedOrigins o(&s);
            QCOMPARE(o.of("acc_1", "demo-web"), (QStringList{"http://[::1]:5173", "https://app.example"}));
            QCOMPARE(o.of("acc_1", "demo-ws"), QStringList{"http://localhost:3000"});
            QVERIFY(o.disallow("acc_1", "demo-ws", "http://localhost:3000", &error));
            QVERIFY(!s.contains("forward/allowedOrigins/acc_1/demo-ws")); // an empty list leaves no key behind
        }
        QSettings s(file, QSettings::IniFormat);
        QCOMPARE(AllowedOrigins(&s).of("acc_1", "demo-ws"), QStringList());
        {
            // The other program writes the file meanwhile (Qt shares one cache per file within a process, so the
            // other program is played by writing the file directly): seen after reload(), not before.
            QSettings traySettings(file, QSettings::IniFormat);
            AllowedOrigins tray(&traySettings);
            QCOMPARE(tray.of("acc_1", "demo-web"), (QStringList{"http://[::1]:5173", "https://app.example"}));
            QFile other(file);
            QVERIFY(other.open(QIODevice::WriteOnly | QIODevice::Truncate));
            other.write("[forward]\nallowedOrigins\\acc_1\\demo-git=http://localhost:8080\n");
            other.close();
            QCOMPARE(tray.of("acc_1", "demo-git"), QStringList());
            tray.reload();
            QCOMPARE(tray.of("acc_1", "demo-git"), QStringList{"http://localhost:8080"});
            QCOMPARE(tray.of("acc_1", "demo-web"), QStringList());
        }
        // A hand-edited entry that is not an origin is ignored, not trusted.
        s.setValue("forward/allowedOrigins/acc_1/demo-files", QStringList{"*", "null", "HTTPS://Fine.example:443"});
        QCOMPARE(AllowedOrigins(&s).of("acc_1", "demo-files"), QStringList{"https://fine.example"});
    }

    void saveErrorsReported()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("heyo-access.ini");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        QVERIFY(QFile::setPermissions(file, QFile::ReadOwner));
        if (QFileInfo(file).isWritable()) // root ignores permissions: make the directory a file instead
            QVERIFY(QFile::remove(file) && QDir().mkdir(file));
        QSettings s(file, QSettings::IniFormat);
        AllowedOrigins o(&s);
        QString error;
        QVERIFY(!o.allow("acc_1", "demo-web", "https://app.example", &error));
        QVERIFY2(error.contains("could not be saved") && error.contains(file), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(AllowedOriginsTest)
#include "tst_allowed_origins.moc"
