// Stable, persisted local ports per endpoint: same port after a restart, busy ports skipped on first assignment,
// conflicts refused.
#include "core/forward/PortAssignments.h"

#include <QSettings>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using heyo::forward::PortAssignments;

class PortAssignmentsTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString settingsPath() const { return m_dir.filePath("heyo.ini"); }

private slots:
    void stableAcrossRestarts()
    {
        quint16 web = 0, files = 0;
        {
            QSettings settings(settingsPath(), QSettings::IniFormat);
            PortAssignments ports(&settings);
            web = ports.assign("demo-web");
            files = ports.assign("demo-files");
            QVERIFY(web >= PortAssignments::kFirstPort && web <= PortAssignments::kLastPort);
            QVERIFY(files != web);
            QCOMPARE(ports.assign("demo-web"), web);
        }
        QSettings settings(settingsPath(), QSettings::IniFormat);
        PortAssignments again(&settings);
        QCOMPARE(again.portFor("demo-web"), web);
        QCOMPARE(again.assign("demo-files"), files);
        again.release("demo-web");
        QCOMPARE(again.portFor("demo-web"), quint16(0));
    }

    void busyPortIsSkippedOnFirstAssignment()
    {
        PortAssignments ports(nullptr);
        quint16 first = ports.assign("a");
        ports.release("a");
        QTcpServer holder;
        QVERIFY(holder.listen(QHostAddress::LocalHost, first));
        QVERIFY(!PortAssignments::isFree(first));
        quint16 next = ports.assign("b");
        QVERIFY(next != first);
        QVERIFY(next != 0);
    }

    void conflictsAreRefused()
    {
        PortAssignments ports(nullptr);
        QString error;
        QVERIFY(ports.setPort("a", 7100, &error));
        QVERIFY(!ports.setPort("b", 7100, &error));
        QVERIFY(error.contains("a"));
        QVERIFY(!ports.setPort("b", ports.routerPort(), &error));
        QVERIFY(error.contains("router"));
        QVERIFY(ports.setPort("a", 7101, &error)); // moving one's own endpoint is fine
        QCOMPARE(ports.portFor("a"), quint16(7101));
    }
};

QTEST_GUILESS_MAIN(PortAssignmentsTest)
#include "tst_port_assignments.moc"
