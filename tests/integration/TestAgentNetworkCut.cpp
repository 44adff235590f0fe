// A network cut, for real: the agent runs in its own network namespace, joined to the host by a veth pair
// that the test takes down and brings back. While cut, heartbeats fill the agent's spool and the server marks
// the device offline; after, the spool drains in order with no heartbeat missing, and a command queued
// during the cut runs. Needs root (network namespaces); the suite says so and skips otherwise.
#include "TestAgent.h"
#include "TestPostgres.h"
#include "TestServer.h"

#include <QProcess>
#include <QtTest>
#include <unistd.h>

using namespace breeze;

namespace {
bool ip(const QStringList& args) {
    QProcess process;
    process.start("ip", args);
    return process.waitForFinished(10000) && process.exitStatus() == QProcess::NormalExit &&
           process.exitCode() == 0;
}
} // namespace

class TestAgentNetworkCut final : public QObject {
    Q_OBJECT

    QString m_namespace;
    QString m_hostLink;
    QString m_hostAddress;
    QString m_agentAddress;
    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<net::RestClient> m_api;
    std::unique_ptr<test::TestAgent> m_agent;

    long long sql(const QString& query) {
        return m_postgres->superuserSql("network_cut", query).trimmed().toLongLong();
    }

    int spooledMetrics() {
        const auto status = m_agent->status();
        return status.is_object() ? status["spool"]["metrics"].get<int>() : 0;
    }

    std::string deviceStatus() { return m_api->get("/api/v1/devices/" + m_agent->deviceId()).body["status"]; }

private Q_SLOTS:
    void initTestCase() {
        if (geteuid() != 0)
            QSKIP("network namespaces need root; run as root (CI does)");
        // Names and a /30 unique to this process, so suites can run side by side.
        const int n = getpid() % 16000;
        m_namespace = QString("brz-cut-%1").arg(getpid());
        m_hostLink = QString("brzh%1").arg(getpid());
        const QString agentLink = QString("brza%1").arg(getpid());
        m_hostAddress = QString("10.%1.%2.1").arg(200 + n / 4000).arg((n % 4000) / 16);
        m_agentAddress = QString("10.%1.%2.2").arg(200 + n / 4000).arg((n % 4000) / 16);
        QVERIFY(ip({"netns", "add", m_namespace}));
        QVERIFY(ip({"link", "add", m_hostLink, "type", "veth", "peer", "name", agentLink}));
        QVERIFY(ip({"link", "set", agentLink, "netns", m_namespace}));
        QVERIFY(ip({"addr", "add", m_hostAddress + "/30", "dev", m_hostLink}));
        QVERIFY(ip({"link", "set", m_hostLink, "up"}));
        QVERIFY(ip(
            {"netns", "exec", m_namespace, "ip", "addr", "add", m_agentAddress + "/30", "dev", agentLink}));
        QVERIFY(ip({"netns", "exec", m_namespace, "ip", "link", "set", agentLink, "up"}));
        QVERIFY(ip({"netns", "exec", m_namespace, "ip", "link", "set", "lo", "up"}));

        m_postgres = std::make_unique<test::TestPostgres>();
        m_server = std::make_unique<test::TestServer>(
            *m_postgres, "network_cut",
            std::map<std::string, std::string>{
                {"server.listen", m_hostAddress.toStdString()},
                {"server.public_addresses", "127.0.0.1, " + m_hostAddress.toStdString()},
                {"agents.heartbeat_seconds", "1"},
                {"gateway.keepalive_seconds", "2"}});
        const auto admin = m_server->bootstrap("admin@cut.test", "Cut MSP", false);
        m_api = [&] {
            auto client = std::make_unique<net::RestClient>(m_server->urlFor(m_hostAddress.toStdString()),
                                                            m_server->caFile());
            const auto login =
                client->post("/api/v1/auth/login", {{"email", admin.email},
                                                    {"password", admin.password},
                                                    {"totp", test::totpAhead(admin.totpSecret)}});
            client->setBearer(login.body["access_token"]);
            return client;
        }();
        const std::string org = m_api->post("/api/v1/orgs", {{"name", "Branch"}}).body["id"];
        const std::string site = m_api->post("/api/v1/sites", {{"org_id", org}, {"name", "Shop"}}).body["id"];
        const std::string key =
            m_api->post("/api/v1/enrollment-keys", {{"site_id", site}, {"expires_in_seconds", 600}})
                .body["key"];
        test::TestAgent::Options options;
        options.identity = "branch-till";
        options.networkNamespace = m_namespace;
        options.serverUrl = QString::fromStdString(m_server->urlFor(m_hostAddress.toStdString()));
        options.runArgs = {"--keepalive", "2"};
        m_agent = std::make_unique<test::TestAgent>(*m_server, key, options);
        m_agent->start();
        QTRY_VERIFY_WITH_TIMEOUT(deviceStatus() == "online", 20000);
    }

    void aCutFillsTheSpoolAndTheReturnDrainsItWithNothingLost() {
        const std::string id = m_agent->deviceId();
        QVERIFY(ip({"link", "set", m_hostLink, "down"}));
        // The server notices silence within three keepalive periods; the agent keeps sampling.
        QTRY_VERIFY_WITH_TIMEOUT(deviceStatus() == "offline", 20000);
        const auto queued = m_api->post("/api/v1/devices/" + id + "/commands", {{"type", "ping"}});
        QCOMPARE(queued.status, 201);
        QTRY_VERIFY_WITH_TIMEOUT(spooledMetrics() >= 8, 30000);
        QCOMPARE(m_agent->status()["connected"], false);
        const long long storedBefore =
            sql(QString("SELECT count(*) FROM device_metrics WHERE device_id = '%1'")
                    .arg(QString::fromStdString(id)));

        QVERIFY(ip({"link", "set", m_hostLink, "up"}));
        QTRY_VERIFY_WITH_TIMEOUT(deviceStatus() == "online", 30000);
        QTRY_VERIFY_WITH_TIMEOUT(m_agent->status()["connected"] == true && spooledMetrics() <= 1, 30000);
        const long long storedAfter =
            sql(QString("SELECT count(*) FROM device_metrics WHERE device_id = '%1'")
                    .arg(QString::fromStdString(id)));
        QVERIFY2(storedAfter >= storedBefore + 8,
                 qPrintable(QString("%1 -> %2").arg(storedBefore).arg(storedAfter)));
        // Every heartbeat sampled during the cut was stored: loss is asserted, not how evenly they were
        // taken.
        const auto missing = m_agent->missingHeartbeats([&] {
            return sql(QString("SELECT count(*) FROM device_metrics WHERE device_id = '%1'")
                           .arg(QString::fromStdString(id)));
        });
        QVERIFY2(missing.isEmpty(), qPrintable(missing));
        // Stored samples arrived late but keep the time they were taken.
        QVERIFY(
            sql(QString(
                    "SELECT count(*) FROM device_metrics WHERE device_id = '%1' AND received_at - sampled_at "
                    "> interval '2 seconds'")
                    .arg(QString::fromStdString(id))) >= 5);
        QTRY_VERIFY_WITH_TIMEOUT(
            m_api->get("/api/v1/commands/" + queued.body["id"].get<std::string>()).body["status"] ==
                "completed",
            15000);
        const auto events = m_api->get("/api/v1/devices/" + id + "/events?kind=offline").body["items"];
        QVERIFY(!events.empty());
    }

    void cleanupTestCase() {
        if (m_agent && QTest::currentTestFailed())
            qWarning().noquote() << m_agent->log();
        m_agent.reset();
        m_server.reset();
        if (!m_namespace.isEmpty()) {
            ip({"link", "del", m_hostLink});
            ip({"netns", "del", m_namespace});
        }
    }
};

QTEST_GUILESS_MAIN(TestAgentNetworkCut)
#include "TestAgentNetworkCut.moc"
