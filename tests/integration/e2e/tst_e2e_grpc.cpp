// A gRPC conversation through `heyo forward` and heyo-edge: a real python3-grpcio client calls a bidirectional
// method of an h2c gRPC app (grpc_echo.py, an endpoint added with `endpoint add --h2`) one message at a time, each
// next message sent only once the reply to the last came back. Neither hop may hold a reply until the client has
// finished sending (the demo's Chat answers only then, so it cannot show this).
#include "E2eSession.h"

#include <QRegularExpression>
#include <QTest>

using namespace heyo::test;

namespace {
const QString kAda = QStringLiteral("ada@demo.heyo");
const QString kSlug = QStringLiteral("grpc-chat");
} // namespace

class TestE2eGrpc : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<E2eSession> m_s;
    std::unique_ptr<ForwardProcess> m_fwd;
    QProcess m_app;

    // The real gRPC client (tests/support/grpc_client.py); its output lines, and its exit when not 0.
    QStringList grpc(const QStringList &args)
    {
        QProcess p;
        p.setProcessEnvironment(m_s->env());
        p.start(QStringLiteral(DEBIAN_PYTHON), QStringList{QStringLiteral(GRPC_CLIENT)} + args);
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished(5000);
            return {"the gRPC client did not finish: " + QString::fromUtf8(p.readAll())};
        }
        const QByteArray out = p.readAllStandardOutput();
        m_s->record(out);
        QStringList lines = QString::fromUtf8(out).split('\n', Qt::SkipEmptyParts);
        if (p.exitCode() != 0)
            lines << "exit " + QString::number(p.exitCode()) + ": " + QString::fromUtf8(p.readAllStandardError());
        return lines;
    }

private slots:
    void initTestCase()
    {
        m_app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_app.start(QStringLiteral(DEBIAN_PYTHON), {QStringLiteral(GRPC_ECHO)});
        QVERIFY(m_app.waitForStarted(5000) && m_app.waitForReadyRead(15000));
        const int appPort = m_app.readLine().trimmed().toInt();
        QVERIFY(appPort > 0);

        m_s = std::make_unique<E2eSession>();
        QString error;
        QVERIFY2(m_s->start(&error), qPrintable(error));
        // A private endpoint of Ada's (the forwarder's token is checked), its app spoken to in h2c.
        const auto added =
            m_s->edge().admin({"endpoint", "add", "--account", kAda, "--slug", kSlug, "--target",
                               QStringLiteral("http://127.0.0.1:%1").arg(appPort), "--device", "laptop", "--h2"});
        QVERIFY2(added.exitCode == 0 && added.out.contains("(HTTP/2)"), (added.out + added.err).constData());
        m_fwd = std::make_unique<ForwardProcess>(*m_s);
        QVERIFY2(m_fwd->start({QStringLiteral("%1:%2").arg(kSlug).arg(E2eSession::freePort())}, &error),
                 qPrintable(error));
        QVERIFY(m_fwd->port(kSlug) > 0);
    }

    void bidirectionalMessagesInterleave()
    {
        const QString target = QStringLiteral("127.0.0.1:%1").arg(m_fwd->port(kSlug));
        // The client prints each step as it happens; a reply held back until the client finished sending shows as
        // "no reply to one within 5 s" and a different order.
        QCOMPARE(grpc({target, "converse", "/heyo.test.Echo/Chat", "one", "two", "three", "four"}),
                 (QStringList{"sent: one", "reply: echo 1: one", "sent: two", "reply: echo 2: two", "sent: three",
                              "reply: echo 3: three", "sent: four", "reply: echo 4: four", "status: OK"}));
        // It went through the edge, which logged the call once it ended.
        const QRegularExpression logged(
            QStringLiteral("^heyo-edge: POST %1\\.heyo\\.localhost:\\d+ /heyo\\.test\\.Echo/Chat 200 ").arg(kSlug),
            QRegularExpression::MultilineOption);
        QTRY_VERIFY_WITH_TIMEOUT(logged.match(QString::fromUtf8(m_s->edge().log())).hasMatch(), 5000);
    }

    void cleanupTestCase()
    {
        m_fwd.reset();
        m_app.kill();
        m_app.waitForFinished(5000);
        if (m_s) {
            const QByteArray logs = m_s->allLogs();
            QVERIFY(!logs.contains("eyJ") && !logs.contains("heyo_"));
        }
    }
};

QTEST_GUILESS_MAIN(TestE2eGrpc)
#include "tst_e2e_grpc.moc"
