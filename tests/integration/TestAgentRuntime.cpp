// End to end with the real agent daemon, the real server and PostgreSQL: a device comes online, reports
// heartbeats and inventory, runs commands once and only once, survives server and database restarts
// without losing a heartbeat or a result, and is cut off for good when revoked.
#include "CommandWait.h"
#include "ProgramRun.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "net/WebSocketConnector.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QtTest>
#include <csignal>
#include <unistd.h>

using namespace breeze;

class TestAgentRuntime final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_api = nullptr;
    std::string m_site;
    std::unique_ptr<test::TestAgent> m_agent;
    QTemporaryDir m_dir;
    QString m_powerLog;

    std::string newKey(int maxUses = 1) {
        return m_api
            ->post("/api/v1/enrollment-keys",
                   {{"site_id", m_site}, {"expires_in_seconds", 600}, {"max_uses", maxUses}})
            .body["key"];
    }

    nlohmann::json device(const std::string& id) { return m_api->get("/api/v1/devices/" + id).body; }

    nlohmann::json sendCommand(const std::string& deviceId, const nlohmann::json& body) {
        const auto response = m_api->post("/api/v1/devices/" + deviceId + "/commands", body);
        if (response.status != 201)
            throw std::runtime_error(response.raw);
        return response.body;
    }

    // Polls until the command leaves pending/sent/running.
    nlohmann::json waitForCommand(const std::string& id, int milliseconds = 20000) {
        return test::waitForFinalCommand(*m_api, id, milliseconds);
    }

    long long sql(const QString& query) {
        return m_postgres->superuserSql("agent_runtime", query).trimmed().toLongLong();
    }

    long long heartbeats(const std::string& deviceId) {
        return sql(QString("SELECT count(*) FROM device_metrics WHERE device_id = '%1'")
                       .arg(QString::fromStdString(deviceId)));
    }

    // Connected and caught up: no backlog (one heartbeat may be in flight when the agent writes its status).
    bool spoolEmpty(const test::TestAgent& agent) {
        const auto status = agent.status();
        return status.is_object() && status["connected"] == true && status["spool"]["metrics"] <= 1 &&
               status["spool"]["results"] == 0 && status["spool"]["inventory"] == 0;
    }

    int spooledMetrics(const test::TestAgent& agent) {
        const auto status = agent.status();
        return status.is_object() ? status["spool"]["metrics"].get<int>() : 0;
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(
            *m_postgres, "agent_runtime", "admin@runtime.test", "Runtime MSP", "Fleet", "HQ",
            std::map<std::string, std::string>{{"agents.heartbeat_seconds", "1"}, {"log.level", "debug"}});
        m_server = m_fleet->server.get();
        m_api = m_fleet->api.get();
        m_site = m_fleet->site;
        // reboot/shutdown call this instead of shutdown(8): a test must not power off its machine.
        m_powerLog = m_dir.filePath("power.log");
        QFile script(m_dir.filePath("fake-shutdown"));
        script.open(QIODevice::WriteOnly);
        script.write(QString("#!/bin/sh\necho \"$@\" >> %1\n").arg(m_powerLog).toUtf8());
        script.close();
        script.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        test::TestAgent::Options options;
        options.identity = "runtime-01";
        options.environment.insert("BREEZE_AGENT_POWER_COMMAND", script.fileName());
        m_agent = std::make_unique<test::TestAgent>(*m_server, newKey(), options);
        m_agent->start();
    }

    void comesOnlineWithHeartbeatsAndInventory() {
        const std::string id = m_agent->deviceId();
        QTRY_VERIFY_WITH_TIMEOUT(device(id)["status"] == "online", 15000);
        const auto online = device(id);
        QCOMPARE(online["platform"].get<std::string>(), std::string("linux"));
        QVERIFY(!online["agent_version"].get<std::string>().empty());
        QTRY_VERIFY_WITH_TIMEOUT(heartbeats(id) >= 3, 15000);
        const auto metrics = m_api->get("/api/v1/devices/" + id + "/metrics?range=1h").body;
        QVERIFY(metrics["points"].size() >= 3);
        QVERIFY(metrics["points"][0]["memory_total"].get<long long>() > 0);
        QTRY_VERIFY_WITH_TIMEOUT(
            m_api->get("/api/v1/devices/" + id + "/inventory").body["sections"].size() == 9, 30000);
        const auto inventory = m_api->get("/api/v1/devices/" + id + "/inventory").body["sections"];
        QVERIFY(!inventory["os"]["data"]["kernel"].get<std::string>().empty());
        const auto software = m_api->get("/api/v1/devices/" + id + "/software?q=bash").body;
        bool bash = false;
        for (const auto& item : software["items"])
            bash |= item["name"] == "bash";
        QVERIFY(bash);
        const auto events = m_api->get("/api/v1/devices/" + id + "/events?kind=online").body;
        QVERIFY(!events["items"].empty());
        // The change log starts with one "initial" entry per section; a repeated report writes nothing.
        QCOMPARE(
            sql(QString("SELECT count(*) FROM device_inventory_changes WHERE device_id = '%1' AND change = "
                        "'initial'")
                    .arg(QString::fromStdString(id))),
            9LL);
    }

    void runsBuiltInCommands() {
        const std::string id = m_agent->deviceId();
        const auto ping = waitForCommand(sendCommand(id, {{"type", "ping"}})["id"]);
        QCOMPARE(ping["status"].get<std::string>(), std::string("completed"));
        QCOMPARE(ping["output"]["pong"], true);
        QVERIFY(!ping["started_at"].is_null() && !ping["finished_at"].is_null());

        const auto processes = waitForCommand(sendCommand(id, {{"type", "list_processes"}})["id"]);
        bool agentListed = false;
        for (const auto& process : processes["output"]["processes"])
            agentListed |= process["pid"].get<long long>() == m_agent->pid();
        QVERIFY(agentListed);
        // What the console needs to show CPU and memory shares: a monotonic time and the machine's size.
        QVERIFY(processes["output"]["monotonic_ms"].get<long long>() > 0);
        QCOMPARE(processes["output"]["cpu_count"].get<long>(), sysconf(_SC_NPROCESSORS_ONLN));
        QCOMPARE(processes["output"]["memory_total_bytes"].get<long long>(),
                 static_cast<long long>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE));

        QProcess victim;
        victim.start("sleep", {"300"});
        QVERIFY(victim.waitForStarted());
        const auto kill = waitForCommand(
            sendCommand(id, {{"type", "kill_process"}, {"args", {{"pid", victim.processId()}}}})["id"]);
        QCOMPARE(kill["status"].get<std::string>(), std::string("completed"));
        // (waitForFinished answers false for a process that has already ended while events were processed)
        QTRY_VERIFY_WITH_TIMEOUT(victim.state() == QProcess::NotRunning, 5000);
        QCOMPARE(victim.exitStatus(), QProcess::CrashExit); // ended by the signal

        const auto missing =
            waitForCommand(sendCommand(id, {{"type", "kill_process"}, {"args", {{"pid", 4000000}}}})["id"]);
        QCOMPARE(missing["status"].get<std::string>(), std::string("failed"));
        QVERIFY(missing["error"].get<std::string>().find("no such process") != std::string::npos);

        const auto reboot =
            waitForCommand(sendCommand(id, {{"type", "reboot"}, {"args", {{"delay_seconds", 120}}}})["id"]);
        QCOMPARE(reboot["status"].get<std::string>(), std::string("completed"));
        QFile power(m_powerLog);
        QVERIFY(power.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(power.readAll()).trimmed(),
                 QString("-r +2 Breeze: scheduled by an administrator"));

        const auto services = waitForCommand(sendCommand(id, {{"type", "list_services"}})["id"]);
        QCOMPARE(services["status"].get<std::string>(), std::string("completed"));
        QVERIFY(services["output"]["count"].get<int>() > 0);

        // No systemd runs in this test machine: the failure must say what systemctl said.
        const auto action = waitForCommand(sendCommand(
            id, {{"type", "service_action"},
                 {"args", {{"name", "breeze-nonexistent.service"}, {"action", "restart"}}}})["id"]);
        QCOMPARE(action["status"].get<std::string>(), std::string("failed"));
        QVERIFY(!action["output"]["output"].get<std::string>().empty());

        const auto collect = waitForCommand(sendCommand(id, {{"type", "collect_inventory"}})["id"], 60000);
        QCOMPARE(collect["status"].get<std::string>(), std::string("completed"));
        QCOMPARE(collect["output"]["sections"].get<int>(), 9);

        const auto badArgs = m_api->post("/api/v1/devices/" + id + "/commands",
                                         {{"type", "kill_process"}, {"args", {{"pid", "1; reboot"}}}});
        QCOMPARE(badArgs.status, 400);
        QVERIFY(badArgs.errorMessage().find("args.pid") != std::string::npos);
    }

    // breeze-admin as an operator uses it: an API key, the server's CA, device names instead of ids.
    void theAdminCliDrivesDevicesAndCommands() {
        const std::string org = device(m_agent->deviceId())["org_id"];
        const auto key =
            m_api->post("/api/v1/api-keys", {{"name", "cli"}, {"org_id", org}, {"role", "technician"}});
        QCOMPARE(key.status, 201);
        const QStringList connection{"--server",  QString::fromStdString(m_server->url()),
                                     "--ca",      QString::fromStdString(m_server->caFile()),
                                     "--api-key", QString::fromStdString(key.body["key"].get<std::string>())};
        const auto admin = [&](const QStringList& args) {
            return test::ProgramRun::run("breeze-admin", connection + args);
        };

        const auto list = admin({"devices", "list"});
        QVERIFY2(list.exitCode == 0, qPrintable(list.err));
        QVERIFY(list.out.contains("runtime-01") ||
                list.out.contains(QString::fromStdString(m_agent->deviceId())));
        QVERIFY(list.out.contains("online"));
        const auto software = admin({"devices", "software", "runtime-01", "--search", "bash", "--json"});
        QVERIFY2(software.exitCode == 0, qPrintable(software.err));
        QVERIFY(software.json()["count"].get<int>() >= 1);

        const std::string annex =
            m_api->post("/api/v1/sites", {{"org_id", org}, {"name", "HQ Annex"}}).body["id"];
        const auto moved = admin({"devices", "move", "runtime-01", "--site", "HQ Annex", "--json"});
        QVERIFY2(moved.exitCode == 0, qPrintable(moved.err));
        QCOMPARE(moved.json()["site_id"].get<std::string>(), annex);

        const auto sent =
            admin({"commands", "send", "--device", "runtime-01", "--type", "ping", "--wait", "--json"});
        QVERIFY2(sent.exitCode == 0, qPrintable(sent.err));
        QCOMPARE(sent.json()["status"].get<std::string>(), std::string("completed"));
        QCOMPARE(sent.json()["output"]["pong"], true);
        const auto failed = admin({"commands", "send", "--device", "runtime-01", "--type", "kill_process",
                                   "--arg", "pid=4000000", "--wait"});
        QCOMPARE(failed.exitCode, 1); // a failed command fails the shell command too
        QVERIFY(failed.out.contains("failed") && failed.out.contains("no such process"));
        const auto typo =
            admin({"commands", "send", "--device", "runtime-01", "--type", "kill_process", "--arg", "pid"});
        QCOMPARE(typo.exitCode, 1);
        QVERIFY(typo.err.contains("NAME=VALUE"));

        const auto queued = admin({"commands", "send", "--device", "runtime-01", "--type", "reboot", "--arg",
                                   "delay_seconds=600", "--json"});
        QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
        const QString id = QString::fromStdString(queued.json()["id"].get<std::string>());
        const auto history = admin({"commands", "list", "--device", "runtime-01"});
        QVERIFY(history.out.contains(id));
        const auto shown = admin({"commands", "show", id, "--json"});
        QCOMPARE(shown.json()["type"].get<std::string>(), std::string("reboot"));
        const auto cancel = admin({"commands", "cancel", id});
        // Already completed (the agent answers in milliseconds) or cancelled now: either way said clearly.
        QVERIFY2(cancel.exitCode == 0 ? cancel.out.contains("cancelled")
                                      : cancel.err.contains("already finished"),
                 qPrintable(cancel.out + cancel.err));

        const auto enrollmentKey =
            m_api->post("/api/v1/enrollment-keys", {{"site_id", m_site}, {"expires_in_seconds", 600}});
        const QString secret = QString::fromStdString(enrollmentKey.body["key"].get<std::string>());
        const auto install = admin({"enrollment-keys", "install-command", secret});
        QVERIFY2(install.exitCode == 0, qPrintable(install.err));
        QVERIFY(install.out.contains("--key '" + secret + "'"));
        QVERIFY(install.out.contains("--ca /tmp/breeze-ca.pem"));
        QVERIFY(install.out.contains("BEGIN CERTIFICATE"));
        QVERIFY(install.out.contains("systemctl enable --now breeze-agent"));
        QCOMPARE(admin({"enrollment-keys", "install-command", "not-a-key"}).exitCode, 1);
    }

    void commandsWaitForAnOfflineDeviceAndNeverRunTwice() {
        const std::string id = m_agent->deviceId();
        QCOMPARE(m_agent->stop(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(device(id)["status"] == "offline", 10000);
        const auto queued = sendCommand(id, {{"type", "shutdown"}, {"args", {{"delay_seconds", 0}}}});
        QCOMPARE(queued["status"].get<std::string>(), std::string("pending"));
        QTest::qWait(500);
        QCOMPARE(m_api->get("/api/v1/commands/" + queued["id"].get<std::string>())
                     .body["status"]
                     .get<std::string>(),
                 std::string("pending"));
        m_agent->start();
        const auto done = waitForCommand(queued["id"]);
        QCOMPARE(done["status"].get<std::string>(), std::string("completed"));
        QCOMPARE(done["deliveries"].get<int>(), 1);
        const auto lines = [&] {
            QFile power(m_powerLog);
            power.open(QIODevice::ReadOnly);
            return QString::fromUtf8(power.readAll()).split('\n', Qt::SkipEmptyParts).size();
        };
        const int before = lines();
        // As if the server had lost the result: it delivers the command again on the next connection. The
        // agent remembers having run it and does not power anything off a second time.
        m_postgres->superuserSql("agent_runtime",
                                 QString("UPDATE device_commands SET status = 'sent', finished_at = "
                                         "NULL WHERE id = '%1'")
                                     .arg(QString::fromStdString(queued["id"])));
        QCOMPARE(m_agent->stop(), 0);
        m_agent->start();
        QTRY_VERIFY_WITH_TIMEOUT(
            m_api->get("/api/v1/commands/" + queued["id"].get<std::string>()).body["deliveries"] == 2, 15000);
        QTest::qWait(1500);
        QCOMPARE(lines(), before);
    }

    void credentialsRotateWithoutAGap() {
        const std::string id = m_agent->deviceId();
        const auto credentialOnDisk = [&] {
            QFile file(m_agent->stateDir() + "/state.json");
            file.open(QIODevice::ReadOnly);
            return nlohmann::json::parse(file.readAll().toStdString()).value("credential", std::string());
        };
        const std::string old = credentialOnDisk();
        QTRY_VERIFY_WITH_TIMEOUT(device(id)["status"] == "online", 15000);
        const auto before = device(id);
        QCOMPARE(m_api->post("/api/v1/devices/" + id + "/rotate-credential", nlohmann::json::object()).status,
                 200);
        QTRY_VERIFY_WITH_TIMEOUT(credentialOnDisk() != old, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(device(id)["credential_rotated_at"] != before["credential_rotated_at"],
                                 15000);
        // No gap: the same connection carries on, and commands still run.
        QCOMPARE(device(id)["connected_at"], before["connected_at"]);
        QCOMPARE(waitForCommand(sendCommand(id, {{"type", "ping"}})["id"])["status"].get<std::string>(),
                 std::string("completed"));
        // The old credential opens nothing any more; the agent comes back with the new one after a restart.
        auto tls = net::makeClientSslContext(m_server->caFile());
        net::WebSocketTarget target;
        target.host = "localhost";
        target.port = static_cast<unsigned short>(m_server->gatewayPort());
        target.path = "/api/v1/agent/ws";
        target.headers["Authorization"] = "Bearer " + old;
        try {
            net::connectWebSocket(target, tls.get(), std::chrono::seconds(10));
            QFAIL("the old credential still works");
        } catch (const net::WebSocketRefused& refused) {
            QCOMPARE(refused.status(), 401);
        }
        QCOMPARE(m_agent->stop(), 0);
        m_agent->start();
        QTRY_VERIFY_WITH_TIMEOUT(
            device(id)["status"] == "online" && device(id)["connected_at"] != before["connected_at"], 20000);
    }

    void aServerRestartLosesNoHeartbeatAndNoCommand() {
        const std::string id = m_agent->deviceId();
        QTRY_VERIFY_WITH_TIMEOUT(spoolEmpty(*m_agent), 15000);
        const long long before = heartbeats(id);
        QCOMPARE(m_server->stop(), 0);
        // Heartbeats keep being sampled into the spool while the server is away.
        QTRY_VERIFY_WITH_TIMEOUT(spooledMetrics(*m_agent) >= 3, 15000);
        m_server->start();
        QTRY_VERIFY_WITH_TIMEOUT(device(id)["status"] == "online", 15000);
        QTRY_VERIFY_WITH_TIMEOUT(spoolEmpty(*m_agent), 15000);
        QVERIFY(heartbeats(id) >= before + 3);
        // Nothing missing across the outage: every heartbeat sampled meanwhile was stored.
        const auto missing = m_agent->missingHeartbeats([&] { return heartbeats(id); });
        QVERIFY2(missing.isEmpty(), qPrintable(missing));
        const auto ping = waitForCommand(sendCommand(id, {{"type", "ping"}})["id"]);
        QCOMPARE(ping["status"].get<std::string>(), std::string("completed"));
    }

    void aPostgresRestartLosesNoHeartbeatAndNoResult() {
        const std::string id = m_agent->deviceId();
        QTRY_VERIFY_WITH_TIMEOUT(spoolEmpty(*m_agent), 15000);
        // A command is queued, then the agent and the database go away; it must still run exactly once.
        QCOMPARE(m_agent->stop(), 0);
        const auto queued = sendCommand(id, {{"type", "ping"}});
        m_postgres->stop();
        m_agent->start();
        // The agent cannot even be admitted now; heartbeats pile up in its spool.
        QElapsedTimer outage;
        outage.start();
        while (spooledMetrics(*m_agent) < 3 && outage.elapsed() < 15000)
            QTest::qWait(100);
        m_postgres->start();
        QVERIFY2(spooledMetrics(*m_agent) >= 3, qPrintable(m_agent->log() + m_server->logText().right(3000)));
        QTRY_VERIFY_WITH_TIMEOUT(spoolEmpty(*m_agent), 30000);
        const auto done = waitForCommand(queued["id"]);
        QCOMPARE(done["status"].get<std::string>(), std::string("completed"));
        const auto missing = m_agent->missingHeartbeats([&] { return heartbeats(id); });
        QVERIFY2(missing.isEmpty(), qPrintable(missing));
        QCOMPARE(device(id)["status"].get<std::string>(), std::string("online"));
    }

    void anAgentEnrolledWithItsOwnPortFindsTheFrontDoor() {
        test::TestAgent::Options options;
        options.identity = "runtime-old-port";
        test::TestAgent agent(*m_server, newKey(), options);
        // As if enrolled when agents had a port of their own, which this server no longer opens.
        const QString statePath = agent.stateDir() + "/state.json";
        QFile file(statePath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        auto state = nlohmann::json::parse(file.readAll().toStdString());
        file.close();
        state["gateway_port"] = test::freeTcpPort();
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QByteArray::fromStdString(state.dump()));
        file.close();
        agent.start();
        QTRY_VERIFY_WITH_TIMEOUT(device(agent.deviceId())["status"] == "online", 20000);
        // It remembers the port that worked.
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(nlohmann::json::parse(file.readAll().toStdString())["gateway_port"].get<int>(),
                 m_server->port());
        QCOMPARE(agent.stop(), 0);
    }

    void aRevokedDeviceIsCutOffAndStaysOut() {
        test::TestAgent::Options options;
        options.identity = "runtime-revoked";
        test::TestAgent agent(*m_server, newKey(), options);
        agent.start();
        QTRY_VERIFY_WITH_TIMEOUT(device(agent.deviceId())["status"] == "online", 15000);
        QCOMPARE(
            m_api->post("/api/v1/devices/" + agent.deviceId() + "/revoke", nlohmann::json::object()).status,
            200);
        QTRY_VERIFY_WITH_TIMEOUT(agent.status()["connected"] == false, 5000);
        QTest::qWait(3000); // several back-off rounds: it must not get back in
        QCOMPARE(device(agent.deviceId())["status"].get<std::string>(), std::string("offline"));
        QVERIFY(agent.status()["connected"] == false);
        QVERIFY2(agent.log().contains("credential is not valid"), qPrintable(agent.log()));
        const auto command =
            m_api->post("/api/v1/devices/" + agent.deviceId() + "/commands", {{"type", "ping"}});
        QCOMPARE(command.status, 409);
    }

    void cleanupTestCase() {
        if (QTest::currentTestFailed()) {
            qWarning().noquote() << m_agent->log();
            qWarning().noquote() << m_server->logText().right(20000);
        }
        m_agent.reset();
    }
};

QTEST_GUILESS_MAIN(TestAgentRuntime)
#include "TestAgentRuntime.moc"
