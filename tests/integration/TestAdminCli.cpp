#include <QtTest>
class TestAdminCli final : public QObject {
    Q_OBJECT private Q_SLOTS : void pending() { QSKIP("written next"); }
};
QTEST_GUILESS_MAIN(TestAdminCli)
#include "TestAdminCli.moc"
