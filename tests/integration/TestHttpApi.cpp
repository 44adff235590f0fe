#include <QtTest>
class TestHttpApi final : public QObject {
    Q_OBJECT private Q_SLOTS : void pending() { QSKIP("written next"); }
};
QTEST_GUILESS_MAIN(TestHttpApi)
#include "TestHttpApi.moc"
