// Tests DemoFilesApp with curl: a 256 MiB download with flat memory and a matching hash, chunked download and uploads.
#include "DemoTestSupport.h"

#include "demo/DemoFilesApp.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

using namespace heyo::demo;
using namespace heyo::demo::test;

namespace {
// The documented content, written again here so the test does not trust the app's own generator.
QByteArray expectedSha256(qint64 size)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    QByteArray buf(1 << 20, Qt::Uninitialized);
    for (qint64 off = 0; off < size; off += buf.size()) {
        const qsizetype n = qsizetype(qMin<qint64>(buf.size(), size - off));
        for (qsizetype j = 0; j < n; ++j) {
            const qint64 i = off + j;
            buf[j] = char(quint8(i % 251) ^ quint8((i >> 20) & 0xff));
        }
        h.addData(QByteArrayView(buf.constData(), n));
    }
    return h.result().toHex();
}

} // namespace

class TestDemoFilesApp : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void generatorMatchesDocumentedFormula();
    void download256MiBFlatMemory();
    void chunkedDownload();
    void downloadEdgeCases();
    void chunkedUploadHash();
    void contentLengthUploadFlatMemory();
    void wrongMethods();

private:
    QString url(const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_app->port()).arg(path);
    }
    std::unique_ptr<DemoFilesApp> m_app;
};

void TestDemoFilesApp::init()
{
    m_app = std::make_unique<DemoFilesApp>();
    QString error;
    QVERIFY2(m_app->listen(0, &error), qPrintable(error));
}

void TestDemoFilesApp::cleanup()
{
    m_app.reset();
}

void TestDemoFilesApp::generatorMatchesDocumentedFormula()
{
    QByteArray got(3000, Qt::Uninitialized);
    const qint64 offset = (qint64(5) << 20) - 1000; // straddles a MiB boundary
    DemoFilesApp::generate(offset, got.data(), got.size());
    for (qsizetype j = 0; j < got.size(); ++j) {
        const qint64 i = offset + j;
        QCOMPARE(quint8(got[j]), quint8(quint8(i % 251) ^ quint8(i >> 20)));
    }
}

void TestDemoFilesApp::download256MiBFlatMemory()
{
    const qint64 size = qint64(256) << 20;
    const QByteArray expected = expectedSha256(size);
    QTemporaryDir dir;
    const QString headers = dir.filePath("headers");
    RssSampler rss;
    // curl's output goes straight into sha256sum: only the app's memory is in this process.
    auto r = run("sh", {"-c", QStringLiteral("curl -sS --fail -D %1 '%2' | sha256sum")
                                  .arg(headers, url(QStringLiteral("/download?size=%1").arg(size)))});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.left(64), expected);
    QFile h(headers);
    QVERIFY(h.open(QIODevice::ReadOnly));
    const QByteArray head = h.readAll();
    QVERIFY2(head.contains("Content-Length: 268435456\r\n"), head.constData());
    QVERIFY(head.contains("Content-Type: application/octet-stream"));
    QVERIFY2(rss.growth() < heyo::test::memoryLimit(32 << 20),
             qPrintable(QString("RSS grew by %1 bytes").arg(rss.growth())));
}

void TestDemoFilesApp::chunkedDownload()
{
    const qint64 size = (qint64(16) << 20) + 12345;
    QTemporaryDir dir;
    const QString headers = dir.filePath("headers");
    auto r = run("sh", {"-c", QStringLiteral("curl -sS --fail -D %1 '%2' | sha256sum")
                                  .arg(headers, url(QStringLiteral("/download?size=%1&chunked=1").arg(size)))});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.left(64), expectedSha256(size));
    QFile h(headers);
    QVERIFY(h.open(QIODevice::ReadOnly));
    const QByteArray head = h.readAll();
    QVERIFY(head.contains("Transfer-Encoding: chunked\r\n"));
    QVERIFY(!head.contains("Content-Length"));
}

void TestDemoFilesApp::downloadEdgeCases()
{
    auto empty = curl({"-w", "%{http_code} %{size_download}", url("/download?size=0")});
    QCOMPARE(empty.out, QByteArray("200 0"));
    auto bad = curl({"-o", "/dev/null", "-w", "%{http_code}", url("/download?size=-5")});
    QCOMPARE(bad.out, QByteArray("400"));
    auto head = curl({"-I", url("/download")});
    QVERIFY2(head.out.contains("Content-Length: 1073741824\r\n"), head.out.constData()); // default 1 GiB, no body
    // HTTP/1.0 with chunked=1 is close-delimited instead.
    auto old =
        curl({"-0", "-D", "-", "-o", "/dev/null", "-w", "%{size_download}", url("/download?size=1000&chunked=1")});
    QVERIFY(old.out.endsWith("1000"));
    QVERIFY(!old.out.contains("chunked"));
}

void TestDemoFilesApp::chunkedUploadHash()
{
    QTemporaryDir dir;
    QFile f(dir.filePath("up.bin"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCryptographicHash h(QCryptographicHash::Sha256);
    QRandomGenerator rng(42);
    QByteArray block(1 << 20, Qt::Uninitialized);
    for (int i = 0; i < 40; ++i) {
        rng.fillRange(reinterpret_cast<quint32 *>(block.data()), block.size() / 4);
        f.write(block);
        h.addData(block);
    }
    f.write("tail");
    h.addData("tail");
    f.close();
    auto r = curl({"-X", "POST", "-H", "Transfer-Encoding: chunked", "-T", f.fileName(), "--fail", url("/upload")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(qint64(o.value("bytes").toDouble()), qint64(40 << 20) + 4);
    QCOMPARE(o.value("sha256").toString().toLatin1(), h.result().toHex());
}

void TestDemoFilesApp::contentLengthUploadFlatMemory()
{
    const qint64 size = qint64(256) << 20;
    RssSampler rss;
    // head -c from the generator-free /dev/zero keeps the client side out of this process.
    auto r = run("sh", {"-c", QStringLiteral("head -c %1 /dev/zero | curl -sS --fail -T - -H 'Content-Length: %1' "
                                             "-H 'Transfer-Encoding:' '%2'")
                                  .arg(size)
                                  .arg(url("/upload"))});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(qint64(o.value("bytes").toDouble()), size);
    QCryptographicHash zeros(QCryptographicHash::Sha256);
    const QByteArray block(1 << 20, '\0');
    for (int i = 0; i < 256; ++i)
        zeros.addData(block);
    QCOMPARE(o.value("sha256").toString().toLatin1(), zeros.result().toHex());
    QVERIFY2(rss.growth() < heyo::test::memoryLimit(32 << 20),
             qPrintable(QString("RSS grew by %1 bytes").arg(rss.growth())));
}

void TestDemoFilesApp::wrongMethods()
{
    auto up = curl({"-o", "/dev/null", "-w", "%{http_code}", url("/upload")});
    QCOMPARE(up.out, QByteArray("405"));
    auto down = curl({"-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-d", "x", url("/download")});
    QCOMPARE(down.out, QByteArray("405"));
    auto none = curl({"-o", "/dev/null", "-w", "%{http_code}", url("/nothing")});
    QCOMPARE(none.out, QByteArray("404"));
}

QTEST_GUILESS_MAIN(TestDemoFilesApp)
#include "tst_demofilesapp.moc"
