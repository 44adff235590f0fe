#include "json/BoundedJsonParser.h"
#include <QtTest>

using breeze::json::JsonLimits;
using breeze::json::parseBoundedJson;

class TestBoundedJson final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesOrdinaryDocuments() {
        const auto result = parseBoundedJson(R"({"name":"Acme","n":[1,2.5,-3,true,null],"o":{"k":"v"}})");
        QVERIFY(result);
        QCOMPARE((*result.value)["name"].get<std::string>(), std::string("Acme"));
        QCOMPARE((*result.value)["n"].size(), std::size_t(5));
        QCOMPARE((*result.value)["o"]["k"].get<std::string>(), std::string("v"));
    }

    void refusesDuplicateKeys() {
        const auto result = parseBoundedJson(R"({"role":"read-only","role":"partner-admin"})");
        QVERIFY(!result);
        QVERIFY(result.error.find("duplicate key \"role\"") != std::string::npos);
        QVERIFY(parseBoundedJson(R"({"a":{"x":1},"b":{"x":2}})")); // same key in different objects is fine
    }

    void refusesTooDeepNesting() {
        JsonLimits limits;
        limits.maxDepth = 8;
        QVERIFY(parseBoundedJson(std::string(8, '[') + std::string(8, ']'), limits));
        const auto deep = parseBoundedJson(std::string(9, '[') + std::string(9, ']'), limits);
        QVERIFY(!deep);
        QVERIFY(deep.error.find("nested deeper than 8") != std::string::npos);
        // A hostile 100k-deep document fails fast instead of exhausting the stack.
        QVERIFY(!parseBoundedJson(std::string(100000, '[') + std::string(100000, ']')));
    }

    void refusesOversizedInput() {
        JsonLimits limits;
        limits.maxBytes = 16;
        const auto result = parseBoundedJson(R"({"k":"0123456789"})", limits);
        QVERIFY(!result);
        QVERIFY(result.tooLarge);
    }

    void refusesTooManyValuesAndLongStrings() {
        JsonLimits limits;
        limits.maxValues = 10;
        QVERIFY(!parseBoundedJson("[1,2,3,4,5,6,7,8,9,10,11]", limits));
        limits = JsonLimits{};
        limits.maxStringBytes = 4;
        QVERIFY(!parseBoundedJson(R"(["12345"])", limits));
        QVERIFY(parseBoundedJson(R"(["1234"])", limits));
    }

    void refusesMalformedInputWithAReason() {
        for (const char* bad : {"", "{", "{\"a\":}", "[1,]", "{\"a\":1} trailing", "nul", "\"\xff\"",
                                "{'a':1}", "[1] [2]", "NaN"}) {
            const auto result = parseBoundedJson(bad);
            QVERIFY2(!result, bad);
            QVERIFY(!result.error.empty());
        }
    }
};

QTEST_GUILESS_MAIN(TestBoundedJson)
#include "TestBoundedJson.moc"
