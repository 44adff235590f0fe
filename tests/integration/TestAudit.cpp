#include <QtTest>
class TestAudit final : public QObject {
    Q_OBJECT private Q_SLOTS : void pending() { QSKIP("written next"); }
};
QTEST_GUILESS_MAIN(TestAudit)
#include "TestAudit.moc"
