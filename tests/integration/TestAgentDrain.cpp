// An agent coming back after a long time away: the real breeze-agent fills its spool by its own code paths
// (heartbeats sampled every 20 ms, scripts printing a line at a time) while the server is down, then drains
// it when the server returns. The spool goes in order, paced by the protocol's acknowledgement window: the
// agent is never cut off for sending fast, nothing is lost and nothing is stored twice. The time the drain
// took is printed (the figure for docs/benchmarks.md comes from a release build; this suite asserts
// completeness).
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"

#include <QElapsedTimer>
#include <QtTest>

using namespace breeze;

namespace {
constexpr int kScripts = 20;
constexpr int kLines = 40;
constexpr long long kHeartbeats = 1440; // a day at one a minute
constexpr long long kResults = 500;     // command results and output chunks

std::string expectedOutput() {
    std::string text;
    for (int i = 1; i <= kLines; ++i)
        text += "line " + std::to_string(i) + "\n";
    return text;
}
} // namespace

class TestAgentDrain final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_api = nullptr;
    std::unique_ptr<test::TestAgent> m_agent;

    long long sql(const QString& query) {
        return m_postgres->superuserSql("agent_drain", query).trimmed().toLongLong();
    }

    long long storedHeartbeats() {
        return sql(QString("SELECT count(*) FROM device_metrics WHERE device_id = '%1'")
                       .arg(QString::fromStdString(m_agent->deviceId())));
    }

    nlohmann::json spool() {
        const auto status = m_agent->status();
        return status.is_object() ? status["spool"] : nlohmann::json::object();
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(*m_postgres, "agent_drain", "admin@drain.test",
                                                    "Drain MSP", "Away", "Ship");
        m_server = m_fleet->server.get();
        m_api = m_fleet->api.get();
        const std::string key = m_fleet->enrollmentKey();
        test::TestAgent::Options options;
        options.identity = "drain-01";
        options.runArgs = {"--heartbeat-ms", "20", "--max-backoff", "2", "--max-commands", "20"};
        m_agent = std::make_unique<test::TestAgent>(*m_server, key, options);
        m_agent->start();
        QTRY_VERIFY_WITH_TIMEOUT(
            m_api->get("/api/v1/devices/" + m_agent->deviceId()).body["status"] == "online", 20000);
    }

    void aLongOutageDrainsCompletely() {
        const std::string device = m_agent->deviceId();
        nlohmann::json script{{"name", "chatty"},
                              {"language", "bash"},
                              {"content", "for i in $(seq 1 " + std::to_string(kLines) +
                                              "); do echo \"line $i\"; sleep 0.25; done\n"}};
        const std::string scriptId = m_api->post("/api/v1/scripts", script).body["id"];
        std::vector<std::string> executions;
        for (int i = 0; i < kScripts; ++i) {
            const auto run = m_api->post("/api/v1/scripts/" + scriptId + "/runs", {{"device_ids", {device}}});
            QCOMPARE(run.status, 201);
            executions.push_back(run.body["executions"][0]["id"]);
        }
        // Every script is running on the device before the server goes away; they finish while it is away.
        QTRY_COMPARE_WITH_TIMEOUT(sql(QString("SELECT count(*) FROM device_commands WHERE device_id = '%1' "
                                              "AND status = 'running'")
                                          .arg(QString::fromStdString(device))),
                                  static_cast<long long>(kScripts), 20000);
        QCOMPARE(m_server->stop(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(spool().value("metrics", 0LL) >= kHeartbeats &&
                                     spool().value("results", 0LL) >= kResults,
                                 120000);
        const auto before = spool();
        qInfo() << "spooled while the server was away:" << before.dump().c_str();

        QElapsedTimer drain;
        drain.start();
        m_server->start();
        // Drained: every script's result and output stored, and every heartbeat spooled before the return.
        const long long heartbeatsDue =
            before["recorded_metrics"].get<long long>() - before["dropped_metrics"].get<long long>();
        const auto finished = [&] {
            return sql(QString("SELECT count(*) FROM device_commands WHERE device_id = '%1' AND status = "
                               "'completed'")
                           .arg(QString::fromStdString(device)));
        };
        QTRY_VERIFY_WITH_TIMEOUT(finished() == kScripts && storedHeartbeats() >= heartbeatsDue, 180000);
        const double seconds = static_cast<double>(drain.elapsed()) / 1000.0;
        qInfo().noquote() << QString("drained %1 heartbeats and %2 results and output chunks in %3 s "
                                     "(server start included)")
                                 .arg(before["metrics"].get<long long>())
                                 .arg(before["results"].get<long long>())
                                 .arg(seconds, 0, 'f', 1);
        // Honest agents are slowed, never disconnected: one connection from the return to the end. (The close
        // code as the agent logs it: a bare "1008" also matched ports and back-off delays such as "in 1008
        // ms".)
        QVERIFY2(!m_agent->log().contains("peer closed (1008"), qPrintable(m_agent->log().right(2000)));
        QVERIFY2(!m_server->logText().contains("message rate limit"), "an agent was cut off");

        // Nothing lost, nothing twice: each script's output is exactly what it printed, in order.
        for (const auto& id : executions) {
            const auto execution = m_api->get("/api/v1/script-executions/" + id).body;
            QCOMPARE(execution["status"].get<std::string>(), std::string("completed"));
            QCOMPARE(execution["stdout"].get<std::string>(), expectedOutput());
        }
        QCOMPARE(m_agent->stop(), 0);
        const auto missing = m_agent->missingHeartbeats([&] { return storedHeartbeats(); });
        QVERIFY2(missing.isEmpty(), qPrintable(missing));
        QCOMPARE(sql(QString("SELECT count(*) - count(DISTINCT sampled_at) FROM device_metrics WHERE "
                             "device_id = '%1'")
                         .arg(QString::fromStdString(device))),
                 0LL);
    }

    void cleanupTestCase() {
        if (m_agent && QTest::currentTestFailed())
            qWarning().noquote() << m_agent->log().right(20000);
        m_agent.reset();
        m_fleet.reset();
        m_postgres.reset();
    }
};

QTEST_GUILESS_MAIN(TestAgentDrain)
#include "TestAgentDrain.moc"
