// A hostile agent written from raw bytes: its frames and JSON are put together by hand here, not by the
// project's encoder, so it can send what no Breeze agent would. It sends NUL and invalid UTF-8 in every
// string field, overlapping and repeated output chunks, output after its command finished, floods, and it
// enrols under another device's identity. Beside it an honest agent reports; its data must be complete and
// its device untouched.
#include "TestFleet.h"
#include "TestPostgres.h"
#include "net/WebSocketConnector.h"

#include <QtTest>
#include <poll.h>

using namespace breeze;
using namespace std::chrono_literals;

namespace {
// A masked client text frame (RFC 6455 §5.2), by hand.
std::string rawFrame(const std::string& payload) {
    std::string frame;
    frame += static_cast<char>(0x81);
    if (payload.size() < 126) {
        frame += static_cast<char>(0x80 | payload.size());
    } else {
        frame += static_cast<char>(0x80 | 126);
        frame += static_cast<char>((payload.size() >> 8) & 0xFF);
        frame += static_cast<char>(payload.size() & 0xFF);
    }
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    frame.append(mask, 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        frame += static_cast<char>(payload[i] ^ mask[i % 4]);
    return frame;
}

// One connection spoken to in raw frames; replies are read with a minimal parser of unmasked server frames.
class RawAgent {
public:
    RawAgent(const test::TestServer& server, net::SslContextPtr tls, const std::string& credential) {
        net::WebSocketTarget target;
        target.host = "localhost";
        target.port = static_cast<unsigned short>(server.gatewayPort());
        target.path = "/api/v1/agent/ws";
        target.headers["Authorization"] = "Bearer " + credential;
        auto upgraded = net::connectWebSocket(target, tls.get(), 10s);
        m_tls = std::move(upgraded.connection);
        m_input = upgraded.earlyBytes;
        m_context = std::move(tls);
    }

    void send(const std::string& json) { m_output += rawFrame(json); }

    // Writes what is queued and reads until `done` says so or the time is up; false when the server closed.
    bool exchange(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            while (!m_output.empty()) {
                const auto written = m_tls->write(m_output.data(), m_output.size());
                if (written.io == net::TlsConnection::Io::WouldBlock)
                    break;
                if (written.io != net::TlsConnection::Io::Ok)
                    return false;
                m_output.erase(0, written.bytes);
            }
            char buffer[16384];
            for (;;) {
                const auto got = m_tls->read(buffer, sizeof buffer);
                if (got.io == net::TlsConnection::Io::WouldBlock)
                    break;
                if (got.io != net::TlsConnection::Io::Ok)
                    return false;
                m_input.append(buffer, got.bytes);
            }
            if (!parse())
                return false;
            if (done())
                return true;
            pollfd p{m_tls->fd(), static_cast<short>(POLLIN | (m_output.empty() ? 0 : POLLOUT)), 0};
            ::poll(&p, 1, 20);
        }
        return true;
    }

    std::vector<nlohmann::json> messages;

    const nlohmann::json* ack(const std::string& id) const {
        for (const auto& message : messages)
            if (message.value("type", "") == "ack" && message.value("id", "") == id)
                return &message;
        return nullptr;
    }
    std::size_t count(const std::string& type) const {
        return static_cast<std::size_t>(std::count_if(
            messages.begin(), messages.end(), [&](const auto& m) { return m.value("type", "") == type; }));
    }

private:
    bool parse() {
        for (;;) {
            if (m_input.size() < 2)
                return true;
            const auto opcode = static_cast<unsigned char>(m_input[0]) & 0x0F;
            std::size_t length = static_cast<unsigned char>(m_input[1]) & 0x7F;
            std::size_t header = 2;
            if (length == 126) {
                if (m_input.size() < 4)
                    return true;
                length = (static_cast<std::size_t>(static_cast<unsigned char>(m_input[2])) << 8) |
                         static_cast<unsigned char>(m_input[3]);
                header = 4;
            } else if (length == 127) {
                if (m_input.size() < 10)
                    return true;
                length = 0;
                for (int i = 2; i < 10; ++i)
                    length = (length << 8) | static_cast<unsigned char>(m_input[static_cast<std::size_t>(i)]);
                header = 10;
            }
            if (m_input.size() < header + length)
                return true;
            const std::string payload = m_input.substr(header, length);
            m_input.erase(0, header + length);
            if (opcode == 0x8)
                return false;
            if (opcode == 0x1)
                messages.push_back(nlohmann::json::parse(payload));
        }
    }

    std::unique_ptr<net::TlsConnection> m_tls;
    net::SslContextPtr m_context;
    std::string m_input;
    std::string m_output;
};

std::string heartbeatJson(const std::string& id, const std::string& user, const std::string& mount = "/",
                          const std::string& nic = "eth0", const std::string& fsType = "ext4") {
    // Samples are stored once per time they were taken: each gets its own second, going back from the start.
    static const long long start = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
    static long long sequence = 0;
    const long long now = start - 1000 * ++sequence;
    return R"({"v":1,"type":"heartbeat","id":")" + id + R"(","sampled_at_ms":)" + std::to_string(now) +
           R"(,"cpu_percent":5,"load":{"1":0.1,"5":0.1,"15":0.1},"memory":{"total_bytes":100,"used_bytes":50},)"
           R"("process_count":10,"uptime_seconds":100,"users":[")" +
           user + R"("],"filesystems":[{"mount":")" + mount + R"(","fs_type":")" + fsType +
           R"(","total_bytes":100,"used_bytes":10}],"interfaces":[{"name":")" + nic +
           R"(","rx_bytes":1,"tx_bytes":2}]})";
}
} // namespace

class TestHostileAgent final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_api = nullptr;
    net::SslContextPtr m_tls;

    long long sql(const std::string& query) {
        return m_postgres->superuserSql("hostile_agent", QString::fromStdString(query))
            .trimmed()
            .toLongLong();
    }

    nlohmann::json enroll(const std::string& identity) { return m_fleet->enroll(identity); }

    static std::string hello() {
        return R"({"v":1,"type":"hello","agent_version":"raw","platform":"linux"})";
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(*m_postgres, "hostile_agent", "admin@hostile.test",
                                                    "Hostile MSP", "Targets", "Yard");
        m_server = m_fleet->server.get();
        m_api = m_fleet->api.get();
        m_tls = net::makeClientSslContext(m_server->caFile());
    }

    void badStringsCostOnlyTheirSender() {
        const auto honestDevice = enroll("honest-01");
        const auto hostileDevice = enroll("hostile-01");
        RawAgent honest(*m_server, m_tls, honestDevice["credential"]);
        RawAgent hostile(*m_server, m_tls, hostileDevice["credential"]);
        honest.send(hello());
        hostile.send(hello());
        // NUL (as JSON's \u0000) and hidden characters in every string field a heartbeat has; each refused.
        const std::vector<std::string> bad = {
            heartbeatJson("b1", "root\\u0000x"),
            heartbeatJson("b2", "ro\\u202eot"),
            heartbeatJson("b3", "root", "/\\u0000"),
            heartbeatJson("b4", "root", "/", "eth\\u0000"),
            heartbeatJson("b5", "root", "/", "eth\\u0007"),
            heartbeatJson("b6", "root", "/", "eth0", "ext\\u0000"),
            R"({"v":1,"type":"inventory","id":"b7","section":"software","collected_at_ms":1,"data":[{"name":"pkg\u0000","version":"1"}]})",
            R"({"v":1,"type":"inventory","id":"b8","section":"os","collected_at_ms":1,"data":{"name":"x\u0000"}})",
            R"({"v":1,"type":"command.update","id":"b9","command_id":"00000000-0000-4000-8000-000000000001","status":"failed","error":"bad\u0000"})",
            R"({"v":1,"type":"command.update","id":"b10","command_id":"00000000-0000-4000-8000-000000000001","status":"completed","output":{"k":"v\u0000"}})",
            R"({"v":1,"type":"hello","agent_version":"x\u0000"})",
        };
        for (const auto& message : bad)
            hostile.send(message);
        // Invalid UTF-8 as raw bytes, in a string and in a key: the message cannot even be read.
        hostile.send(heartbeatJson("b11", "r\xff"));
        hostile.send(heartbeatJson("b12", "\xed\xa0\x80"));
        for (int i = 0; i < 5; ++i)
            honest.send(heartbeatJson("h" + std::to_string(i), "alice", "/home", "eth0"));
        QVERIFY(honest.exchange([&] { return honest.count("ack") == 5; }, 15s));
        QVERIFY(
            hostile.exchange([&] { return hostile.count("ack") == 10 && hostile.count("error") >= 3; }, 15s));
        for (int i = 1; i <= 10; ++i) {
            const auto* ack = hostile.ack("b" + std::to_string(i));
            QVERIFY2(ack && (*ack)["ok"] == false, ("b" + std::to_string(i)).c_str());
        }
        // The honest agent's samples are all stored; the hostile one stored nothing it sent.
        QCOMPARE(sql("SELECT count(*) FROM device_metrics WHERE device_id = '" +
                     honestDevice["device_id"].get<std::string>() + "'"),
                 5LL);
        QCOMPARE(sql("SELECT count(*) FROM device_metrics WHERE device_id = '" +
                     hostileDevice["device_id"].get<std::string>() + "'"),
                 0LL);
        for (int i = 0; i < 5; ++i)
            QCOMPARE((*honest.ack("h" + std::to_string(i)))["ok"], true);
    }

    void outputChunksCannotOverlapRepeatOrFollowTheEnd() {
        const auto device = enroll("hostile-output");
        RawAgent agent(*m_server, m_tls, device["credential"]);
        agent.send(hello());
        const std::string scriptId =
            m_api->post("/api/v1/scripts", {{"name", "any"}, {"language", "sh"}, {"content", "true\n"}})
                .body["id"];
        const auto run =
            m_api->post("/api/v1/scripts/" + scriptId + "/runs", {{"device_ids", {device["device_id"]}}});
        QCOMPARE(run.status, 201);
        const std::string command = run.body["executions"][0]["id"];
        QVERIFY(agent.exchange([&] { return agent.count("command") == 1; }, 15s));
        const auto chunk = [&](const std::string& id, int offset, const std::string& base64) {
            agent.send(R"({"v":1,"type":"command.output","id":")" + id + R"(","command_id":")" + command +
                       R"(","stream":"stdout","offset":)" + std::to_string(offset) + R"(,"data":")" + base64 +
                       R"("})");
        };
        agent.send(R"({"v":1,"type":"command.update","id":"u1","command_id":")" + command +
                   R"(","status":"running"})");
        chunk("c1", 0, "aGVsbG8g"); // "hello "
        chunk("c2", 0, "aGVsbG8g"); // the same again: harmless
        chunk("c3", 3, "WFhYWFg="); // "XXXXX" over bytes 3-7: refused
        chunk("c4", 0, "SEVMTE8g"); // "HELLO " at the same place: refused
        chunk("c5", 6, "d29ybGQ="); // "world"
        agent.send(R"({"v":1,"type":"command.update","id":"u2","command_id":")" + command +
                   R"(","status":"completed","exit_code":0})");
        chunk("c6", 11, "IQ=="); // "!" after the end: refused
        QVERIFY(agent.exchange([&] { return agent.count("ack") == 8; }, 15s));
        for (const auto& [id, ok] : std::vector<std::pair<std::string, bool>>{
                 {"c1", true}, {"c2", true}, {"c3", false}, {"c4", false}, {"c5", true}, {"c6", false}})
            QVERIFY2((*agent.ack(id))["ok"] == ok, id.c_str());
        const auto execution = m_api->get("/api/v1/script-executions/" + command).body;
        QCOMPARE(execution["stdout"].get<std::string>(), std::string("hello world"));
        QCOMPARE(sql("SELECT count(*) FROM command_output WHERE command_id = '" + command + "'"), 1LL);
    }

    void floodsAreSlowedAndOthersCarryOn() {
        const auto honestDevice = enroll("honest-flood");
        const auto hostileDevice = enroll("hostile-flood");
        RawAgent honest(*m_server, m_tls, honestDevice["credential"]);
        RawAgent hostile(*m_server, m_tls, hostileDevice["credential"]);
        hostile.send(hello());
        for (int i = 0; i < 2000; ++i)
            hostile.send(heartbeatJson("f" + std::to_string(i), "root\\u0000"));
        hostile.exchange([] { return false; }, 500ms);
        honest.send(hello());
        for (int i = 0; i < 20; ++i)
            honest.send(heartbeatJson("g" + std::to_string(i), "bob"));
        QVERIFY(honest.exchange([&] { return honest.count("ack") == 20; }, 15s));
        QCOMPARE(sql("SELECT count(*) FROM device_metrics WHERE device_id = '" +
                     honestDevice["device_id"].get<std::string>() + "'"),
                 20LL);
        // The flood is answered in full, at the server's pace: never cut off.
        QVERIFY2(hostile.exchange([&] { return hostile.count("ack") == 2000; }, 60s),
                 "the flooding agent was disconnected");
        QCOMPARE(hostile.count("ack"), std::size_t(2000));
    }

    void aStolenIdentityGetsNothing() {
        const auto owner = enroll("owned-01");
        RawAgent device(*m_server, m_tls, owner["credential"]);
        device.send(hello());
        QVERIFY(device.exchange([&] { return device.count("welcome") == 1; }, 10s));
        // Another key of the organisation and the device's identity, as shown in the console.
        const auto thief = enroll("owned-01");
        QCOMPARE(thief["approval"].get<std::string>(), std::string("pending"));
        QCOMPARE(thief["device_id"], owner["device_id"]);
        try {
            RawAgent intruder(*m_server, m_tls, thief["credential"]);
            QFAIL("the newcomer was let in");
        } catch (const net::WebSocketRefused& refused) {
            QCOMPARE(refused.status(), 403);
            QCOMPARE(refused.code(), std::string("pending_approval"));
        }
        // The device keeps its session and gets its commands.
        const auto queued = m_api->post(
            "/api/v1/devices/" + owner["device_id"].get<std::string>() + "/commands", {{"type", "ping"}});
        QCOMPARE(queued.status, 201);
        QVERIFY(device.exchange([&] { return device.count("command") == 1; }, 10s));
    }

    void aDeviceClassifiesUpdatesForItselfOnly() {
        // Two organisations of one partner; both devices miss the same update. One says it is a critical
        // security fix; that must not change how the other organisation sees it or approves it automatically.
        const std::string otherOrg = m_api->post("/api/v1/orgs", {{"name", "Bystander"}}).body["id"];
        const std::string otherSite =
            m_api->post("/api/v1/sites", {{"org_id", otherOrg}, {"name", "Bystander HQ"}}).body["id"];
        const auto policy =
            m_api->post("/api/v1/patch-policies",
                        {{"name", "Security first"}, {"org_id", otherOrg}, {"auto_approve_security", true}});
        QCOMPARE(policy.status, 201);
        QCOMPARE(m_api
                     ->post("/api/v1/patch-policies/" + policy.body["id"].get<std::string>() + "/assignments",
                            {{"site_id", otherSite}})
                     .status,
                 200);
        const auto key =
            m_api->post("/api/v1/enrollment-keys", {{"site_id", otherSite}, {"expires_in_seconds", 600}});
        const auto bystander =
            m_server->client()
                ->post("/api/v1/agent/enroll", {{"key", key.body["key"]}, {"identity", "bystander-01"}})
                .body;
        const auto liar = enroll("liar-01");
        const auto report = [&](const nlohmann::json& device, bool security, const std::string& severity) {
            RawAgent agent(*m_server, m_tls, device["credential"]);
            agent.send(hello());
            const auto scan =
                m_api->post("/api/v1/devices/" + device["device_id"].get<std::string>() + "/patch-scan",
                            nlohmann::json::object());
            QCOMPARE(scan.status, 201);
            const std::string command = scan.body["command_id"];
            QVERIFY(agent.exchange([&] { return agent.count("command") == 1; }, 10s));
            const nlohmann::json output{{"manager", "apt"},
                                        {"updates",
                                         {{{"name", "openssl"},
                                           {"installed_version", "3.0.1"},
                                           {"available_version", "3.0.2"},
                                           {"security", security},
                                           {"severity", severity},
                                           {"repository", "bookworm"}}}}};
            agent.send(R"({"v":1,"type":"command.update","id":"s1","command_id":")" + command +
                       R"(","status":"completed","exit_code":0,"output":)" + output.dump() + "}");
            QVERIFY(agent.exchange([&] { return agent.ack("s1") != nullptr; }, 10s));
            QCOMPARE((*agent.ack("s1"))["ok"], true);
        };
        report(bystander, false, "");
        report(liar, true, "critical");
        const auto seen = [&](const std::string& device) {
            const auto items = m_api->get("/api/v1/devices/" + device + "/patches").body["items"];
            return items.at(0);
        };
        const auto bystanderView = seen(bystander["device_id"]);
        QCOMPARE(bystanderView["security"], false);
        QCOMPARE(bystanderView["severity"].get<std::string>(), std::string(""));
        QCOMPARE(bystanderView["decision"].get<std::string>(), std::string("none")); // not auto-approved
        QCOMPARE(seen(liar["device_id"])["security"], true); // it may say so about itself
        const auto catalog = m_api->get("/api/v1/patches?org=" + otherOrg).body["items"];
        QCOMPARE(catalog.size(), std::size_t(1));
        QCOMPARE(catalog[0]["security"], false);
        QCOMPARE(m_api->get("/api/v1/patches?org=" + otherOrg + "&security=true").body["items"].size(),
                 std::size_t(0));
    }

    void aRotatedCredentialDiesWithItsDevice() {
        // A thief with a device's credential is handed a rotation and never confirms it; asking twice must
        // not leave the real agent with a credential that matches nothing.
        const auto device = enroll("rotated-01");
        const std::string id = device["device_id"];
        RawAgent agent(*m_server, m_tls, device["credential"]);
        agent.send(hello());
        QVERIFY(agent.exchange([&] { return agent.count("welcome") == 1; }, 10s));
        QCOMPARE(m_api->post("/api/v1/devices/" + id + "/rotate-credential", nlohmann::json::object()).status,
                 200);
        QCOMPARE(m_api->post("/api/v1/devices/" + id + "/rotate-credential", nlohmann::json::object()).status,
                 200);
        QVERIFY(agent.exchange([&] { return agent.count("credential") >= 1; }, 10s));
        agent.exchange([] { return false; }, 1s);
        QCOMPARE(agent.count("credential"), std::size_t(1)); // one rotation at a time
        std::string spare;
        for (const auto& message : agent.messages)
            if (message.value("type", "") == "credential")
                spare = message["credential"];
        QCOMPARE(m_api->post("/api/v1/devices/" + id + "/revoke", nlohmann::json::object()).status, 200);
        for (const std::string& credential : {spare, device["credential"].get<std::string>()}) {
            try {
                RawAgent after(*m_server, m_tls, credential);
                QFAIL("a credential of a revoked device still works");
            } catch (const net::WebSocketRefused& refused) {
                QCOMPARE(refused.status(), 401);
            }
        }
        QVERIFY(!m_api->get("/api/v1/devices/" + id).body["revoked_at"].is_null());
    }

    void cleanupTestCase() {
        m_fleet.reset();
        m_postgres.reset();
    }
};

QTEST_GUILESS_MAIN(TestHostileAgent)
#include "TestHostileAgent.moc"
