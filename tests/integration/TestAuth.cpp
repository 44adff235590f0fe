#include <QtTest>
class TestAuth final : public QObject {
    Q_OBJECT private Q_SLOTS : void pending() { QSKIP("written next"); }
};
QTEST_GUILESS_MAIN(TestAuth)
#include "TestAuth.moc"
