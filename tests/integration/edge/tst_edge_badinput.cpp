// Bad input to a real heyo-edge over raw TLS connections: each gets a clear 4xx and the server keeps serving.
#include "EdgeTestHelpers.h"

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QtTest>

class EdgeBadInputTest : public QObject {
    Q_OBJECT
    EdgeProcess m_edge;

    // Sends raw bytes over TLS and returns everything the server answered until it closed (or 10 s passed).
    QByteArray exchange(const QByteArray &bytes, bool *closed = nullptr)
    {
        QSslSocket socket;
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setCaCertificates(QSslCertificate::fromPath(m_edge.caFile()));
        socket.setSslConfiguration(config);
        socket.connectToHostEncrypted("127.0.0.1", quint16(m_edge.port()), "localhost");
        if (!socket.waitForEncrypted(10000))
            return "TLS failed: " + socket.errorString().toUtf8();
        socket.write(bytes);
        QByteArray answer;
        QElapsedTimer t;
        t.start();
        while (socket.state() == QAbstractSocket::ConnectedState && t.elapsed() < 10000) {
            socket.waitForReadyRead(200);
            answer += socket.readAll();
        }
        answer += socket.readAll();
        if (closed)
            *closed = socket.state() != QAbstractSocket::ConnectedState;
        return answer;
    }
    static int statusOf(const QByteArray &answer)
    {
        return answer.startsWith("HTTP/1.1 ") ? answer.mid(9, 3).toInt() : 0;
    }
    void stillServes()
    {
        QByteArray ok = exchange("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        QCOMPARE(statusOf(ok), 200);
    }

private slots:
    void initTestCase() { QVERIFY2(m_edge.start("demo", {"--quiet"}), qPrintable(m_edge.error())); }

    void malformedRequestLine()
    {
        bool closed = false;
        QCOMPARE(statusOf(exchange("GARBAGE\r\n\r\n", &closed)), 400);
        QVERIFY(closed);
        QCOMPARE(statusOf(exchange("GET /\r\nHost: localhost\r\n\r\n")), 400);
        QCOMPARE(statusOf(exchange("GET / HTTP/9.9\r\nHost: localhost\r\n\r\n")) / 100, 4);
        stillServes();
    }

    void oversizedHeadersAre431()
    {
        QByteArray big = "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n";
        QCOMPARE(statusOf(exchange(big)), 431);
        stillServes();
    }

    void contentLengthWithTransferEncodingIs400()
    {
        QByteArray smuggle =
            "POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
            "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
        bool closed = false;
        QByteArray answer = exchange(smuggle, &closed);
        QCOMPARE(statusOf(answer), 400);
        QVERIFY(closed);
        QCOMPARE(answer.count("HTTP/1.1"), 1); // the smuggled request was never answered
        stillServes();
    }

    void malformedChunkedBodyIs400()
    {
        // RFC 9112 §7.1: exactly CRLF after chunk data, a CRLF-ended size line, trailers with a header's syntax.
        for (const QByteArray &body :
             {QByteArray("5\r\n{\"a\":XX0\r\n\r\n"), QByteArray("2\r\n{}\n0\r\n\r\n"),
              QByteArray("2\r\n{}\r\n0\r\nX-T: 1\r\n folded\r\n\r\n"), QByteArray("2;=x\r\n{}\r\n0\r\n\r\n")}) {
            QByteArray req = "POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n" +
                             body + "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
            bool closed = false;
            QByteArray answer = exchange(req, &closed);
            QCOMPARE(statusOf(answer), 400);
            QVERIFY(closed);
            QCOMPARE(answer.count("HTTP/1.1"), 1); // the request after it was never answered
        }
        stillServes();
    }

    void missingHostIs400()
    {
        QCOMPARE(statusOf(exchange("GET / HTTP/1.1\r\n\r\n")), 400);
        QCOMPARE(statusOf(exchange("GET / HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n")), 400);
        stillServes();
    }

    void tooLargeJsonBodyIs413()
    {
        QByteArray body(64 * 1024, 'x');
        QByteArray req = "POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                         "Content-Length: " +
                         QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        QCOMPARE(statusOf(exchange(req)), 413);
        stillServes();
    }

    void plainHttpOnTheTlsPortIsRefused()
    {
        QTcpSocket plain;
        plain.connectToHost("127.0.0.1", quint16(m_edge.port()));
        QVERIFY(plain.waitForConnected(5000));
        plain.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QVERIFY(plain.waitForDisconnected(10000) || plain.state() == QAbstractSocket::UnconnectedState);
        QVERIFY(!plain.readAll().contains("HTTP/1.1 200"));
        stillServes();
    }
};

QTEST_GUILESS_MAIN(EdgeBadInputTest)
#include "tst_edge_badinput.moc"
