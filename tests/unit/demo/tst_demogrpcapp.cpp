// The demo gRPC app with a real gRPC client (python3-grpcio) over h2c: unary, server-streaming and bidirectional
// calls with their status in the trailers, errors as gRPC statuses, and a plain HTTP client told what it reached.
#include "DemoTestSupport.h"

#include "demo/DemoGrpcApp.h"

#include <QtTest>

using heyo::demo::DemoGrpcApp;
using heyo::demo::test::run;

class TestDemoGrpcApp : public QObject {
    Q_OBJECT

private:
    DemoGrpcApp m_app;

    QStringList call(const QStringList &args)
    {
        const auto r =
            run(DEBIAN_PYTHON, QStringList{GRPC_CLIENT, QStringLiteral("127.0.0.1:%1").arg(m_app.port())} + args);
        if (!r.finished || r.exitCode != 0)
            return {QStringLiteral("client failed: ") + QString::fromUtf8(r.err)};
        return QString::fromUtf8(r.out).split('\n', Qt::SkipEmptyParts);
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_app.listen(0, &error), qPrintable(error));
    }

    void wireFormat()
    {
        std::vector<std::string> msgs;
        const std::string body = DemoGrpcApp::frame(DemoGrpcApp::textMessage("hi")) + DemoGrpcApp::frame("");
        QVERIFY(DemoGrpcApp::unframe(body, &msgs));
        QCOMPARE(msgs.size(), size_t(2));
        std::string t;
        QVERIFY(DemoGrpcApp::parseText(msgs[0], &t));
        QCOMPARE(t, std::string("hi"));
        QVERIFY(!DemoGrpcApp::unframe(body.substr(0, body.size() - 1) + "x", &msgs) || msgs.size() != 3);
        msgs.clear();
        QVERIFY(!DemoGrpcApp::unframe(std::string("\x01\0\0\0\0", 5), &msgs)); // compressed: refused
        QVERIFY(!DemoGrpcApp::unframe(std::string("\0\0\0\0\x09"
                                                  "abc",
                                                  8),
                                      &msgs)); // short
    }

    void unary()
    {
        QCOMPARE(call({"say", "world"}), (QStringList{"say: hello world, from an anonymous caller", "status: OK"}));
    }

    void serverStreaming()
    {
        QStringList expected;
        for (int i = 1; i <= 50; ++i)
            expected << QStringLiteral("count: %1").arg(i);
        expected << "status: OK";
        QCOMPARE(call({"count", "50", "2"}), expected);
    }

    void bidirectional()
    {
        QCOMPARE(call({"chat", "a", "b", "c"}),
                 (QStringList{"chat: echo: a", "chat: echo: b", "chat: echo: c", "status: OK"}));
    }

    void unknownMethodIsUnimplemented()
    {
        const QStringList out = call({"unknown"});
        QCOMPARE(out.size(), 1);
        QVERIFY2(out[0].startsWith("status: UNIMPLEMENTED no method /heyo.demo.Echo/Nope"), qPrintable(out[0]));
    }

    void plainHttpToldWhatItReached()
    {
        const auto r =
            run("curl", {"-sS", "-w", "%{http_code}", QStringLiteral("http://127.0.0.1:%1/").arg(m_app.port())});
        QVERIFY(r.out.startsWith("this is a gRPC service"));
        QVERIFY(r.out.endsWith("415"));
    }
};

QTEST_MAIN(TestDemoGrpcApp)
#include "tst_demogrpcapp.moc"
