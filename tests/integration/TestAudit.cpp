// The audit log records every mutation and auth event with actor, address, resource and result; it is
// append-only for the server's role, and its hash chain exposes any row changed or removed afterwards.
#include "TestPostgres.h"
#include "TestServer.h"

#include <QtTest>
#include <pqxx/pqxx>

using namespace breeze;

class TestAudit final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;

    struct Stack {
        std::unique_ptr<test::TestServer> server;
        std::unique_ptr<net::RestClient> api;
    };

    Stack makeStack(const QString& name) {
        Stack stack;
        stack.server = std::make_unique<test::TestServer>(*m_postgres, name);
        const auto admin =
            stack.server->bootstrap("admin@" + name.toStdString() + ".test", "Audit MSP", false);
        stack.api = stack.server->signIn(admin.email, admin.password, admin.totpSecret);
        return stack;
    }

    static nlohmann::json findEntry(net::RestClient& api, const std::string& action,
                                    const std::string& resourceId) {
        const auto page = api.get("/api/v1/audit?limit=500&action=" + action);
        for (const auto& entry : page.body["items"]) {
            if (resourceId.empty() || entry["resource_id"] == resourceId)
                return entry;
        }
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase() { m_postgres = std::make_unique<test::TestPostgres>(); }

    void everyMutationIsRecordedWithItsActorAndAddress() {
        auto stack = makeStack("audit_record");
        auto& api = *stack.api;
        api.setHeader("X-Request-Id", "trace-me-123");
        const std::string org = api.post("/api/v1/orgs", {{"name", "Audited"}}).body["id"];
        const std::string site = api.post("/api/v1/sites", {{"org_id", org}, {"name", "HQ"}}).body["id"];
        QCOMPARE(api.patch("/api/v1/sites/" + site, {{"name", "Head office"}}).status, 200);
        const std::string key =
            api.post("/api/v1/enrollment-keys", {{"site_id", site}, {"expires_in_seconds", 600}}).body["id"];
        QCOMPARE(api.del("/api/v1/enrollment-keys/" + key).status, 204);
        QCOMPARE(api.del("/api/v1/sites/" + site).status, 204);

        for (const auto& [action, resource] :
             std::vector<std::pair<std::string, std::string>>{{"orgs.create", org},
                                                              {"sites.create", site},
                                                              {"sites.update", site},
                                                              {"enrollment_keys.create", key},
                                                              {"enrollment_keys.revoke", key},
                                                              {"sites.delete", site}}) {
            const auto entry = findEntry(api, action, resource);
            QVERIFY2(!entry.is_null(), action.c_str());
            QCOMPARE(entry["actor_label"].get<std::string>(), std::string("admin@audit_record.test"));
            QCOMPARE(entry["actor_type"].get<std::string>(), std::string("user"));
            QCOMPARE(entry["address"].get<std::string>(), std::string("127.0.0.1"));
            QCOMPARE(entry["request_id"].get<std::string>(), std::string("trace-me-123"));
            QCOMPARE(entry["result"].get<std::string>(), std::string("success"));
            QCOMPARE(entry["org_id"].get<std::string>(), org);
        }
        QCOMPARE(findEntry(api, "sites.update", site)["details"]["name"].get<std::string>(),
                 std::string("Head office"));
        // Secrets never reach the audit log.
        QVERIFY(api.get("/api/v1/audit?limit=500").raw.find("enr_") == std::string::npos);
    }

    // The log names what each entry is about as it is called now; a resource that is gone keeps the name the
    // entry recorded, or its id.
    void entriesNameTheirResources() {
        auto stack = makeStack("audit_names");
        auto& api = *stack.api;
        const std::string org = api.post("/api/v1/orgs", {{"name", "Named"}}).body["id"];
        QCOMPARE(api.patch("/api/v1/orgs/" + org, {{"name", "Renamed"}}).status, 200);
        const std::string site = api.post("/api/v1/sites", {{"org_id", org}, {"name", "Depot"}}).body["id"];
        const std::string user = api.post("/api/v1/users", {{"email", "named@audit.test"},
                                                            {"password", "a long enough password"},
                                                            {"org_id", org},
                                                            {"role", "technician"}})
                                     .body["id"];
        QCOMPARE(findEntry(api, "orgs.create", org)["resource_name"], nlohmann::json("Renamed"));
        QCOMPARE(findEntry(api, "users.create", user)["resource_name"], nlohmann::json("named@audit.test"));
        QCOMPARE(api.patch("/api/v1/sites/" + site, {{"name", "Old depot"}}).status, 200);
        QCOMPARE(api.del("/api/v1/sites/" + site).status, 204);
        // Gone: each entry keeps the name it recorded; an entry that recorded none shows the id.
        QCOMPARE(findEntry(api, "sites.create", site)["resource_name"], nlohmann::json("Depot"));
        QCOMPARE(findEntry(api, "sites.update", site)["resource_name"], nlohmann::json("Old depot"));
        QCOMPARE(findEntry(api, "sites.delete", site)["resource_name"], nlohmann::json(site));
    }

    void authEventsAndRefusalsAreRecordedToo() {
        auto stack = makeStack("audit_auth");
        auto& api = *stack.api;
        auto anonymous = stack.server->client();
        QCOMPARE(anonymous
                     ->post("/api/v1/auth/login",
                            {{"email", "admin@audit_auth.test"}, {"password", "wrong password"}})
                     .status,
                 401);
        QCOMPARE(
            anonymous->post("/api/v1/auth/login", {{"email", "ghost@audit_auth.test"}, {"password", "x"}})
                .status,
            401);
        const auto failures = api.get("/api/v1/audit?action=auth.login&result=failure");
        QCOMPARE(failures.body["items"].size(),
                 std::size_t(1)); // the unknown e-mail has no partner to file it under
        QCOMPARE(failures.body["items"][0]["details"]["reason"].get<std::string>(),
                 std::string("wrong password"));
        QVERIFY(!findEntry(api, "auth.login", "").is_null());

        // A refused mutation: a read-only user tries to create an organisation.
        QCOMPARE(api.post("/api/v1/users", {{"email", "ro@audit_auth.test"},
                                            {"password", "read only password"},
                                            {"role", "read-only"}})
                     .status,
                 201);
        auto readOnly = stack.server->signIn("ro@audit_auth.test", "read only password");
        QCOMPARE(readOnly->post("/api/v1/orgs", {{"name", "Nope"}}).status, 403);
        const auto denied = api.get("/api/v1/audit?action=orgs.create&result=denied");
        QCOMPARE(denied.body["items"].size(), std::size_t(1));
        QCOMPARE(denied.body["items"][0]["actor_label"].get<std::string>(),
                 std::string("ro@audit_auth.test"));
        QCOMPARE(denied.body["items"][0]["details"]["status"].get<int>(), 403);
        // Filters and cursor pagination over the log.
        const auto firstPage = api.get("/api/v1/audit?limit=2");
        QCOMPARE(firstPage.body["items"].size(), std::size_t(2));
        const std::string cursor = firstPage.body["next_cursor"];
        const auto secondPage = api.get("/api/v1/audit?limit=2&cursor=" + cursor);
        QVERIFY(secondPage.body["items"][0]["id"].get<long long>() <
                firstPage.body["items"][1]["id"].get<long long>());
        QCOMPARE(api.get("/api/v1/audit?result=maybe").status, 400);
        QCOMPARE(api.get("/api/v1/audit?since=yesterday").status, 400);
        QCOMPARE(api.get("/api/v1/audit?since=2999-01-01T00:00:00Z").body["items"].size(), std::size_t(0));
    }

    void anonymousNoiseIsSampledWhileRealAttemptsAreEachRecorded() {
        auto stack = makeStack("audit_noise");
        auto anonymous = stack.server->client();
        auto badKey = stack.server->client();
        badKey->setBearer("brz_not_a_key_at_all");
        constexpr int kEach = 20; // below the address's sign-in limit (30)
        for (int i = 0; i < kEach; ++i) {
            QCOMPARE(badKey->get("/api/v1/orgs").status, 401);
            QCOMPARE(anonymous->post("/api/v1/auth/refresh", {{"refresh_token", "never issued"}}).status,
                     401);
            QCOMPARE(
                anonymous->sendRaw("POST", "/api/v1/auth/login", "{\"email\":", "application/json").status,
                400);
            QCOMPARE(anonymous
                         ->post("/api/v1/auth/login",
                                {{"email", "ghost" + std::to_string(i) + "@noise.test"}, {"password", "x"}})
                         .status,
                     401);
            QCOMPARE(anonymous->post("/api/v1/agent/enroll", {{"key", "enr_never_issued"}, {"identity", "x"}})
                         .status,
                     401);
        }
        // A real account's failed sign-ins are each one row.
        for (int i = 0; i < 3; ++i)
            QCOMPARE(anonymous
                         ->post("/api/v1/auth/login",
                                {{"email", "admin@audit_noise.test"}, {"password", "wrong password"}})
                         .status,
                     401);
        const auto rows = [&](const QString& where) {
            return m_postgres->superuserSql("audit_noise", "SELECT count(*) FROM audit_log WHERE " + where)
                .trimmed()
                .toInt();
        };
        // One row per kind and minute (two if the loop straddled a minute), each marked as a sample.
        for (const QString action : {"auth.api_key", "auth.refresh", "devices.enroll"}) {
            const int written = rows("action = '" + action + "'");
            QVERIFY2(written >= 1 && written <= 2, qPrintable(action + ": " + QString::number(written)));
        }
        const int ghost = rows("action = 'auth.login' AND details->>'reason' = 'unknown e-mail'");
        QVERIFY2(ghost >= 1 && ghost <= 2, qPrintable(QString::number(ghost)));
        const int malformed = rows("action = 'auth.login' AND details->>'error' = 'invalid_request'");
        QVERIFY2(malformed >= 1 && malformed <= 2, qPrintable(QString::number(malformed)));
        QCOMPARE(rows("actor_type = 'anonymous' AND action <> 'auth.login' AND NOT (details ? 'sampled')"),
                 0);
        QCOMPARE(rows("action = 'auth.login' AND details->>'reason' = 'wrong password'"), 3);
        // What was not written was counted.
        const auto metrics = stack.server->client()->get("/metrics").raw;
        const auto at = metrics.find("\nbreeze_audit_noise_suppressed_total ");
        QVERIFY2(at != std::string::npos, metrics.c_str());
        QVERIFY(std::stoll(metrics.substr(at + 37)) >= 5 * kEach - 10);
        // The chain is still whole.
        QCOMPARE(stack.api->get("/api/v1/audit/verify").body["intact"], true);
    }

    void theServerRoleCannotChangeTheLog() {
        auto stack = makeStack("audit_append");
        pqxx::connection connection(stack.server->databaseUrl().toStdString());
        for (const char* statement :
             {"UPDATE audit_log SET result = 'success'", "DELETE FROM audit_log", "TRUNCATE audit_log"}) {
            pqxx::work tx(connection);
            tx.exec("SELECT set_config('breeze.system', 'on', true)");
            QVERIFY_THROWS_EXCEPTION(pqxx::sql_error, tx.exec(statement));
        }
    }

    void aChangedEntryBreaksTheChain() {
        auto stack = makeStack("audit_tamper");
        auto& api = *stack.api;
        for (int i = 0; i < 3; ++i)
            api.post("/api/v1/orgs", {{"name", "Org " + std::to_string(i)}});
        auto verdict = api.get("/api/v1/audit/verify");
        QCOMPARE(verdict.body["intact"].get<bool>(), true);
        QVERIFY(stack.server->runCli({"audit", "verify"}).contains("audit log intact"));

        const std::string victim = findEntry(api, "orgs.create", "")["id"].dump();
        m_postgres->superuserSql("audit_tamper",
                                 "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; "
                                 "UPDATE audit_log SET details = '{\"name\": \"Innocent\"}' WHERE id = " +
                                     QString::fromStdString(victim) +
                                     "; ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;");
        verdict = api.get("/api/v1/audit/verify");
        QCOMPARE(verdict.body["intact"].get<bool>(), false);
        QCOMPARE(verdict.body["first_bad_id"].dump(), victim);
        int exitCode = 0;
        const QString output = stack.server->runCli({"audit", "verify"}, &exitCode);
        QCOMPARE(exitCode, 3);
        QVERIFY(output.contains("TAMPERED: the chain breaks at entry " + QString::fromStdString(victim)));
    }

    void aRemovedEntryBreaksTheChain() {
        auto stack = makeStack("audit_remove");
        auto& api = *stack.api;
        for (int i = 0; i < 3; ++i)
            api.post("/api/v1/orgs", {{"name", "Org " + std::to_string(i)}});
        const auto entries = api.get("/api/v1/audit?action=orgs.create").body["items"];
        const long long middle = entries[1]["id"];
        m_postgres->superuserSql("audit_remove",
                                 "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; "
                                 "DELETE FROM audit_log WHERE id = " +
                                     QString::number(middle) +
                                     "; ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;");
        const auto verdict = api.get("/api/v1/audit/verify");
        QCOMPARE(verdict.body["intact"].get<bool>(), false);
        QCOMPARE(verdict.body["first_bad_id"].get<long long>(),
                 middle + 1); // the next entry no longer links up
    }

    void cleanupTestCase() { m_postgres.reset(); }
};

QTEST_GUILESS_MAIN(TestAudit)
#include "TestAudit.moc"
