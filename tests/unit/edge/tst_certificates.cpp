// Tests the local-mode CA and server certificate: files and modes, names, chain verification with the openssl CLI,
// reuse and renewal, clear errors, and real TLS: curl trusts an `openssl s_server` using them only with --cacert.
#include "edge/CertificateAuthority.h"

#include <QSslCertificate>
#include <QtTest>

#include <sys/stat.h>

using namespace heyo::edge;

namespace {

struct Run {
    int code = -1;
    QByteArray out;
};

Run run(const QString &program, const QStringList &args, int timeoutMs = 30000)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    Run r;
    if (p.waitForFinished(timeoutMs) && p.exitStatus() == QProcess::NormalExit)
        r.code = p.exitCode();
    r.out = p.readAll();
    return r;
}

QByteArray readAll(const std::string &path)
{
    QFile f(QString::fromStdString(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const std::string &path, const QByteArray &data)
{
    QFile f(QString::fromStdString(path));
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

unsigned mode(const std::string &path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0xffff;
}

QSslCertificate firstCert(const std::string &path)
{
    const auto certs = QSslCertificate::fromPath(QString::fromStdString(path));
    return certs.isEmpty() ? QSslCertificate() : certs.first();
}

TlsFiles ensureOk(const QString &dir, const std::string &domain)
{
    TlsFiles files;
    std::string error;
    if (!ensureLocalTls(dir.toStdString(), domain, &files, &error))
        qWarning("ensureLocalTls: %s", error.c_str());
    return files;
}

Run verifyName(const TlsFiles &f, const QString &flag, const QString &name)
{
    return run("openssl", {"verify", "-purpose", "sslserver", "-CAfile", QString::fromStdString(f.caCert), flag, name,
                           QString::fromStdString(f.serverCert)});
}

} // namespace

class TestCertificates : public QObject {
    Q_OBJECT
private slots:
    void createsFilesWithModes()
    {
        QTemporaryDir dir;
        const TlsFiles f = ensureOk(dir.path(), "heyo.localhost");
        QCOMPARE(f.caCert, dir.filePath("tls/ca.pem").toStdString());
        QCOMPARE(f.serverCert, dir.filePath("tls/server.pem").toStdString());
        QCOMPARE(f.serverKey, dir.filePath("tls/server-key.pem").toStdString());
        QCOMPARE(mode(dir.filePath("tls").toStdString()), 0700u);
        QCOMPARE(mode(f.serverKey), 0600u);
        QCOMPARE(mode(dir.filePath("tls/ca-key.pem").toStdString()), 0600u);
        QVERIFY(readAll(f.serverKey).startsWith("-----BEGIN PRIVATE KEY-----"));
        QVERIFY(readAll(f.caCert).startsWith("-----BEGIN CERTIFICATE-----"));
        QCOMPARE(readAll(f.serverCert).count("BEGIN CERTIFICATE"), 2); // leaf + CA
        for (const QString &name : QDir(dir.filePath("tls")).entryList(QDir::Files))
            QVERIFY2(!name.contains(".tmp"), qPrintable(name));

        Run key = run("openssl", {"pkey", "-in", QString::fromStdString(f.serverKey), "-noout", "-text"});
        QCOMPARE(key.code, 0);
        QVERIFY2(key.out.contains("prime256v1") || key.out.contains("P-256"), key.out.constData());
    }

    void namesAndExtensions()
    {
        QTemporaryDir dir;
        const TlsFiles f = ensureOk(dir.path(), "heyo.localhost");
        const QSslCertificate server = firstCert(f.serverCert);
        QVERIFY(!server.isNull());
        const auto sans = server.subjectAlternativeNames();
        const QStringList dns = sans.values(QSsl::DnsEntry), ips = sans.values(QSsl::IpAddressEntry);
        QCOMPARE(QSet<QString>(dns.begin(), dns.end()),
                 (QSet<QString>{"localhost", "heyo.localhost", "*.heyo.localhost"}));
        QCOMPARE(dns.size(), 3);
        QCOMPARE(QSet<QString>(ips.begin(), ips.end()), (QSet<QString>{"127.0.0.1", "::1"}));
        // Exactly 825 days from notBefore to notAfter: the most Apple accepts ("825 days or fewer"). Counted in
        // seconds: calendar days (daysTo) count one more when the hour of backdating crosses midnight.
        QCOMPARE(server.effectiveDate().secsTo(server.expiryDate()), 825LL * 24 * 3600);
        const qint64 backdated = server.effectiveDate().secsTo(QDateTime::currentDateTimeUtc());
        QVERIFY2(backdated >= 3600 && backdated < 3600 + 300, qPrintable(QString::number(backdated)));

        Run text = run("openssl", {"x509", "-in", QString::fromStdString(f.serverCert), "-noout", "-ext",
                                   "extendedKeyUsage,basicConstraints,keyUsage"});
        QCOMPARE(text.code, 0);
        QVERIFY2(text.out.contains("TLS Web Server Authentication"), text.out.constData());
        QVERIFY2(text.out.contains("CA:FALSE"), text.out.constData());

        Run ca = run("openssl", {"x509", "-in", QString::fromStdString(f.caCert), "-noout", "-ext",
                                 "basicConstraints,keyUsage,nameConstraints"});
        QCOMPARE(ca.code, 0);
        QVERIFY2(ca.out.contains("CA:TRUE"), ca.out.constData());
        QVERIFY2(ca.out.contains("Certificate Sign"), ca.out.constData());
        QVERIFY2(ca.out.contains("DNS:localhost"), ca.out.constData());
        const QSslCertificate caCert = firstCert(f.caCert);
        QCOMPARE(caCert.effectiveDate().secsTo(caCert.expiryDate()), 3650LL * 24 * 3600);
    }

    void chainVerifiesWithOpenssl()
    {
        QTemporaryDir dir;
        const TlsFiles f = ensureOk(dir.path(), "heyo.localhost");
        for (const char *host : {"localhost", "heyo.localhost", "app.heyo.localhost", "x-1.heyo.localhost"}) {
            Run r = verifyName(f, "-verify_hostname", host);
            QVERIFY2(r.code == 0 && r.out.contains(": OK"), qPrintable(QString(host) + ": " + r.out));
        }
        for (const char *ip : {"127.0.0.1", "::1"}) {
            Run r = verifyName(f, "-verify_ip", ip);
            QVERIFY2(r.code == 0, qPrintable(QString(ip) + ": " + r.out));
        }
        // Names the certificate must not cover: a wildcard matches one label only, and no outside names.
        for (const char *host : {"a.b.heyo.localhost", "example.com", "heyo.localhost.evil.test", "other.localhost"})
            QVERIFY2(verifyName(f, "-verify_hostname", host).code != 0, qPrintable(host));
        QVERIFY(verifyName(f, "-verify_ip", "10.0.0.1").code != 0);
        // Without the CA the chain does not verify.
        QTemporaryDir other;
        const TlsFiles g = ensureOk(other.path(), "heyo.localhost");
        Run r = run("openssl",
                    {"verify", "-CAfile", QString::fromStdString(g.caCert), QString::fromStdString(f.serverCert)});
        QVERIFY(r.code != 0);
    }

    void reusedOnSecondCall()
    {
        QTemporaryDir dir;
        const TlsFiles f = ensureOk(dir.path(), "heyo.localhost");
        const QByteArray ca = readAll(f.caCert), server = readAll(f.serverCert), key = readAll(f.serverKey);
        const TlsFiles again = ensureOk(dir.path(), "heyo.localhost");
        QCOMPARE(again.serverCert, f.serverCert);
        QCOMPARE(readAll(f.caCert), ca);
        QCOMPARE(readAll(f.serverCert), server);
        QCOMPARE(readAll(f.serverKey), key);
    }

    void renewedForNewDomain()
    {
        QTemporaryDir dir;
        const TlsFiles f = ensureOk(dir.path(), "heyo.localhost");
        const QByteArray ca = readAll(f.caCert), server = readAll(f.serverCert);
        ensureOk(dir.path(), "edge.localhost");
        QCOMPARE(readAll(f.caCert), ca); // clients keep trusting the same CA
        QVERIFY(readAll(f.serverCert) != server);
        QCOMPARE(verifyName(f, "-verify_hostname", "app.edge.localhost").code, 0);
        QVERIFY(verifyName(f, "-verify_hostname", "app.heyo.localhost").code != 0);

        // A domain outside the CA's name constraints needs a new CA; the chain must still verify.
        ensureOk(dir.path(), "edge.example.test");
        QVERIFY(readAll(f.caCert) != ca);
        QCOMPARE(verifyName(f, "-verify_hostname", "app.edge.example.test").code, 0);
        QCOMPARE(verifyName(f, "-verify_hostname", "localhost").code, 0);
    }

    void renewedNearExpiry()
    {
        QTemporaryDir dir;
        const TlsFiles f = ensureOk(dir.path(), "heyo.localhost");
        const QString tls = dir.filePath("tls");
        // A valid certificate from the same CA, same names, but only 10 days left.
        const QString ext = dir.filePath("ext.cnf"), csr = dir.filePath("req.csr"),
                      shortKey = dir.filePath("short.key");
        QVERIFY(writeFile(ext.toStdString(), "subjectAltName=DNS:localhost,DNS:heyo.localhost,DNS:*.heyo.localhost,"
                                             "IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n"));
        QCOMPARE(run("openssl", {"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                 "-keyout", shortKey, "-subj", "/CN=heyo.localhost", "-out", csr})
                     .code,
                 0);
        Run sign = run("openssl", {"x509", "-req", "-in", csr, "-CA", tls + "/ca.pem", "-CAkey", tls + "/ca-key.pem",
                                   "-CAcreateserial", "-days", "10", "-extfile", ext, "-out", tls + "/server.pem"});
        QVERIFY2(sign.code == 0, sign.out.constData());
        QVERIFY(QFile::remove(tls + "/server-key.pem"));
        QVERIFY(QFile::copy(shortKey, tls + "/server-key.pem"));
        QCOMPARE(verifyName(f, "-verify_hostname", "app.heyo.localhost").code, 0); // it is valid, just short-lived
        const QByteArray shortCert = readAll(f.serverCert);

        ensureOk(dir.path(), "heyo.localhost");
        QVERIFY(readAll(f.serverCert) != shortCert);
        const qint64 days = QDateTime::currentDateTimeUtc().daysTo(firstCert(f.serverCert).expiryDate());
        QVERIFY2(days > 800, qPrintable(QString::number(days)));
        QCOMPARE(mode(f.serverKey), 0600u);
        QCOMPARE(verifyName(f, "-verify_hostname", "app.heyo.localhost").code, 0);
    }

    void brokenServerFilesAreReplaced()
    {
        QTemporaryDir dir;
        const TlsFiles f = ensureOk(dir.path(), "heyo.localhost");
        QVERIFY(writeFile(f.serverCert, "garbage"));
        ensureOk(dir.path(), "heyo.localhost");
        QCOMPARE(verifyName(f, "-verify_hostname", "localhost").code, 0);
        // A key that does not match the certificate is replaced too.
        QTemporaryDir other;
        const TlsFiles g = ensureOk(other.path(), "heyo.localhost");
        QVERIFY(writeFile(f.serverKey, readAll(g.serverKey)));
        ensureOk(dir.path(), "heyo.localhost");
        Run mod1 = run("openssl", {"pkey", "-in", QString::fromStdString(f.serverKey), "-pubout"});
        Run mod2 = run("openssl", {"x509", "-in", QString::fromStdString(f.serverCert), "-noout", "-pubkey"});
        QCOMPARE(mod1.out, mod2.out);
    }

    void errors()
    {
        QTemporaryDir dir;
        TlsFiles files;
        std::string error;
        QVERIFY(!ensureLocalTls(dir.path().toStdString(), "Bad Domain", &files, &error));
        QVERIFY2(error.find("invalid domain") != std::string::npos, error.c_str());
        QVERIFY(!ensureLocalTls(dir.path().toStdString(), "localhost", &files, &error));
        QVERIFY2(error.find("two labels") != std::string::npos, error.c_str());

        // A file where the data directory should be.
        const std::string notDir = dir.filePath("file").toStdString();
        QVERIFY(writeFile(notDir, "x"));
        error.clear();
        QVERIFY(!ensureLocalTls(notDir, "heyo.localhost", &files, &error));
        QVERIFY2(error.find(notDir) != std::string::npos, error.c_str());

        // A CA that cannot be read is reported, never silently replaced (clients trust it).
        QTemporaryDir data;
        const TlsFiles f = ensureOk(data.path(), "heyo.localhost");
        QVERIFY(writeFile(f.caCert, "not a certificate"));
        error.clear();
        QVERIFY(!ensureLocalTls(data.path().toStdString(), "heyo.localhost", &files, &error));
        QVERIFY2(error.find("ca.pem") != std::string::npos, error.c_str());
        QCOMPARE(readAll(f.caCert), QByteArray("not a certificate"));

        QTemporaryDir half;
        const TlsFiles h = ensureOk(half.path(), "heyo.localhost");
        QVERIFY(QFile::remove(half.filePath("tls/ca-key.pem")));
        error.clear();
        QVERIFY(!ensureLocalTls(half.path().toStdString(), "heyo.localhost", &files, &error));
        QVERIFY2(error.find("ca-key.pem") != std::string::npos, error.c_str());
    }

    void curlTrustsItOnlyWithTheCa()
    {
        QTemporaryDir dir;
        const TlsFiles f = ensureOk(dir.path(), "heyo.localhost");
        QProcess server;
        server.setProcessChannelMode(QProcess::MergedChannels);
        server.start("openssl",
                     {"s_server", "-accept", "127.0.0.1:0", "-www", "-cert", QString::fromStdString(f.serverCert),
                      "-key", QString::fromStdString(f.serverKey), "-naccept", "20"});
        QVERIFY(server.waitForStarted());
        QByteArray banner;
        QTRY_VERIFY_WITH_TIMEOUT((banner += server.readAll()).contains("ACCEPT"), 10000);
        QRegularExpression re("ACCEPT [^\\n]*:(\\d+)");
        const auto m = re.match(QString::fromLatin1(banner));
        QVERIFY2(m.hasMatch(), banner.constData());
        const QString port = m.captured(1);
        QVERIFY(port.toInt() > 0);

        auto curl = [&](const QString &host, bool withCa) {
            QStringList args{"-sS",
                             "--max-time",
                             "10",
                             "--resolve",
                             host + ":" + port + ":127.0.0.1",
                             "https://" + host + ":" + port + "/"};
            if (withCa)
                args << "--cacert" << QString::fromStdString(f.caCert);
            return run("curl", args);
        };
        for (const char *host : {"app.heyo.localhost", "heyo.localhost", "localhost"}) {
            Run ok = curl(host, true);
            QVERIFY2(ok.code == 0, qPrintable(QString(host) + ": " + ok.out));
            QVERIFY2(ok.out.contains("s_server"), ok.out.constData());
        }
        Run untrusted = curl("app.heyo.localhost", false);
        QCOMPARE(untrusted.code, 60); // CURLE_PEER_FAILED_VERIFICATION
        Run wrongName = curl("app.example.test", true);
        QVERIFY2(wrongName.code == 60, wrongName.out.constData());
        Run ip = run("curl", {"-sS", "--max-time", "10", "--cacert", QString::fromStdString(f.caCert),
                              "https://127.0.0.1:" + port + "/"});
        QVERIFY2(ip.code == 0, ip.out.constData());

        server.kill();
        server.waitForFinished();
    }
};

QTEST_GUILESS_MAIN(TestCertificates)
#include "tst_certificates.moc"
