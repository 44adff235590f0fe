// Scripts end to end: the library with its versions on a real server and PostgreSQL, and runs on a real agent
// that executes real bash and python. Exit codes, separate streams, literal parameters, secrets that are
// never stored in clear, timeouts and cancels that leave no process behind, capped output, bytes that are not
// UTF-8, refusals with reasons, local users, offline devices, and breeze-admin following a run.
#include "ProgramRun.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "encoding/Base64.h"
#include "units/Units.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QtTest>
#include <csignal>
#include <fstream>

using namespace breeze;

namespace {
// Alive and not a zombie waiting to be reaped.
bool processAlive(long long pid) {
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) != 0)
        return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    const auto close = text.rfind(')');
    return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

std::vector<long long> numbersIn(const std::string& text) {
    std::vector<long long> numbers;
    std::istringstream in(text);
    for (std::string word; in >> word;)
        if (word.find_first_not_of("0123456789") == std::string::npos)
            numbers.push_back(std::stoll(word));
    return numbers;
}
} // namespace

class TestScripts final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_api = nullptr;
    std::string m_org;
    std::string m_site;
    std::string m_group;
    std::unique_ptr<test::TestAgent> m_agent;
    std::string m_device;

    QString sql(const QString& query) { return m_postgres->superuserSql("scripts", query).trimmed(); }

    nlohmann::json createScript(nlohmann::json body) {
        if (!body.contains("language"))
            body["language"] = "bash";
        const auto response = m_api->post("/api/v1/scripts", body);
        if (response.status != 201)
            throw std::runtime_error(response.raw);
        return response.body;
    }

    net::RestResponse startRun(const std::string& scriptId, nlohmann::json body) {
        if (!body.contains("device_ids") && !body.contains("site_id") && !body.contains("group_id"))
            body["device_ids"] = {m_device};
        return m_api->post("/api/v1/scripts/" + scriptId + "/runs", body);
    }

    // Runs the script on the agent's device and returns the execution id.
    std::string runOnDevice(const std::string& scriptId, nlohmann::json body = nlohmann::json::object()) {
        const auto response = startRun(scriptId, std::move(body));
        if (response.status != 201)
            throw std::runtime_error(response.raw);
        return response.body["executions"][0]["id"];
    }

    nlohmann::json waitForExecution(const std::string& id, int milliseconds = 30000) {
        nlohmann::json execution;
        QElapsedTimer timer;
        timer.start();
        do {
            execution = m_api->get("/api/v1/script-executions/" + id).body;
            const std::string status = execution["status"];
            if (status != "pending" && status != "sent" && status != "running")
                return execution;
            QTest::qWait(100);
        } while (timer.elapsed() < milliseconds);
        return execution;
    }

    std::string run(const std::string& content, const nlohmann::json& extra = nlohmann::json::object()) {
        static int counter = 0;
        nlohmann::json body{{"name", "adhoc " + std::to_string(++counter)}, {"content", content}};
        for (const auto& [key, value] : extra.items())
            body[key] = value;
        return runOnDevice(createScript(body)["id"]);
    }

    std::string stdoutOf(const std::string& executionId) {
        return m_api->get("/api/v1/script-executions/" + executionId).body["stdout"];
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(
            *m_postgres, "scripts", "admin@scripts.test", "Scripts MSP", "Fleet", "HQ",
            std::map<std::string, std::string>{{"agents.heartbeat_seconds", "2"}});
        m_server = m_fleet->server.get();
        m_api = m_fleet->api.get();
        m_org = m_fleet->org;
        m_site = m_fleet->site;
        m_group = m_api->post("/api/v1/groups", {{"org_id", m_org}, {"name", "Servers"}}).body["id"];
        test::TestAgent::Options options;
        options.identity = "scripts-01";
        m_agent = std::make_unique<test::TestAgent>(*m_server, m_fleet->enrollmentKey(), options);
        m_agent->start();
        m_device = m_agent->deviceId();
        QTRY_VERIFY_WITH_TIMEOUT(m_api->get("/api/v1/devices/" + m_device).body["status"] == "online", 20000);
        QCOMPARE(m_api->patch("/api/v1/devices/" + m_device, {{"group_id", m_group}}).status, 200);
    }

    void cleanupTestCase() {
        m_agent.reset();
        m_fleet.reset();
        m_postgres.reset();
    }

    void libraryKeepsEveryVersion() {
        const auto created =
            createScript({{"name", "Disk report"},
                          {"description", "df for every filesystem"},
                          {"category", "Maintenance"},
                          {"tags", {"disk", "daily"}},
                          {"content", "df -h\n"},
                          {"parameters", {{{"name", "LIMIT"}, {"type", "number"}, {"default", 90}}}},
                          {"timeout_seconds", 120}});
        const std::string id = created["id"];
        QCOMPARE(created["version"].get<int>(), 1);
        QCOMPARE(created["os"], nlohmann::json({"linux", "macos"}));
        QCOMPARE(created["parameters"][0]["default"].get<std::string>(), std::string("90"));
        // Metadata alone makes no version; content does.
        QCOMPARE(m_api->patch("/api/v1/scripts/" + id, {{"description", "df"}}).body["version"].get<int>(),
                 1);
        const auto second =
            m_api->patch("/api/v1/scripts/" + id, {{"content", "df -h /\n"}, {"note", "root only"}});
        QCOMPARE(second.status, 200);
        QCOMPARE(second.body["version"].get<int>(), 2);
        QCOMPARE(second.body["timeout_seconds"].get<int>(), 120); // carried over from version 1
        // Saving the same content again is no change.
        QCOMPARE(m_api->patch("/api/v1/scripts/" + id, {{"content", "df -h /\n"}}).body["version"].get<int>(),
                 2);
        const auto third = m_api->patch("/api/v1/scripts/" + id, {{"timeout_seconds", 30}});
        QCOMPARE(third.body["version"].get<int>(), 3);
        QCOMPARE(third.body["content"].get<std::string>(), std::string("df -h /\n"));

        const auto versions = m_api->get("/api/v1/scripts/" + id + "/versions").body["items"];
        QCOMPARE(versions.size(), std::size_t(3));
        QCOMPARE(versions[0]["version"].get<int>(), 3);
        QCOMPARE(versions[1]["note"].get<std::string>(), std::string("root only"));
        QCOMPARE(versions[2]["created_by"].get<std::string>(), std::string("admin@scripts.test"));
        QCOMPARE(m_api->get("/api/v1/scripts/" + id + "/versions/1").body["content"].get<std::string>(),
                 std::string("df -h\n"));

        // Restore adds version 4 with version 1's settings; history is never rewritten.
        const auto restored =
            m_api->post("/api/v1/scripts/" + id + "/versions/1/restore", nlohmann::json::object());
        QCOMPARE(restored.status, 201);
        QCOMPARE(restored.body["version"].get<int>(), 4);
        QCOMPARE(restored.body["content"].get<std::string>(), std::string("df -h\n"));
        QCOMPARE(restored.body["timeout_seconds"].get<int>(), 120);
        const auto v4 = m_api->get("/api/v1/scripts/" + id + "/versions/4").body;
        QCOMPARE(v4["restored_from"].get<int>(), 1);
        QCOMPARE(m_api->get("/api/v1/scripts/" + id + "/versions/2").body["content"].get<std::string>(),
                 std::string("df -h /\n"));
        QCOMPARE(m_api->get("/api/v1/scripts/" + id + "/versions/9").status, 404);

        QCOMPARE(
            m_api->post("/api/v1/scripts", {{"name", "disk REPORT"}, {"language", "sh"}, {"content", "x"}})
                .status,
            409);
        QCOMPARE(m_api->get("/api/v1/scripts?tag=DAILY").body["items"].size(), std::size_t(1));
        QCOMPARE(m_api->get("/api/v1/scripts?q=report").body["items"].size(), std::size_t(1));
        QCOMPARE(m_api->get("/api/v1/scripts?category=maintenance").body["items"].size(), std::size_t(1));
        QCOMPARE(m_api->del("/api/v1/scripts/" + id).status, 204);
        QCOMPARE(m_api->get("/api/v1/scripts/" + id).status, 404);
        QCOMPARE(m_api->get("/api/v1/scripts?q=report").body["items"].size(), std::size_t(0));
        // Its versions stay for the history of what ran, and the name is free again.
        QCOMPARE(sql(QString("SELECT count(*) FROM script_versions WHERE script_id = '%1'")
                         .arg(QString::fromStdString(id))),
                 QString("4"));
        QCOMPARE(
            m_api->post("/api/v1/scripts", {{"name", "Disk report"}, {"language", "sh"}, {"content", "x"}})
                .status,
            201);
    }

    void refusesBadDefinitions() {
        const auto refused = [&](const nlohmann::json& body, const std::string& expected) {
            const auto response = m_api->post("/api/v1/scripts", body);
            if (response.status != 400 || response.raw.find(expected) == std::string::npos)
                qWarning() << QString::fromStdString(response.raw);
            return response.status == 400 && response.raw.find(expected) != std::string::npos;
        };
        const nlohmann::json base{{"name", "bad"}, {"language", "bash"}, {"content", "true"}};
        auto body = base;
        body["language"] = "perl";
        QVERIFY(refused(body, "language"));
        body = base;
        body["parameters"] = {{{"name", "PATH"}, {"type", "string"}}};
        QVERIFY(refused(body, "PATH"));
        body["parameters"] = {{{"name", "1X"}, {"type", "string"}}};
        QVERIFY(refused(body, "environment variable name"));
        body["parameters"] = {{{"name", "TOKEN"}, {"type", "secret"}, {"default", "hunter2"}}};
        QVERIFY(refused(body, "cannot have a default"));
        body["parameters"] = {{{"name", "MODE"}, {"type", "choice"}}};
        QVERIFY(refused(body, "choices"));
        body["parameters"] = {{{"name", "N"}, {"type", "number"}, {"default", "ten"}}};
        QVERIFY(refused(body, "must be a number"));
        body["parameters"] = {{{"name", "A"}, {"type", "string"}}, {{"name", "A"}, {"type", "string"}}};
        QVERIFY(refused(body, "twice"));
        body = base;
        body["run_as"] = "root; rm";
        QVERIFY(refused(body, "run_as"));
        body = base;
        body["os"] = {"linux", "beos"};
        QVERIFY(refused(body, "os"));
        body = base;
        body["content"] = std::string(300 * kKiB, 'x');
        QCOMPARE(m_api->post("/api/v1/scripts", body).status, 400);
        QCOMPARE(m_api->get("/api/v1/scripts?name=bad").body["items"].size(), std::size_t(0));
    }

    void exitCodeAndSeparateStreams() {
        const auto execution = waitForExecution(run("echo to-out\necho to-err >&2\necho more-out\nexit 3\n"));
        QCOMPARE(execution["status"].get<std::string>(), std::string("failed"));
        QCOMPARE(execution["exit_code"].get<int>(), 3);
        QCOMPARE(execution["stdout"].get<std::string>(), std::string("to-out\nmore-out\n"));
        QCOMPARE(execution["stderr"].get<std::string>(), std::string("to-err\n"));
        QVERIFY(execution["error"].get<std::string>().find("exited with code 3") != std::string::npos);
        QCOMPARE(execution["result"]["interpreter"].get<std::string>().ends_with("/bash"), true);
        const auto ok = waitForExecution(run("echo fine\n"));
        QCOMPARE(ok["status"].get<std::string>(), std::string("completed"));
        QCOMPARE(ok["exit_code"].get<int>(), 0);
    }

    void pythonScript() {
        const auto execution =
            waitForExecution(run("import sys, os\nprint('py', sys.version_info[0])\n"
                                 "sys.stderr.write('warn\\n')\nsys.exit(int(os.environ['CODE']))\n",
                                 {{"language", "python"},
                                  {"parameters", {{{"name", "CODE"}, {"type", "number"}, {"default", 7}}}}}));
        QCOMPARE(execution["status"].get<std::string>(), std::string("failed"));
        QCOMPARE(execution["exit_code"].get<int>(), 7);
        QCOMPARE(execution["stdout"].get<std::string>(), std::string("py 3\n"));
        QCOMPARE(execution["stderr"].get<std::string>(), std::string("warn\n"));
        QVERIFY(execution["result"]["interpreter"].get<std::string>().ends_with("/python3"));
    }

    void outputStreamsWhileRunning() {
        const std::string id = run("echo first\nsleep 3\necho second\n");
        QTRY_VERIFY_WITH_TIMEOUT(m_api->get("/api/v1/commands/" + id + "/output").body["stdout"] != "",
                                 10000);
        const auto partial = m_api->get("/api/v1/commands/" + id + "/output").body;
        QCOMPARE(partial["status"].get<std::string>(), std::string("running"));
        QCOMPARE(*encoding::base64Decode(partial["stdout"].get<std::string>()), std::string("first\n"));
        QCOMPARE(partial["stdout_offset"].get<int>(), 6);
        QCOMPARE(partial["complete"].get<bool>(), false);
        waitForExecution(id);
        const auto rest = m_api->get("/api/v1/commands/" + id + "/output?stdout_offset=6").body;
        QCOMPARE(*encoding::base64Decode(rest["stdout"].get<std::string>()), std::string("second\n"));
        QCOMPARE(rest["complete"].get<bool>(), true);
    }

    void parametersArriveLiterally() {
        const QString marker =
            QDir::temp().filePath("breeze-injected-" + QString::number(QCoreApplication::applicationPid()));
        const std::string nasty = "$(touch " + marker.toStdString() + "); `touch " + marker.toStdString() +
                                  "` \"double\" 'single' ; | & > < * ? ~ \\ $HOME %s \n second line";
        const auto script =
            createScript({{"name", "Echo parameter"},
                          {"content", "printf '%s' \"$VALUE\"\n"},
                          {"parameters", {{{"name", "VALUE"}, {"type", "string"}, {"required", true}}}}});
        const auto execution =
            waitForExecution(runOnDevice(script["id"], {{"parameters", {{"VALUE", nasty}}}}));
        QCOMPARE(execution["status"].get<std::string>(), std::string("completed"));
        QCOMPARE(execution["stdout"].get<std::string>(), nasty);
        QVERIFY(!QFile::exists(marker));
        QCOMPARE(execution["parameters"]["VALUE"].get<std::string>(), nasty);
    }

    void valuesAreCheckedBeforeAnythingRuns() {
        const auto script = createScript(
            {{"name", "Typed"},
             {"content", "echo \"$COUNT $MODE $FORCE\"\n"},
             {"parameters",
              {{{"name", "COUNT"}, {"type", "number"}, {"required", true}},
               {{"name", "MODE"}, {"type", "choice"}, {"choices", {"fast", "safe"}}, {"default", "safe"}},
               {{"name", "FORCE"}, {"type", "boolean"}, {"default", false}}}}});
        const std::string id = script["id"];
        const QString before = sql("SELECT count(*) FROM device_commands");
        const auto refusedWith = [&](const nlohmann::json& values, const std::string& words) {
            const auto response = startRun(id, {{"parameters", values}});
            return response.status == 400 && response.raw.find(words) != std::string::npos;
        };
        QVERIFY(refusedWith({{"COUNT", "ten"}}, "parameter COUNT must be a number"));
        QVERIFY(refusedWith({{"COUNT", "0x10"}}, "parameter COUNT must be a number"));
        QVERIFY(refusedWith(nlohmann::json::object(), "parameter COUNT is required"));
        QVERIFY(
            refusedWith({{"COUNT", 1}, {"MODE", "reckless"}}, "parameter MODE must be one of: fast, safe"));
        QVERIFY(refusedWith({{"COUNT", 1}, {"FORCE", "maybe"}}, "parameter FORCE must be true or false"));
        QVERIFY(refusedWith({{"COUNT", 1}, {"EXTRA", "x"}}, "no parameter named EXTRA"));
        QCOMPARE(sql("SELECT count(*) FROM device_commands"), before);
        const auto execution =
            waitForExecution(runOnDevice(id, {{"parameters", {{"COUNT", "-2.5e3"}, {"FORCE", true}}}}));
        QCOMPARE(execution["stdout"].get<std::string>(), std::string("-2.5e3 safe true\n"));
    }

    void secretsAreNeverStoredInClear() {
        const std::string secret = "Sup3r-S3cret-" + std::to_string(QCoreApplication::applicationPid());
        // The script compares a digest, so that the secret is nowhere but in the run's parameters.
        const std::string digest =
            QCryptographicHash::hash(QByteArray::fromStdString(secret), QCryptographicHash::Sha256)
                .toHex()
                .toStdString();
        const auto script =
            createScript({{"name", "Uses a secret"},
                          {"content", "[ \"$(printf %s \"$PASSWORD\" | sha256sum | cut -c1-64)\" = \"" +
                                          digest + "\" ] && echo match\n"},
                          {"parameters", {{{"name", "PASSWORD"}, {"type", "secret"}, {"required", true}}}}});
        const std::string id = script["id"];
        // Queued for an offline device, the secret waits sealed, never in clear.
        QCOMPARE(m_agent->stop(), 0);
        const std::string executionId = runOnDevice(id, {{"parameters", {{"PASSWORD", secret}}}});
        const QString where = QString::fromStdString("%" + secret + "%");
        QCOMPARE(sql(QString("SELECT count(*) FROM device_commands WHERE id = '%1' AND args::text LIKE '%2'")
                         .arg(QString::fromStdString(executionId), where)),
                 QString("0"));
        QCOMPARE(sql(QString("SELECT jsonb_array_length(args->'sealed_environment') FROM device_commands "
                             "WHERE id = '%1'")
                         .arg(QString::fromStdString(executionId))),
                 QString("1"));
        m_agent->start();
        const auto execution = waitForExecution(executionId);
        QCOMPARE(execution["status"].get<std::string>(), std::string("completed"));
        QCOMPARE(execution["stdout"].get<std::string>(), std::string("match\n"));
        QCOMPARE(execution["parameters"]["PASSWORD"].get<std::string>(), std::string("[redacted]"));
        // Once it ran even the sealed copy is gone.
        QCOMPARE(sql(QString("SELECT args ? 'sealed_environment' FROM device_commands WHERE id = '%1'")
                         .arg(QString::fromStdString(executionId))),
                 QString("f"));
        for (const char* table :
             {"device_commands", "script_runs", "audit_log", "device_events", "script_versions"})
            QCOMPARE(sql(QString("SELECT count(*) FROM %1 t WHERE t::text LIKE '%2'").arg(table, where)),
                     QString("0"));
        QVERIFY(!m_server->logText().contains(QString::fromStdString(secret)));
        QVERIFY(!m_agent->log().contains(QString::fromStdString(secret)));
        QVERIFY(m_api->get("/api/v1/commands/" + executionId).raw.find(secret) == std::string::npos);
    }

    // A schedule is a run request the server keeps: made at its time with its maker's authority, secrets
    // sealed, each time recorded; refused at once when it could never run.
    void schedulesRunAtTheirTimeAndRepeat() {
        const std::string secret = "Sched-S3cret-" + std::to_string(QCoreApplication::applicationPid());
        const auto script =
            createScript({{"name", "Nightly"},
                          {"content", "echo \"night $WHO\"\n[ -n \"$TOKEN\" ] && echo sealed-ok\n"},
                          {"parameters",
                           {{{"name", "WHO"}, {"type", "string"}, {"required", true}},
                            {{"name", "TOKEN"}, {"type", "secret"}, {"required", true}}}}});
        const std::string id = script["id"];
        const std::string path = "/api/v1/scripts/" + id + "/schedules";
        const auto soon = QDateTime::currentDateTimeUtc().addSecs(2).toString(Qt::ISODate).toStdString();
        const nlohmann::json values{{"WHO", "owl"}, {"TOKEN", secret}};
        // Refused at once: what could never run, or never again.
        for (const auto& [body, words] :
             std::vector<std::pair<nlohmann::json, std::string>>{{{{"device_ids", {m_device}},
                                                                   {"run_at", soon},
                                                                   {"timezone", "Mars/Olympus"},
                                                                   {"parameters", values}},
                                                                  "IANA time zone"},
                                                                 {{{"device_ids", {m_device}},
                                                                   {"run_at", "yesterday-ish"},
                                                                   {"timezone", "UTC"},
                                                                   {"parameters", values}},
                                                                  "run_at"},
                                                                 {{{"device_ids", {m_device}},
                                                                   {"run_at", "2020-01-01T00:00:00Z"},
                                                                   {"timezone", "UTC"},
                                                                   {"parameters", values}},
                                                                  "has passed"},
                                                                 {{{"device_ids", {m_device}},
                                                                   {"run_at", soon},
                                                                   {"timezone", "UTC"},
                                                                   {"repeat", "hourly"},
                                                                   {"parameters", values}},
                                                                  "once, daily or weekly"},
                                                                 {{{"device_ids", {m_device}},
                                                                   {"run_at", soon},
                                                                   {"timezone", "UTC"},
                                                                   {"parameters", {{"WHO", "x"}}}},
                                                                  "TOKEN"}}) {
            const auto refused = m_api->post(path, body);
            QVERIFY2(refused.status == 400 && refused.errorMessage().find(words) != std::string::npos,
                     refused.raw.c_str());
        }
        // (its time counted from now: the refusals above may have taken a moment under the sanitizers)
        const auto once = m_api->post(
            path, {{"device_ids", {m_device}},
                   {"run_at", QDateTime::currentDateTimeUtc().addSecs(2).toString(Qt::ISODate).toStdString()},
                   {"timezone", "Europe/Berlin"},
                   {"parameters", values}});
        QCOMPARE(once.status, 201);
        QCOMPARE(once.body["parameters"]["TOKEN"], nlohmann::json("[redacted]"));
        const std::string scheduleId = once.body["id"];
        QCOMPARE(sql(QString("SELECT count(*) FROM script_schedules t WHERE t::text LIKE '%%1%'")
                         .arg(QString::fromStdString(secret))),
                 QString("0"));
        // Within seconds of its time the server makes the run, as its maker, and the schedule is done.
        nlohmann::json schedule;
        QTRY_VERIFY_WITH_TIMEOUT(
            (schedule = m_api->get("/api/v1/script-schedules?script=" + id).body["items"][0])["last_run_id"]
                .is_string(),
            20000);
        QVERIFY(schedule["next_run_at"].is_null());
        QVERIFY(schedule["last_error"].is_null());
        const auto executions =
            m_api->get("/api/v1/script-executions?run=" + schedule["last_run_id"].get<std::string>())
                .body["items"];
        QCOMPARE(executions.size(), std::size_t(1));
        const auto execution = waitForExecution(executions[0]["id"]);
        QCOMPARE(execution["stdout"].get<std::string>(), std::string("night owl\nsealed-ok\n"));
        QCOMPARE(execution["requested_by"].get<std::string>(), std::string("admin@scripts.test"));
        const auto audit = m_api->get("/api/v1/audit?limit=50&action=scripts.run").body["items"];
        QCOMPARE(audit[0]["address"], nlohmann::json("scheduler"));
        QCOMPARE(audit[0]["request_id"], nlohmann::json("schedule:" + scheduleId));
        QVERIFY(!m_server->logText().contains(QString::fromStdString(secret)));

        // Daily at 08:00 Berlin time stays 08:00 across the change to summer time; weekly keeps its weekday.
        QCOMPARE(sql("SELECT breeze_schedule_next('2026-03-27 08:00+01', 'daily', 'Europe/Berlin', "
                     "'2026-03-29 12:00+00') AT TIME ZONE 'Europe/Berlin'"),
                 QString("2026-03-30 08:00:00"));
        QCOMPARE(sql("SELECT breeze_schedule_next('2026-03-27 08:00+01', 'weekly', 'Europe/Berlin', "
                     "'2026-03-29 12:00+00')"),
                 QString("2026-04-03 06:00:00+00"));
        QCOMPARE(
            sql("SELECT breeze_schedule_next('2026-03-27 08:00+01', 'once', 'Europe/Berlin', now()) IS NULL"),
            QString("t"));
        // A repeating one whose first time has passed waits for its next; deleting it is audited.
        const auto daily = m_api->post(path, {{"site_id", m_site},
                                              {"run_at", "2026-01-05T03:00:00+00:00"},
                                              {"repeat", "daily"},
                                              {"timezone", "UTC"},
                                              {"parameters", values}});
        QCOMPARE(daily.status, 201);
        const QDateTime next =
            QDateTime::fromString(QString::fromStdString(daily.body["next_run_at"]), Qt::ISODate);
        QVERIFY(next > QDateTime::currentDateTimeUtc() && next <= QDateTime::currentDateTimeUtc().addDays(1));
        QCOMPARE(next.toUTC().time(), QTime(3, 0));
        QCOMPARE(m_api->del("/api/v1/script-schedules/" + daily.body["id"].get<std::string>()).status, 204);
        // A time without an offset is the schedule's own zone's: 08:00 in Berlin in June is 06:00 UTC.
        const auto local = m_api->post(path, {{"site_id", m_site},
                                              {"run_at", "2099-06-01T08:00:00"},
                                              {"timezone", "Europe/Berlin"},
                                              {"parameters", values}});
        QCOMPARE(
            QDateTime::fromString(QString::fromStdString(local.body["first_run_at"]), Qt::ISODate).toUTC(),
            QDateTime(QDate(2099, 6, 1), QTime(6, 0), Qt::UTC));
        QCOMPARE(m_api->del("/api/v1/script-schedules/" + local.body["id"].get<std::string>()).status, 204);
        QCOMPARE(m_api->del("/api/v1/script-schedules/" + daily.body["id"].get<std::string>()).status, 404);

        // A schedule has its maker's authority: once they are disabled it makes no run, and says why.
        const std::string maker = m_api
                                      ->post("/api/v1/users", {{"email", "night@scripts.test"},
                                                               {"password", "night shift password"},
                                                               {"role", "technician"}})
                                      .body["id"];
        auto technician = m_server->signIn("night@scripts.test", "night shift password");
        const auto theirs = technician->post(
            path, {{"device_ids", {m_device}},
                   {"run_at", QDateTime::currentDateTimeUtc().addSecs(3).toString(Qt::ISODate).toStdString()},
                   {"timezone", "UTC"},
                   {"parameters", values}});
        QCOMPARE(theirs.status, 201);
        QCOMPARE(m_api->patch("/api/v1/users/" + maker, {{"disabled", true}}).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(m_api->get("/api/v1/script-schedules?script=" + id)
                                         .raw.find("the person who made this schedule is disabled") !=
                                     std::string::npos,
                                 20000);
        // An API key cannot make one: there would be no person whose authority it has.
        const auto key =
            m_api->post("/api/v1/api-keys", {{"name", "cron"}, {"org_id", m_org}, {"role", "org-admin"}});
        auto keyed = m_server->client();
        keyed->setBearer(key.body["key"]);
        QCOMPARE(keyed
                     ->post(path, {{"device_ids", {m_device}},
                                   {"run_at", soon},
                                   {"timezone", "UTC"},
                                   {"parameters", values}})
                     .status,
                 403);
    }

    void timeoutStopsTheWholeTree() {
        // Children that escape the process group, ignore TERM, or double-fork: none may survive.
        const std::string content = "setsid sleep 1000 & echo $!\n"
                                    "(trap '' TERM; sleep 1001) & echo $!\n"
                                    "( sleep 1002 & echo $! ) \n"
                                    "echo $PWD\n"
                                    "sleep 1003\n";
        const std::string id = run(content, {{"timeout_seconds", 2}});
        const auto execution = waitForExecution(id, 30000);
        QCOMPARE(execution["status"].get<std::string>(), std::string("timed_out"));
        QVERIFY(execution["error"].get<std::string>().find("timeout of 2 s") != std::string::npos);
        const std::string out = execution["stdout"];
        const auto pids = numbersIn(out);
        QCOMPARE(pids.size(), std::size_t(3));
        for (long long pid : pids)
            QVERIFY2(!processAlive(pid), qPrintable(QString("process %1 survived").arg(pid)));
        const std::string directory =
            out.substr(out.find('/'), out.find('\n', out.find('/')) - out.find('/'));
        QVERIFY(QString::fromStdString(directory).contains("breeze-script-"));
        QVERIFY(!QDir(QString::fromStdString(directory)).exists());
        QVERIFY(sql("SELECT count(*) FROM pg_stat_activity").toInt() > 0); // the database is still there
    }

    void cancelStopsTheWholeTree() {
        const std::string id =
            run("setsid sleep 2000 & echo $!\n(trap '' TERM; sleep 2001) & echo $!\nsleep 2002\n");
        QTRY_VERIFY_WITH_TIMEOUT(
            numbersIn(*encoding::base64Decode(
                          m_api->get("/api/v1/commands/" + id + "/output").body["stdout"].get<std::string>()))
                    .size() == 2,
            15000);
        const std::string runId = m_api->get("/api/v1/script-executions/" + id).body["run_id"];
        const auto cancelled =
            m_api->post("/api/v1/script-runs/" + runId + "/cancel", nlohmann::json::object());
        QCOMPARE(cancelled.status, 200);
        QCOMPARE(cancelled.body["cancelled"].get<int>(), 1);
        const auto pids = numbersIn(stdoutOf(id));
        QCOMPARE(m_api->get("/api/v1/script-executions/" + id).body["status"].get<std::string>(),
                 std::string("cancelled"));
        for (long long pid : pids)
            QTRY_VERIFY2_WITH_TIMEOUT(!processAlive(pid), qPrintable(QString("process %1 survived").arg(pid)),
                                      10000);
    }

    void hugeOutputIsCappedAndMarked() {
        const auto execution =
            waitForExecution(run("head -c 3000000 /dev/zero | tr '\\0' a\necho small >&2\n"), 60000);
        QCOMPARE(execution["status"].get<std::string>(), std::string("completed"));
        QCOMPARE(execution["stdout"].get<std::string>().size(), std::size_t(kMiB));
        QCOMPARE(execution["stdout_truncated"].get<bool>(), true);
        QCOMPARE(execution["result"]["stdout_total_bytes"].get<long long>(), 3000000LL);
        QCOMPARE(execution["stderr"].get<std::string>(), std::string("small\n"));
        QCOMPARE(execution["stderr_truncated"].get<bool>(), false);
    }

    void bytesThatAreNotUtf8Survive() {
        const std::string bytes("\xff\xfe\x00\xc3\x28 ok\x80\n", 10);
        const auto execution = waitForExecution(run("printf '\\377\\376\\000\\303\\050 ok\\200\\n'\n"));
        QCOMPARE(execution["status"].get<std::string>(), std::string("completed"));
        QVERIFY(execution.contains("stdout_base64"));
        QCOMPARE(*encoding::base64Decode(execution["stdout_base64"].get<std::string>()), bytes);
        QCOMPARE(*encoding::base64Decode(
                     m_api->get("/api/v1/commands/" + execution["id"].get<std::string>() + "/output")
                         .body["stdout"]
                         .get<std::string>()),
                 bytes);
        QVERIFY(execution["stdout"].get<std::string>().find(" ok") != std::string::npos);
    }

    void refusesWhatTheDeviceCannotRun() {
        const bool hasPwsh = QFile::exists("/usr/bin/pwsh");
        const auto powershell =
            createScript({{"name", "PS"}, {"language", "powershell"}, {"content", "Get-Date"}});
        const auto response = startRun(powershell["id"], {});
        if (!hasPwsh) {
            QCOMPARE(response.status, 409);
            QVERIFY(response.raw.find("no interpreter for powershell") != std::string::npos);
        }
        const auto windowsOnly = createScript({{"name", "Win"}, {"os", {"windows"}}, {"content", "echo"}});
        const auto refused = startRun(windowsOnly["id"], {});
        QCOMPARE(refused.status, 409);
        QVERIFY(refused.raw.find("the script is for windows; this device runs linux") != std::string::npos);
        QCOMPARE(m_api->post("/api/v1/devices/" + m_device + "/commands", {{"type", "run_script"}}).status,
                 400);
    }

    void runsAsANamedLocalUser() {
        const auto execution = waitForExecution(run("id -un\necho $HOME $USER\n", {{"run_as", "nobody"}}));
        QCOMPARE(execution["status"].get<std::string>(), std::string("completed"));
        QCOMPARE(execution["stdout"].get<std::string>(), std::string("nobody\n/nonexistent nobody\n"));
        const auto missing = waitForExecution(run("id\n", {{"run_as", "no-such-user"}}));
        QCOMPARE(missing["status"].get<std::string>(), std::string("failed"));
        QVERIFY(missing["error"].get<std::string>().find("no local user \"no-such-user\"") !=
                std::string::npos);
    }

    void targetsSitesAndGroups() {
        const auto script = createScript({{"name", "Hostname"}, {"content", "hostname\n"}});
        const auto bySite = startRun(script["id"], {{"site_id", m_site}});
        QCOMPARE(bySite.status, 201);
        QCOMPARE(bySite.body["executions"].size(), std::size_t(1));
        QCOMPARE(bySite.body["run"]["targets"]["site_id"].get<std::string>(), m_site);
        const auto byGroup = startRun(script["id"], {{"group_id", m_group}});
        QCOMPARE(byGroup.status, 201);
        const auto execution = waitForExecution(byGroup.body["executions"][0]["id"]);
        QCOMPARE(execution["status"].get<std::string>(), std::string("completed"));
        const std::string runId = byGroup.body["run"]["id"];
        QTRY_COMPARE_WITH_TIMEOUT(
            m_api->get("/api/v1/script-runs/" + runId).body["statuses"]["completed"].get<int>(), 1, 5000);
        QCOMPARE(m_api->get("/api/v1/script-executions?run=" + runId).body["items"].size(), std::size_t(1));
        QCOMPARE(startRun(script["id"], {{"site_id", m_site}, {"group_id", m_group}}).status, 400);
        const std::string empty =
            m_api->post("/api/v1/sites", {{"org_id", m_org}, {"name", "Empty"}}).body["id"];
        QCOMPARE(startRun(script["id"], {{"site_id", empty}}).status, 409);
        // History filters: by script, by device, by status, by user.
        const std::string user = m_api->get("/api/v1/auth/me").body["id"];
        QVERIFY(m_api->get("/api/v1/script-executions?script=" + script["id"].get<std::string>())
                    .body["items"]
                    .size() >= 2);
        QVERIFY(!m_api->get("/api/v1/script-executions?device=" + m_device + "&status=completed&user=" + user)
                     .body["items"]
                     .empty());
        QCOMPARE(m_api->get("/api/v1/script-executions?status=exploded").status, 400);
    }

    void auditNamesVersionTargetsAndParameters() {
        const auto entries = m_api->get("/api/v1/audit?action=scripts.run&limit=100").body["items"];
        QVERIFY(!entries.empty());
        bool sawRedacted = false;
        for (const auto& entry : entries) {
            if (entry["result"] != "success")
                continue; // refused runs are audited too, with the reason
            QVERIFY(entry["details"].contains("version"));
            QVERIFY(entry["details"].contains("device_ids"));
            if (entry["details"]["parameters"].contains("PASSWORD"))
                sawRedacted = entry["details"]["parameters"]["PASSWORD"] == "[redacted]";
        }
        QVERIFY(sawRedacted);
    }

    void adminCliCreatesRunsAndFollows() {
        QTemporaryDir home;
        const std::string apiKey =
            m_api->post("/api/v1/api-keys", {{"name", "cli"}, {"org_id", m_org}, {"role", "org-admin"}})
                .body["key"];
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("BREEZE_ADMIN_CONFIG_DIR", home.path());
        env.insert("BREEZE_SERVER", QString::fromStdString(m_server->url()));
        env.insert("BREEZE_CA", QString::fromStdString(m_server->caFile()));
        env.insert("BREEZE_API_KEY", QString::fromStdString(apiKey));
        const auto admin = [&](const QStringList& args) {
            return test::ProgramRun::run("breeze-admin", args, {}, env);
        };
        QFile file(home.filePath("greet.sh"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("echo \"hello $WHO\"\necho oops >&2\nexit 2\n");
        file.close();
        const auto created =
            admin({"scripts", "create", "--org", "Fleet", "--name", "Greet", "--language", "bash", "--file",
                   file.fileName(), "--param", "WHO:string:required", "--timeout", "1m"});
        QVERIFY2(created.exitCode == 0, qPrintable(created.err));
        const auto followed =
            admin({"scripts", "run", "Greet", "--device", "scripts-01", "--param", "WHO=world", "--wait"});
        QCOMPARE(followed.exitCode, 1);
        QCOMPARE(followed.out, QString("hello world\n"));
        QVERIFY2(followed.err.contains("oops\n") && followed.err.contains(": failed (exit code 2)"),
                 qPrintable(followed.err));
        const auto json = admin(
            {"--json", "scripts", "run", "Greet", "--device", "scripts-01", "--param", "WHO=json", "--wait"});
        const auto result = json.json()["results"][0];
        QCOMPARE(result["exit_code"].get<int>(), 2);
        QCOMPARE(result["stdout"].get<std::string>(), std::string("hello json\n"));
        QCOMPARE(result["stderr"].get<std::string>(), std::string("oops\n"));
        QCOMPARE(result["status"].get<std::string>(), std::string("failed"));
        QCOMPARE(admin({"scripts", "run", "Greet", "--device", "scripts-01", "--param", "NOPE=1"}).exitCode,
                 1);

        file.open(QIODevice::WriteOnly);
        file.write("echo \"bye $WHO\"\n");
        file.close();
        QCOMPARE(
            admin({"scripts", "update", "Greet", "--file", file.fileName(), "--note", "friendlier"}).exitCode,
            0);
        const auto versions = admin({"--json", "scripts", "versions", "Greet"}).json()["items"];
        QCOMPARE(versions.size(), std::size_t(2));
        QCOMPARE(versions[0]["note"].get<std::string>(), std::string("friendlier"));
        const auto ok = admin({"scripts", "run", "Greet", "--site", "HQ", "--param", "WHO=site", "--wait"});
        QCOMPARE(ok.exitCode, 0);
        QCOMPARE(ok.out, QString("bye site\n"));
        QVERIFY(admin({"scripts", "show", "Greet", "--version", "1"}).out.contains("exit 2"));
        QCOMPARE(admin({"scripts", "restore", "Greet", "1"}).exitCode, 0);
        const auto history = admin({"scripts", "executions", "--script", "Greet"}).out;
        QCOMPARE(history.count("Greet"), 3);
        // An organisation's key cannot add to the partner-wide library.
        const auto partnerWide =
            admin({"scripts", "create", "--name", "Global", "--language", "sh", "--file", file.fileName()});
        QCOMPARE(partnerWide.exitCode, 1);
        QVERIFY(partnerWide.err.contains("partner-wide"));
    }
};

QTEST_GUILESS_MAIN(TestScripts)
#include "TestScripts.moc"
