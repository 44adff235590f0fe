// The console endpoint: a technician's console signs in with its access token and hears, live, about the
// devices it may see — and nothing about anyone else's. Agents here are the real protocol over TLS (no agent
// binary is needed to make a device come online); heartbeats of watched devices follow as they are stored.
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "net/WebSocketChannel.h"
#include "net/WebSocketConnector.h"
#include "protocol/AgentMessages.h"

#include <QtTest>
#include <poll.h>
#include <set>

using namespace breeze;
using namespace std::chrono_literals;

class TestConsoleEvents final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_admin = nullptr;
    net::SslContextPtr m_tls;
    std::string m_orgA, m_siteA, m_orgB, m_siteB;
    std::string m_techA; // access token of a technician of organisation A only
    std::string m_techAEmail;

    std::unique_ptr<net::WebSocketChannel> connect(const std::string& path, const std::string& bearer) {
        net::WebSocketTarget target;
        target.host = "localhost";
        target.port = static_cast<unsigned short>(m_server->gatewayPort());
        target.path = path;
        target.headers["Authorization"] = "Bearer " + bearer;
        auto upgraded = net::connectWebSocket(target, m_tls.get(), 10s);
        auto channel =
            std::make_unique<net::WebSocketChannel>(std::move(upgraded.connection), protocol::WsRole::Client,
                                                    protocol::kMaxControlFrameBytes, 64 << 20);
        channel->prime(upgraded.earlyBytes);
        return channel;
    }

    // Messages of `type` (others are skipped) until `until` says enough or the time is up.
    static std::vector<protocol::Envelope>
    collect(net::WebSocketChannel& channel, const std::string& type, std::chrono::milliseconds timeout,
            const std::function<bool(const std::vector<protocol::Envelope>&)>& until) {
        std::vector<protocol::Envelope> found;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline && !until(found)) {
            pollfd p{channel.fd(), static_cast<short>(POLLIN | (channel.wantsWrite() ? POLLOUT : 0)), 0};
            ::poll(&p, 1, 50);
            if (!channel.readAvailable([&](protocol::WsMessage&& message) {
                    auto decoded = protocol::decodeEnvelope(message.payload);
                    if (decoded && decoded.envelope->type == type)
                        found.push_back(*decoded.envelope);
                }))
                break;
        }
        return found;
    }

    static bool hasEvent(const std::vector<protocol::Envelope>& events, const std::string& kind,
                         const std::string& device) {
        for (const auto& event : events)
            if (event.fields.value("kind", "") == kind && event.fields.value("device_id", "") == device)
                return true;
        return false;
    }

    std::pair<std::string, std::string> enroll(const std::string& site, const std::string& identity) {
        const auto enrolled = m_fleet->enroll(identity, site);
        return {enrolled["device_id"], enrolled["credential"]};
    }

    std::unique_ptr<net::WebSocketChannel> comeOnline(const std::string& credential) {
        auto agent = connect("/api/v1/agent/ws", credential);
        protocol::AgentHello hello;
        hello.agentVersion = "test";
        agent->sendText(protocol::encodeEnvelope(hello.encode()));
        collect(*agent, "welcome", 5s, [](const auto& found) { return !found.empty(); });
        return agent;
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(*m_postgres, "console_events", "admin@console.test",
                                                    "Console MSP", "Alpha", "Alpha HQ");
        m_server = m_fleet->server.get();
        m_admin = m_fleet->api.get();
        m_orgA = m_fleet->org;
        m_siteA = m_fleet->site;
        m_orgB = m_admin->post("/api/v1/orgs", {{"name", "Beta"}}).body["id"];
        m_siteB = m_admin->post("/api/v1/sites", {{"org_id", m_orgB}, {"name", "Beta HQ"}}).body["id"];
        m_techAEmail = "tech@alpha.test";
        QCOMPARE(m_admin
                     ->post("/api/v1/users", {{"email", m_techAEmail},
                                              {"password", "technician password"},
                                              {"org_id", m_orgA},
                                              {"role", "technician"}})
                     .status,
                 201);
        m_server->signIn(m_techAEmail, "technician password");
        m_techA = m_server->lastLogin()["access_token"];
        m_tls = net::makeClientSslContext(m_server->caFile());
        const auto info = m_server->client()->get("/api/v1/server-info");
        QCOMPARE(info.body["gateway_port"].get<int>(), m_server->gatewayPort());
        QCOMPARE(info.body["console_path"].get<std::string>(), std::string("/api/v1/console/ws"));
    }

    void refusesWithoutAValidSignIn() {
        QVERIFY_THROWS_EXCEPTION(net::WebSocketRefused, connect("/api/v1/console/ws", "not-a-token"));
        try {
            connect("/api/v1/console/ws", "eyJhbGciOiJIUzI1NiJ9.e30.forged");
            QFAIL("a forged token was accepted");
        } catch (const net::WebSocketRefused& refused) {
            QCOMPARE(refused.status(), 401);
        }
    }

    void oneUserCannotOpenConsolesWithoutEnd() {
        // Console sessions do not count against their address, so they are counted per user.
        std::vector<std::unique_ptr<net::WebSocketChannel>> consoles;
        consoles.reserve(32);
        for (int i = 0; i < 32; ++i)
            consoles.push_back(connect("/api/v1/console/ws", m_techA));
        try {
            connect("/api/v1/console/ws", m_techA);
            QFAIL("a 33rd console session was admitted");
        } catch (const net::WebSocketRefused& refused) {
            QCOMPARE(refused.status(), 429);
        }
        // Closing one frees its place, once the server has seen it go.
        consoles.pop_back();
        QTRY_VERIFY_WITH_TIMEOUT(
            m_server->client()->get("/metrics").raw.find("\nbreeze_console_sessions 31\n") !=
                std::string::npos,
            5000);
        consoles.push_back(connect("/api/v1/console/ws", m_techA));
        QVERIFY(consoles.back()->open());
    }

    void aConsoleHearsAboutItsOwnDevicesOnly() {
        auto console = connect("/api/v1/console/ws", m_techA);
        const auto alpha = enroll(m_siteA, "alpha-pc");
        const auto beta = enroll(m_siteB, "beta-pc");
        const std::string alphaDevice = alpha.first;
        const std::string betaDevice = beta.first;
        const std::string alphaCredential = alpha.second;
        const std::string betaCredential = beta.second;
        auto alphaAgent = comeOnline(alphaCredential);
        auto betaAgent = comeOnline(betaCredential);
        alphaAgent->close(protocol::kCloseNormal, "bye");
        const auto events = collect(*console, "event", 10s, [&](const auto& found) {
            return hasEvent(found, "offline", alphaDevice);
        });
        QVERIFY(hasEvent(events, "enrolled", alphaDevice));
        QVERIFY(hasEvent(events, "online", alphaDevice));
        QVERIFY(hasEvent(events, "offline", alphaDevice));
        QVERIFY(events.front().fields["event_id"].is_number());
        for (const auto& event : events) {
            // Nothing of organisation B, in any field.
            QVERIFY2(event.fields.value("org_id", "") == m_orgA, event.fields.dump().c_str());
            QVERIFY(event.fields.dump().find(betaDevice) == std::string::npos);
        }
    }

    // New or changed organisations, sites, groups and keys reach the consoles whose scope holds them, so
    // their lists and trees follow without a reload; nothing of another organisation reaches a technician.
    void tenancyChangesReachOnlyTheConsolesThatMaySeeThem() {
        auto technician = connect("/api/v1/console/ws", m_techA);
        auto admin = connect("/api/v1/console/ws", m_admin->bearer());
        const std::string siteA =
            m_admin->post("/api/v1/sites", {{"org_id", m_orgA}, {"name", "Alpha Annex"}}).body["id"];
        const std::string siteB =
            m_admin->post("/api/v1/sites", {{"org_id", m_orgB}, {"name", "Beta Annex"}}).body["id"];
        const std::string orgC = m_admin->post("/api/v1/orgs", {{"name", "Gamma"}}).body["id"];
        QCOMPARE(m_admin->patch("/api/v1/orgs/" + m_orgB, {{"name", "Beta renamed"}}).status, 200);
        const std::string group =
            m_admin->post("/api/v1/groups", {{"org_id", m_orgA}, {"site_id", siteA}, {"name", "Tills"}})
                .body["id"];
        const auto changes = [](const std::vector<protocol::Envelope>& events) {
            std::vector<nlohmann::json> found;
            for (const auto& event : events)
                if (event.fields.value("kind", "") == "tenancy_changed")
                    found.push_back(event.fields);
            return found;
        };
        const auto names = [&](const std::vector<protocol::Envelope>& events, const std::string& what) {
            std::set<std::string> ids;
            for (const auto& change : changes(events))
                if (change["what"] == what)
                    ids.insert(change["record_id"].get<std::string>());
            return ids;
        };
        const auto seenByAdmin = collect(*admin, "tenancy", 10s, [&](const auto& found) {
            return names(found, "device_groups").contains(group) && names(found, "organizations").size() >= 2;
        });
        QVERIFY(names(seenByAdmin, "sites").contains(siteA));
        QVERIFY(names(seenByAdmin, "sites").contains(siteB));
        QVERIFY(names(seenByAdmin, "organizations").contains(orgC));
        QVERIFY(names(seenByAdmin, "organizations").contains(m_orgB));
        const auto seenByTechnician = collect(*technician, "tenancy", 10s, [&](const auto& found) {
            return names(found, "device_groups").contains(group);
        });
        QVERIFY(names(seenByTechnician, "sites").contains(siteA));
        QCOMPARE(names(seenByTechnician, "device_groups"), std::set<std::string>{group});
        for (const auto& change : changes(seenByTechnician)) {
            QCOMPARE(change["org_id"], nlohmann::json(m_orgA)); // nothing of Beta or Gamma
            QVERIFY(change.dump().find(siteB) == std::string::npos);
        }
    }

    void watchedDevicesStreamTheirHeartbeats() {
        const auto [device, credential] = enroll(m_siteA, "alpha-watched");
        const auto [foreign, foreignCredential] = enroll(m_siteB, "beta-watched");
        auto agent = comeOnline(credential);
        auto console = connect("/api/v1/console/ws", m_techA);
        protocol::Envelope watch;
        watch.type = "watch";
        watch.fields = {{"device_ids", {device, foreign}}};
        console->sendText(protocol::encodeEnvelope(watch));
        const auto ok = collect(*console, "watch.ok", 5s, [](const auto& found) { return !found.empty(); });
        QCOMPARE(ok.size(), std::size_t(1));
        QCOMPARE(ok[0].fields["device_ids"], nlohmann::json({device})); // the other organisation's is dropped
        protocol::Heartbeat beat;
        beat.sampledAtMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
        beat.cpuPercent = 42;
        beat.memoryTotalBytes = 100;
        beat.memoryUsedBytes = 50;
        agent->sendText(protocol::encodeEnvelope(beat.encode("h1")));
        agent->flush();
        const auto metrics =
            collect(*console, "metric", 10s, [](const auto& found) { return !found.empty(); });
        QCOMPARE(metrics.size(), std::size_t(1));
        QCOMPARE(metrics[0].fields["device_id"].get<std::string>(), device);
        QCOMPARE(metrics[0].fields["cpu_percent"].get<double>(), 42.0);
    }

    void aFreshTokenRenewsTheSession() {
        auto console = connect("/api/v1/console/ws", m_techA);
        m_server->signIn(m_techAEmail, "technician password");
        protocol::Envelope auth;
        auth.type = "auth";
        auth.fields = {{"token", m_server->lastLogin()["access_token"]}};
        console->sendText(protocol::encodeEnvelope(auth));
        QCOMPARE(collect(*console, "auth.ok", 5s, [](const auto& found) { return !found.empty(); }).size(),
                 std::size_t(1));
        // Someone else's token cannot take the session over.
        auth.fields = {{"token", m_server->lastLogin()["access_token"].get<std::string>() + "x"}};
        console->sendText(protocol::encodeEnvelope(auth));
        const auto refused = collect(*console, "error", 5s, [](const auto& found) { return !found.empty(); });
        QCOMPARE(refused.at(0).fields["code"].get<std::string>(), std::string("invalid_token"));
    }

    void aDatabaseRestartTellsConsolesToResync() {
        auto console = connect("/api/v1/console/ws", m_techA);
        m_postgres->stop();
        m_postgres->start();
        const auto events = collect(*console, "event", 20s, [](const auto& found) {
            for (const auto& event : found)
                if (event.fields.value("kind", "") == "resync")
                    return true;
            return false;
        });
        bool resync = false;
        for (const auto& event : events)
            resync |= event.fields.value("kind", "") == "resync";
        QVERIFY(resync);
    }
};

QTEST_GUILESS_MAIN(TestConsoleEvents)
#include "TestConsoleEvents.moc"
