// Enrollment keys buy device records: once per machine, refused with a clear error and an audit entry when
// the key is revoked, expired or used up, and never half-created.
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestServer.h"

#include <QtTest>

using namespace breeze;

class TestEnrollment final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_api = nullptr;
    std::string m_org, m_site;

    std::pair<std::string, std::string> makeKey(const nlohmann::json& extra = nlohmann::json::object()) {
        nlohmann::json body = {{"site_id", m_site}, {"expires_in_seconds", 3600}};
        body.update(extra);
        const auto response = m_api->post("/api/v1/enrollment-keys", body);
        return {response.body["id"], response.body["key"]};
    }

    net::RestResponse enroll(const std::string& key, const std::string& identity,
                             const std::string& credential = {}) {
        nlohmann::json body{{"key", key},
                            {"identity", identity},
                            {"hostname", identity + ".example"},
                            {"os", "Debian GNU/Linux 12"},
                            {"agent_version", "0.1.0"}};
        if (!credential.empty())
            body["credential"] = credential;
        return m_server->client()->post("/api/v1/agent/enroll", body);
    }

    std::size_t deviceCount() { return m_api->get("/api/v1/devices?org=" + m_org).body["items"].size(); }

    nlohmann::json lastAudit(const std::string& action) {
        return m_api->get("/api/v1/audit?limit=1&action=" + action).body["items"][0];
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(*m_postgres, "enrollment", "admin@enroll.test",
                                                    "Enroll MSP", "Fleet", "Depot");
        m_server = m_fleet->server.get();
        m_api = m_fleet->api.get();
        m_org = m_fleet->org;
        m_site = m_fleet->site;
    }

    void aKeyBuysADeviceAndACredential() {
        const auto [keyId, key] = makeKey();
        const auto response = enroll(key, "machine-0001");
        QCOMPARE(response.status, 201);
        QVERIFY(response.body["credential"].get<std::string>().starts_with("dev_"));
        QCOMPARE(response.body["site_id"].get<std::string>(), m_site);
        QCOMPARE(response.body["approval"].get<std::string>(), std::string("approved"));
        const std::string deviceId = response.body["device_id"];
        const auto device = m_api->get("/api/v1/devices/" + deviceId);
        QCOMPARE(device.body["hostname"].get<std::string>(), std::string("machine-0001.example"));
        QCOMPARE(device.body["status"].get<std::string>(), std::string("offline"));
        QVERIFY(device.raw.find(response.body["credential"].get<std::string>()) == std::string::npos);
        QCOMPARE(m_api->get("/api/v1/enrollment-keys/" + keyId).body["uses"].get<int>(), 1);
        const auto audit = lastAudit("devices.enroll");
        QCOMPARE(audit["resource_id"].get<std::string>(), deviceId);
        QCOMPARE(audit["actor_type"].get<std::string>(), std::string("agent"));
        QCOMPARE(audit["result"].get<std::string>(), std::string("success"));
    }

    void theSameMachineKeepsItsRecord() {
        // Enrolling again with the credential it holds proves it is the device: at once, same record.
        const auto [keyId, key] = makeKey();
        const auto first = enroll(key, "machine-0002");
        const auto second = enroll(key, "machine-0002", first.body["credential"]);
        QCOMPARE(second.status, 201);
        QCOMPARE(second.body["device_id"], first.body["device_id"]);
        QVERIFY(second.body["credential"] != first.body["credential"]);
        QCOMPARE(m_api->get("/api/v1/enrollment-keys/" + keyId).body["uses"].get<int>(), 2);
        QCOMPARE(lastAudit("devices.enroll")["details"]["reenrolled"].get<bool>(), true);
        // A wrong credential is no proof.
        const auto third = enroll(key, "machine-0002", "dev_not_the_credential");
        QCOMPARE(third.status, 202);
        QCOMPARE(third.body["approval"].get<std::string>(), std::string("pending"));
        QCOMPARE(m_api->del("/api/v1/devices/" + first.body["device_id"].get<std::string>() + "/reenrollment")
                     .status,
                 200);
    }

    void anotherMachineCannotTakeAnIdentityOver() {
        // The identity is shown in the console: anyone with any key of the organisation could send it.
        const auto [ownKeyId, ownKey] = makeKey();
        const auto owner = enroll(ownKey, "machine-0003");
        QCOMPARE(owner.status, 201);
        const std::string deviceId = owner.body["device_id"];
        const std::string otherSite =
            m_api->post("/api/v1/sites", {{"org_id", m_org}, {"name", "Elsewhere"}}).body["id"];
        const auto [keyId, key] = makeKey({{"site_id", otherSite}});
        const auto thief = enroll(key, "machine-0003");
        QCOMPARE(thief.status, 202);
        QCOMPARE(thief.body["approval"].get<std::string>(), std::string("pending"));
        QCOMPARE(thief.body["device_id"].get<std::string>(), deviceId);
        // The device is untouched: same site, same host name, its own credential still the one that works.
        auto device = m_api->get("/api/v1/devices/" + deviceId).body;
        QCOMPARE(device["site_id"].get<std::string>(), m_site);
        QCOMPARE(device["approval"].get<std::string>(), std::string("approved"));
        QCOMPARE(device["reenrollment"]["site_id"].get<std::string>(), otherSite);
        QCOMPARE(device["reenrollment"]["hostname"].get<std::string>(), std::string("machine-0003.example"));
        QVERIFY(device.dump().find(thief.body["credential"].get<std::string>()) == std::string::npos);
        // It is listed with the devices waiting for approval.
        bool listed = false;
        const auto pending = m_api->get("/api/v1/devices?approval=pending").body;
        for (const auto& item : pending["items"])
            listed = listed || item["id"] == deviceId;
        QVERIFY(listed);
        QCOMPARE(lastAudit("devices.enroll")["details"]["reenrollment"].get<std::string>(),
                 std::string("awaiting approval"));
        // Refused: the request is gone and the device as it was.
        QCOMPARE(m_api->del("/api/v1/devices/" + deviceId + "/reenrollment").status, 200);
        device = m_api->get("/api/v1/devices/" + deviceId).body;
        QVERIFY(device["reenrollment"].is_null());
        // Asked again and approved: the machine takes the device over, where the device was.
        const auto again = enroll(key, "machine-0003");
        QCOMPARE(again.status, 202);
        QCOMPARE(m_api->post("/api/v1/devices/" + deviceId + "/approve", nlohmann::json::object()).status,
                 200);
        QCOMPARE(lastAudit("devices.approve")["details"]["takeover"], true);
        const auto events = m_api->get("/api/v1/devices/" + deviceId + "/events?kind=approved").body;
        QCOMPARE(events["items"].at(0)["detail"]["takeover"], true);
        device = m_api->get("/api/v1/devices/" + deviceId).body;
        QVERIFY(device["reenrollment"].is_null());
        QCOMPARE(device["site_id"].get<std::string>(), m_site);
        // The approved machine's credential is the device's now: it proves the next enrollment itself.
        QCOMPARE(enroll(key, "machine-0003", again.body["credential"]).status, 201);
        QCOMPARE(enroll(ownKey, "machine-0003", owner.body["credential"]).status, 202);
        QCOMPARE(m_api->del("/api/v1/devices/" + deviceId + "/reenrollment").status, 200);
    }

    void usedUpExpiredRevokedAndUnknownKeysAreRefused() {
        const std::size_t before = deviceCount();
        const auto [onceId, once] = makeKey({{"max_uses", 1}});
        QCOMPARE(enroll(once, "machine-0100").status, 201);
        const auto usedUp = enroll(once, "machine-0101");
        QCOMPARE(usedUp.status, 403);
        QCOMPARE(usedUp.errorCode(), std::string("enrollment_key_used_up"));
        QCOMPARE(lastAudit("devices.enroll")["details"]["reason"].get<std::string>(),
                 std::string("enrollment key used up"));

        const auto [revokedId, revoked] = makeKey();
        QCOMPARE(m_api->del("/api/v1/enrollment-keys/" + revokedId).status, 204);
        QCOMPARE(enroll(revoked, "machine-0102").errorCode(), std::string("enrollment_key_revoked"));

        const auto [expiredId, expired] = makeKey();
        m_postgres->superuserSql(
            "enrollment", "UPDATE enrollment_keys SET expires_at = now() - interval '1 second' WHERE id = '" +
                              QString::fromStdString(expiredId) + "'");
        const auto late = enroll(expired, "machine-0103");
        QCOMPARE(late.status, 403);
        QCOMPARE(late.errorCode(), std::string("enrollment_key_expired"));
        QCOMPARE(lastAudit("devices.enroll")["result"].get<std::string>(), std::string("failure"));

        QCOMPARE(enroll("enr_made_up", "machine-0104").errorCode(), std::string("invalid_enrollment_key"));
        // Only the one good redemption left a device behind, and the refused keys were not counted.
        QCOMPARE(deviceCount(), before + 1);
        QCOMPARE(m_api->get("/api/v1/enrollment-keys/" + onceId).body["uses"].get<int>(), 1);
        QCOMPARE(m_api->get("/api/v1/enrollment-keys/" + revokedId).body["uses"].get<int>(), 0);
    }

    void agentInputIsChecked() {
        const auto [keyId, key] = makeKey();
        QCOMPARE(m_server->client()->post("/api/v1/agent/enroll", {{"key", key}}).status, 400);
        QCOMPARE(enroll(key, "bad\nidentity").status, 400);
        QCOMPARE(enroll(key, std::string(201, 'x')).status, 400);
        QCOMPARE(m_server->client()
                     ->post("/api/v1/agent/enroll", {{"key", key}, {"identity", "x"}, {"admin", true}})
                     .status,
                 400);
        QCOMPARE(m_api->get("/api/v1/enrollment-keys/" + keyId).body["uses"].get<int>(), 0);
    }

    void approvalQueueHoldsNewDevices() {
        QCOMPARE(m_api->patch("/api/v1/orgs/" + m_org, {{"require_device_approval", true}}).status, 200);
        const auto [keyId, key] = makeKey();
        const auto pending = enroll(key, "machine-0200");
        QCOMPARE(pending.body["approval"].get<std::string>(), std::string("pending"));
        const std::string deviceId = pending.body["device_id"];
        const auto queue = m_api->get("/api/v1/devices?approval=pending");
        QCOMPARE(queue.body["items"].size(), std::size_t(1));
        QCOMPARE(queue.body["items"][0]["id"].get<std::string>(), deviceId);
        const auto approved =
            m_api->post("/api/v1/devices/" + deviceId + "/approve", nlohmann::json::object());
        QCOMPARE(approved.body["approval"].get<std::string>(), std::string("approved"));
        QCOMPARE(lastAudit("devices.approve")["resource_id"].get<std::string>(), deviceId);
        const auto approvedEvents = m_api->get("/api/v1/devices/" + deviceId + "/events?kind=approved").body;
        QCOMPARE(approvedEvents["items"].at(0)["detail"]["takeover"], false);
        // Machines approved once stay approved when they enroll again.
        QCOMPARE(enroll(key, "machine-0200", pending.body["credential"]).body["approval"].get<std::string>(),
                 std::string("approved"));
        QCOMPARE(m_api->patch("/api/v1/orgs/" + m_org, {{"require_device_approval", false}}).status, 200);
    }

    void aRevokedDeviceStaysOutUntilDeleted() {
        const auto [keyId, key] = makeKey();
        const std::string deviceId = enroll(key, "machine-0300").body["device_id"];
        const auto revoked = m_api->post("/api/v1/devices/" + deviceId + "/revoke", nlohmann::json::object());
        QCOMPARE(revoked.status, 200);
        QVERIFY(!revoked.body["revoked_at"].is_null());
        const auto again = enroll(key, "machine-0300");
        QCOMPARE(again.status, 403);
        QCOMPARE(again.errorCode(), std::string("device_revoked"));
        QCOMPARE(m_api->del("/api/v1/devices/" + deviceId).status, 204);
        QCOMPARE(m_api->get("/api/v1/devices/" + deviceId).status, 404);
        const auto fresh = enroll(key, "machine-0300");
        QCOMPARE(fresh.status, 201);
        QVERIFY(fresh.body["device_id"] != deviceId);
    }

    void cleanupTestCase() {
        m_fleet.reset();
        m_postgres.reset();
    }
};

QTEST_GUILESS_MAIN(TestEnrollment)
#include "TestEnrollment.moc"
