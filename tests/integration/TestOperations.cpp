#include <QtTest>
class TestOperations final : public QObject {
    Q_OBJECT private Q_SLOTS : void pending() { QSKIP("written next"); }
};
QTEST_GUILESS_MAIN(TestOperations)
#include "TestOperations.moc"
