// The agent gateway against hostile and broken clients, spoken to directly over TLS and WebSocket: no
// credential, a wrong one, a device awaiting approval, malformed and oversized messages, floods (slowed, not
// cut off), and a device connecting twice.
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "net/WebSocketChannel.h"
#include "net/WebSocketConnector.h"
#include "protocol/AgentMessages.h"

#include <QtTest>
#include <poll.h>

using namespace breeze;
using namespace std::chrono_literals;

namespace {
struct Received {
    std::vector<protocol::Envelope> messages;
    bool closed = false;
    std::string reason;
};
} // namespace

class TestAgentGateway final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_api = nullptr;
    net::SslContextPtr m_tls;
    std::string m_org;
    std::string m_site;

    std::string enroll(const std::string& site, const std::string& identity) {
        return m_fleet->enroll(identity, site)["credential"];
    }

    net::WebSocketTarget target(const std::string& credential, const std::string& path = "/api/v1/agent/ws") {
        net::WebSocketTarget t;
        t.host = "localhost";
        t.port = static_cast<unsigned short>(m_server->gatewayPort());
        t.path = path;
        if (!credential.empty())
            t.headers["Authorization"] = "Bearer " + credential;
        return t;
    }

    std::unique_ptr<net::WebSocketChannel> open(const std::string& credential) {
        auto upgraded = net::connectWebSocket(target(credential), m_tls.get(), 10s);
        auto channel =
            std::make_unique<net::WebSocketChannel>(std::move(upgraded.connection), protocol::WsRole::Client,
                                                    protocol::kMaxControlFrameBytes, 64 << 20);
        channel->prime(upgraded.earlyBytes);
        return channel;
    }

    // Reads until `count` messages arrived, the connection closed, or the time is up.
    static Received receive(net::WebSocketChannel& channel, std::size_t count,
                            std::chrono::milliseconds timeout) {
        Received received;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline && received.messages.size() < count) {
            pollfd p{channel.fd(), static_cast<short>(POLLIN | (channel.wantsWrite() ? POLLOUT : 0)), 0};
            ::poll(&p, 1, 50);
            const bool open = channel.readAvailable([&](protocol::WsMessage&& message) {
                if (auto decoded = protocol::decodeEnvelope(message.payload))
                    received.messages.push_back(*decoded.envelope);
            });
            if (!open) {
                received.closed = true;
                received.reason = channel.closeReason();
                return received;
            }
        }
        return received;
    }

    static int refusalStatus(const std::function<void()>& attempt, std::string* code = nullptr) {
        try {
            attempt();
        } catch (const net::WebSocketRefused& refused) {
            if (code)
                *code = refused.code();
            return refused.status();
        }
        return 0;
    }

    static std::string hello() {
        protocol::AgentHello message;
        message.agentVersion = "test";
        message.platform = "linux";
        return protocol::encodeEnvelope(message.encode());
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(*m_postgres, "agent_gateway", "admin@gateway.test",
                                                    "Gateway MSP", "Gate", "Gate HQ",
                                                    std::map<std::string, std::string>{
                                                        {"gateway.max_message_bytes", "65536"},
                                                        {"gateway.messages_per_second", "5"},
                                                        {"gateway.message_burst", "20"},
                                                    });
        m_server = m_fleet->server.get();
        m_api = m_fleet->api.get();
        m_org = m_fleet->org;
        m_site = m_fleet->site;
        m_tls = net::makeClientSslContext(m_server->caFile());
    }

    void refusesWithoutAValidCredential() {
        std::string code;
        QCOMPARE(refusalStatus([&] { net::connectWebSocket(target(""), m_tls.get(), 10s); }, &code), 401);
        QCOMPARE(code, std::string("unauthenticated"));
        QCOMPARE(refusalStatus([&] { net::connectWebSocket(target("dev_forged"), m_tls.get(), 10s); }, &code),
                 401);
        QCOMPARE(code, std::string("invalid_credential"));
        QCOMPARE(refusalStatus([&] { net::connectWebSocket(target("brz_an_api_key"), m_tls.get(), 10s); }),
                 401);
        const std::string credential = enroll(m_site, "gate-path");
        QCOMPARE(refusalStatus([&] {
                     net::connectWebSocket(target(credential, "/api/v1/nothing/ws"), m_tls.get(), 10s);
                 }),
                 404);
        // A client that does not trust the server's CA never gets as far as sending its credential.
        auto foreign = net::makeClientSslContext("/etc/ssl/certs/ca-certificates.crt");
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 net::connectWebSocket(target(credential), foreign.get(), 10s));
    }

    void aDeviceAwaitingApprovalWaitsOutside() {
        const std::string org =
            m_api->post("/api/v1/orgs", {{"name", "Careful"}, {"require_device_approval", true}}).body["id"];
        const std::string site =
            m_api->post("/api/v1/sites", {{"org_id", org}, {"name", "Careful HQ"}}).body["id"];
        const std::string credential = enroll(site, "gate-pending");
        std::string code;
        QCOMPARE(refusalStatus([&] { net::connectWebSocket(target(credential), m_tls.get(), 10s); }, &code),
                 403);
        QCOMPARE(code, std::string("pending_approval"));
        const auto devices = m_api->get("/api/v1/devices?approval=pending").body["items"];
        QCOMPARE(devices.size(), std::size_t(1));
        m_api->post("/api/v1/devices/" + devices[0]["id"].get<std::string>() + "/approve",
                    nlohmann::json::object());
        auto channel = open(credential);
        channel->sendText(hello());
        const auto welcome = receive(*channel, 1, 5s);
        QCOMPARE(welcome.messages.at(0).type, std::string("welcome"));
    }

    void malformedMessagesGetAnErrorAndTheConnectionLives() {
        auto channel = open(enroll(m_site, "gate-malformed"));
        channel->sendText("{not json");
        channel->sendText(R"({"v":1,"type":"launch_missiles","id":"m1"})");
        channel->sendText(R"({"v":1,"type":"heartbeat","id":"m2","sampled_at_ms":1,"cpu_percent":"lots"})");
        const auto replies = receive(*channel, 3, 5s);
        QVERIFY2(!replies.closed, replies.reason.c_str());
        QCOMPARE(replies.messages.size(), std::size_t(3));
        QCOMPARE(replies.messages[0].type, std::string("error"));
        QCOMPARE(replies.messages[0].fields["code"].get<std::string>(), std::string("bad_message"));
        QCOMPARE(replies.messages[1].fields["code"].get<std::string>(), std::string("unknown_type"));
        // A malformed message with an id is refused for good, so the agent drops it from its spool.
        QCOMPARE(replies.messages[2].type, std::string("ack"));
        QCOMPARE(replies.messages[2].id, std::string("m2"));
        QCOMPARE(replies.messages[2].fields["ok"], false);
        QVERIFY(replies.messages[2].fields["error"].get<std::string>().find("cpu_percent") !=
                std::string::npos);
    }

    void oversizedMessagesCloseTheConnection() {
        auto channel = open(enroll(m_site, "gate-big"));
        channel->sendText(std::string(70000, ' '));
        const auto result = receive(*channel, 1, 5s);
        QVERIFY(result.closed);
        QVERIFY2(result.reason.find("1009") != std::string::npos, result.reason.c_str());
    }

    void floodsAreSlowedNotCutOff() {
        // 5 messages a second after a burst of 20: the server reads the rest later, and TCP holds the sender.
        auto channel = open(enroll(m_site, "gate-flood"));
        for (int i = 0; i < 60; ++i)
            channel->sendText(R"({"v":1,"type":"nothing"})");
        const auto early = receive(*channel, 1000, 1500ms);
        QVERIFY2(!early.closed, early.reason.c_str());
        QVERIFY2(early.messages.size() <= 32, std::to_string(early.messages.size()).c_str());
        QVERIFY(early.messages.size() >= 20);
        const auto rest = receive(*channel, 60 - early.messages.size(), 20s);
        QVERIFY2(!rest.closed, rest.reason.c_str());
        QCOMPARE(early.messages.size() + rest.messages.size(), std::size_t(60));
        for (const auto& reply : rest.messages)
            QCOMPARE(reply.fields["code"].get<std::string>(), std::string("unknown_type"));
    }

    void aSecondConnectionOfTheSameDeviceReplacesTheFirst() {
        const std::string credential = enroll(m_site, "gate-twice");
        auto first = open(credential);
        first->sendText(hello());
        QCOMPARE(receive(*first, 1, 5s).messages.size(), std::size_t(1));
        auto second = open(credential);
        second->sendText(hello());
        const auto firstEnd = receive(*first, 100, 5s);
        QVERIFY(firstEnd.closed);
        QVERIFY2(firstEnd.reason.find("4002") != std::string::npos, firstEnd.reason.c_str());
        const auto secondReply = receive(*second, 1, 5s);
        QVERIFY(!secondReply.closed);
        QCOMPARE(secondReply.messages.at(0).type, std::string("welcome"));
    }

    void plainTcpAndSlowClientsDoNotHurtOthers() {
        // Plain HTTP on the TLS port: the handshake fails and the socket is closed.
        QProcess curl;
        curl.start("curl", {"-sS", "--max-time", "5",
                            QString("http://localhost:%1/api/v1/agent/ws").arg(m_server->gatewayPort())});
        QVERIFY(curl.waitForFinished(10000));
        QVERIFY(curl.exitCode() != 0);
        // A client that sends half an upgrade and stalls does not block anyone else.
        auto stalled = net::TlsConnection::connect(
            "localhost", static_cast<unsigned short>(m_server->gatewayPort()), m_tls.get(), 5s);
        const std::string half = "GET /api/v1/agent/ws HTTP/1.1\r\nHost: x\r\n";
        QVERIFY(stalled->write(half.data(), half.size()).io == net::TlsConnection::Io::Ok);
        auto channel = open(enroll(m_site, "gate-unblocked"));
        channel->sendText(hello());
        QCOMPARE(receive(*channel, 1, 5s).messages.at(0).type, std::string("welcome"));
    }
};

QTEST_GUILESS_MAIN(TestAgentGateway)
#include "TestAgentGateway.moc"
