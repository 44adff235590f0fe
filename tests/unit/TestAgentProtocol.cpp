// The agent connection's wire pieces: WebSocket framing, the upgrade request, typed messages and command
// arguments. Everything here parses bytes from an untrusted peer, so most cases are refusals.
#include "encoding/Base64.h"
#include "encoding/Utf8.h"
#include "protocol/AgentMessages.h"
#include "protocol/CommandCatalog.h"
#include "protocol/HttpUpgradeRequest.h"
#include "protocol/MessageFields.h"
#include "protocol/PatchMessages.h"
#include "protocol/ScriptParameters.h"
#include "protocol/ScriptRequest.h"
#include "protocol/WebSocketCodec.h"

#include <QtTest>

using namespace breeze::protocol;

namespace {
std::string clientFrame(WsOpcode opcode, std::string_view payload, bool fin = true) {
    std::string frame = encodeWebSocketFrame(opcode, payload, 0x11223344u);
    if (!fin)
        frame[0] = static_cast<char>(frame[0] & 0x7F);
    return frame;
}

Envelope envelopeOf(const std::string& json) {
    auto decoded = decodeEnvelope(json);
    if (!decoded)
        throw std::runtime_error(decoded.error);
    return *decoded.envelope;
}

constexpr const char* kUpgrade =
    "GET /api/v1/agent/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
    "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer dev_x\r\n\r\n";
} // namespace

class TestAgentProtocol final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void framesRoundTripAtEverySizeBoundary() {
        for (std::size_t size : {0u, 1u, 125u, 126u, 65535u, 65536u, 200000u}) {
            const std::string payload(size, 'x');
            WebSocketFrameReader reader(WsRole::Server, 1 << 20);
            reader.feed(clientFrame(WsOpcode::Text, payload));
            const auto message = reader.next();
            QVERIFY2(message.has_value(), qPrintable(QString::fromStdString(reader.error())));
            QCOMPARE(message->payload.size(), size);
            QVERIFY(message->payload == payload);
            QVERIFY(!reader.next());
        }
    }

    void framesArriveInPiecesAndFragmentsReassemble() {
        std::string stream = clientFrame(WsOpcode::Text, "hel", false) + clientFrame(WsOpcode::Ping, "p") +
                             clientFrame(WsOpcode::Continuation, "lo");
        WebSocketFrameReader reader(WsRole::Server, 1024);
        std::vector<WsMessage> messages;
        for (char c : stream) { // one byte at a time: a slow peer
            reader.feed(std::string_view(&c, 1));
            while (auto message = reader.next())
                messages.push_back(*message);
        }
        QCOMPARE(messages.size(), std::size_t(2));
        QVERIFY(messages[0].opcode == WsOpcode::Ping); // control frames may interleave
        QVERIFY(messages[1].opcode == WsOpcode::Text);
        QCOMPARE(messages[1].payload, std::string("hello"));
    }

    void masksAsTheRfcSaysAtEveryLength() {
        // RFC 6455 section 5.7: "Hello" under the key 37 fa 21 3d.
        QCOMPARE(encodeWebSocketFrame(WsOpcode::Text, "Hello", 0x37fa213dU),
                 std::string("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11));
        // Every length around the eight-byte steps, and a large one, comes back as it went.
        for (std::size_t length : {0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 125, 126, 65535, 65536, 262187}) {
            std::string payload(length, '\0');
            for (std::size_t i = 0; i < length; ++i)
                payload[i] = static_cast<char>(i * 31 + 7);
            WebSocketFrameReader server(WsRole::Server, 1 << 20);
            server.feed(encodeWebSocketFrame(WsOpcode::Binary, payload, 0xa1b2c3d4U));
            const auto message = server.next();
            QVERIFY2(message.has_value(), std::to_string(length).c_str());
            QVERIFY2(message->payload == payload, std::to_string(length).c_str());
        }
    }

    void serverFramesAreUnmaskedAndClientsRefuseMaskedOnes() {
        WebSocketFrameReader client(WsRole::Client, 1024);
        client.feed(encodeWebSocketFrame(WsOpcode::Text, "hi"));
        QCOMPARE(client.next()->payload, std::string("hi"));
        WebSocketFrameReader strict(WsRole::Client, 1024);
        strict.feed(clientFrame(WsOpcode::Text, "hi"));
        QVERIFY(!strict.next());
        QVERIFY(strict.failed());
    }

    void brokenFramesAreRefused() {
        const std::pair<std::string, const char*> cases[] = {
            {encodeWebSocketFrame(WsOpcode::Text, "x"), "must be masked"},
            {std::string("\xC1\x80\0\0\0\0", 6), "reserved bits"},
            {std::string("\x83\x80\0\0\0\0", 6), "unknown frame opcode"},
            {clientFrame(WsOpcode::Ping, "p", false), "control frames"},
            {clientFrame(WsOpcode::Ping, std::string(126, 'p')), "control frames"},
            {clientFrame(WsOpcode::Continuation, "x"), "continuation frame without"},
            {clientFrame(WsOpcode::Text, "a", false) + clientFrame(WsOpcode::Text, "b"),
             "before the previous"},
            {std::string("\x81\xFE\x00\x05", 4) + std::string(4, '\0') + "hello", "minimally encoded"},
            {std::string("\x81\xFF\x80\0\0\0\0\0\0\0", 10), "top bit"},
            {std::string("\x88\x81", 2) + std::string(4, '\0') + "x", "two-byte code"},
        };
        for (const auto& [bytes, expected] : cases) {
            WebSocketFrameReader reader(WsRole::Server, 1024);
            reader.feed(bytes);
            while (reader.next()) {
            }
            QVERIFY2(reader.failed(), expected);
            QVERIFY2(reader.error().find(expected) != std::string::npos, reader.error().c_str());
        }
    }

    void oversizedMessagesAreRefusedBeforeTheirPayloadArrives() {
        WebSocketFrameReader reader(WsRole::Server, 1000);
        // Only the header of a 1 MiB frame: refused without waiting for (or buffering) the payload.
        const std::string frame = clientFrame(WsOpcode::Binary, std::string(1 << 20, 'z'));
        reader.feed(std::string_view(frame).substr(0, 14));
        QVERIFY(!reader.next());
        QVERIFY(reader.failed());
        QVERIFY(reader.error().find("larger than 1000") != std::string::npos);
        // Fragments count together.
        WebSocketFrameReader fragments(WsRole::Server, 1000);
        fragments.feed(clientFrame(WsOpcode::Text, std::string(600, 'a'), false) +
                       clientFrame(WsOpcode::Continuation, std::string(600, 'b')));
        QVERIFY(!fragments.next());
        QVERIFY(fragments.failed());
    }

    void closeFramesCarryTheirCode() {
        WebSocketFrameReader reader(WsRole::Client, 1024);
        reader.feed(encodeCloseFrame(kCloseRevoked, "revoked"));
        const auto message = reader.next();
        QVERIFY(message && message->opcode == WsOpcode::Close);
        QCOMPARE(static_cast<unsigned char>(message->payload[0]) << 8 |
                     static_cast<unsigned char>(message->payload[1]),
                 int(kCloseRevoked));
        QCOMPARE(message->payload.substr(2), std::string("revoked"));
    }

    void upgradeRequestsAreParsedStrictly() {
        const auto ok = parseHttpUpgradeRequest(kUpgrade);
        QVERIFY(ok.state == HttpUpgradeParse::State::Complete);
        QCOMPARE(ok.request->path, std::string("/api/v1/agent/ws"));
        QCOMPARE(ok.request->header("authorization"), std::string("Bearer dev_x"));
        QCOMPARE(ok.headBytes, std::strlen(kUpgrade));
        QVERIFY(parseHttpUpgradeRequest(std::string(kUpgrade).substr(0, 40)).state ==
                HttpUpgradeParse::State::NeedMore);

        const std::string base(kUpgrade);
        const auto replace = [&](const std::string& from, const std::string& to) {
            std::string copy = base;
            copy.replace(copy.find(from), from.size(), to);
            return copy;
        };
        const std::pair<std::string, int> refusals[] = {
            {replace("GET", "POST"), 405},
            {replace("HTTP/1.1\r\nHost", "HTTP/1.0\r\nHost"), 400},
            {replace("Upgrade: websocket", "Upgrade: h2c"), 426},
            {replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"), 426},
            {replace("dGhlIHNhbXBsZSBub25jZQ==", "short"), 400},
            {replace("Host: x", "Host: x\r\nHost: y"), 400},
            {replace("Host: x", " folded"), 400},
            {replace("Host: x", "Bad Name: x"), 400},
            {replace("Host: x", std::string("Host: \x01")), 400},
            {std::string(9000, 'a'), 431},
            {replace("Host: x", "X: " + std::string(9000, 'a')), 431},
        };
        for (const auto& [request, status] : refusals) {
            const auto parsed = parseHttpUpgradeRequest(request);
            QVERIFY2(parsed.state == HttpUpgradeParse::State::Invalid, request.substr(0, 60).c_str());
            QCOMPARE(parsed.status, status);
            QVERIFY(!parsed.error.empty());
        }
    }

    void heartbeatsRoundTripAndRefuseNonsense() {
        Heartbeat beat;
        beat.sampledAtMs = 1'800'000'000'000;
        beat.cpuPercent = 12.5;
        beat.load1 = 0.5;
        beat.memoryTotalBytes = 8ull << 30;
        beat.memoryUsedBytes = 2ull << 30;
        beat.processCount = 120;
        beat.uptimeSeconds = 3600;
        beat.users = {"alice"};
        beat.filesystems = {{"/", "ext4", 100, 40, 55}};
        beat.interfaces = {{"eth0", 1000, 2000}};
        const auto decoded = Heartbeat::decode(envelopeOf(encodeEnvelope(beat.encode("s1"))));
        QCOMPARE(decoded.cpuPercent, 12.5);
        QCOMPARE(decoded.filesystems.at(0).usedBytes, std::uint64_t(40));
        // What df calls "Avail" travels too, and the share is df's; an older agent's heartbeat has none.
        QCOMPARE(decoded.filesystems.at(0).availableBytes, std::optional<std::uint64_t>(55));
        QCOMPARE(decoded.filesystems.at(0).usedPercent(), 100.0 * 40 / 95);
        QCOMPARE((FilesystemUsage{"/", "ext4", 100, 40, std::nullopt}.usedPercent()), 40.0);
        QCOMPARE(decoded.interfaces.at(0).txBytes, std::uint64_t(2000));
        QCOMPARE(decoded.users, beat.users);

        const std::pair<const char*, const char*> refusals[] = {
            {R"({"v":1,"type":"heartbeat","sampled_at_ms":1,"cpu_percent":1,"process_count":1,"uptime_seconds":1})",
             "needs an id"},
            {R"({"v":1,"type":"heartbeat","id":"s1","sampled_at_ms":1,"cpu_percent":101,"process_count":1,"uptime_seconds":1,"load":{"1":0,"5":0,"15":0}})",
             "cpu_percent"},
            {R"({"v":1,"type":"heartbeat","id":"s1","sampled_at_ms":-5,"cpu_percent":1,"process_count":1,"uptime_seconds":1})",
             "sampled_at_ms"},
            {R"({"v":1,"type":"heartbeat","id":"s1","sampled_at_ms":1,"cpu_percent":"1","process_count":1,"uptime_seconds":1})",
             "cpu_percent"},
            {R"({"v":1,"type":"heartbeat","id":"s1","sampled_at_ms":1,"cpu_percent":1,"load":{"1":0,"5":0,"15":0},"process_count":1,"uptime_seconds":1,"memory":{"total_bytes":-1}})",
             "memory.total_bytes"},
            {R"({"v":1,"type":"heartbeat","id":"s1","sampled_at_ms":1,"cpu_percent":1,"load":{"1":0,"5":0,"15":0},"process_count":1,"uptime_seconds":1,"filesystems":[{"fs_type":"ext4"}]})",
             "filesystems[0].mount"},
        };
        for (const auto& [json, field] : refusals) {
            try {
                Heartbeat::decode(envelopeOf(json));
                QFAIL(json);
            } catch (const MessageError& error) {
                QVERIFY2(std::string(error.what()).find(field) != std::string::npos, error.what());
            }
        }
    }

    void inventoryKeepsOnlyKnownFieldsWithinLimits() {
        const auto software = InventoryReport::canonicalSection(
            "software", nlohmann::json::array({{{"name", "bash"},
                                                {"version", "5.2"},
                                                {"arch", "amd64"},
                                                {"source", "dpkg"},
                                                {"secret_field", "dropped"}}}));
        QCOMPARE(software.size(), std::size_t(1));
        QVERIFY(!software[0].contains("secret_field"));
        QCOMPARE(InventoryReport::itemKey("software", software[0]), std::string("bash:amd64"));
        QVERIFY_THROWS_EXCEPTION(
            MessageError, InventoryReport::canonicalSection("kernel_secrets", nlohmann::json::array()));
        QVERIFY_THROWS_EXCEPTION(MessageError,
                                 InventoryReport::canonicalSection("software", nlohmann::json::object()));
        QVERIFY_THROWS_EXCEPTION(MessageError, InventoryReport::canonicalSection(
                                                   "software", nlohmann::json::array({{{"version", "1"}}})));
        QVERIFY_THROWS_EXCEPTION(MessageError, InventoryReport::canonicalSection(
                                                   "os", nlohmann::json{{"name", std::string(2000, 'x')}}));
    }

    void commandUpdatesAndRequestsAreChecked() {
        CommandUpdate update{
            "0b5c6f8e-3d0a-4c8e-9f43-111111111111", kCommandCompleted, 0, {{"pong", true}}, {}};
        const auto decoded = CommandUpdate::decode(envelopeOf(encodeEnvelope(update.encode("s9"))));
        QVERIFY(decoded.final());
        QCOMPARE(*decoded.exitCode, std::int64_t(0));
        QVERIFY_THROWS_EXCEPTION(
            MessageError,
            CommandUpdate::decode(envelopeOf(
                R"({"v":1,"type":"command.update","id":"s1","command_id":"not-an-id","status":"completed"})")));
        QVERIFY_THROWS_EXCEPTION(
            MessageError,
            CommandUpdate::decode(envelopeOf(
                R"({"v":1,"type":"command.update","id":"s1","command_id":"0b5c6f8e-3d0a-4c8e-9f43-111111111111","status":"done"})")));
        CommandRequest request{"0b5c6f8e-3d0a-4c8e-9f43-111111111111", "kill_process", {{"pid", 42}}, 30};
        const auto back = CommandRequest::decode(envelopeOf(encodeEnvelope(request.encode())));
        QCOMPARE(back.type, std::string("kill_process"));
        QCOMPARE(back.args["pid"].get<int>(), 42);
    }

    void commandArgumentsAreValidatedWithDefaults() {
        QCOMPARE(validateCommandArgs("reboot", nlohmann::json::object())["delay_seconds"].get<int>(), 60);
        QCOMPARE(validateCommandArgs("kill_process", {{"pid", 42}})["signal"].get<std::string>(),
                 std::string("TERM"));
        const std::pair<std::pair<const char*, nlohmann::json>, const char*> refusals[] = {
            {{"kill_process", nlohmann::json::object()}, "args.pid is required"},
            {{"kill_process", {{"pid", 1}}}, "args.pid must be between"},
            {{"kill_process", {{"pid", "12"}}}, "args.pid must be an integer"},
            {{"kill_process", {{"pid", 12}, {"signal", "HUP"}}}, "TERM or KILL"},
            {{"ping", {{"extra", 1}}}, "takes no argument \"extra\""},
            {{"service_action", {{"name", "ssh; reboot"}, {"action", "start"}}}, "service (unit) name"},
            {{"service_action", {{"name", "-ssh"}, {"action", "start"}}}, "service (unit) name"},
            {{"service_action", {{"name", "ssh.service"}, {"action", "mask"}}}, "start, stop or restart"},
            {{"reboot", {{"delay_seconds", 90000}}}, "delay_seconds"},
            {{"format_disk", nlohmann::json::object()}, "unknown command type"},
        };
        for (const auto& [input, expected] : refusals) {
            try {
                validateCommandArgs(input.first, input.second);
                QFAIL(input.first);
            } catch (const MessageError& error) {
                QVERIFY2(std::string(error.what()).find(expected) != std::string::npos, error.what());
            }
        }
    }

    void scriptOutputChunksCarryExactBytes() {
        const std::string bytes("\xff\x00ok\n\xc3", 6);
        CommandOutput chunk{"0b5c6f8e-3d0a-4c8e-9f43-111111111111", "stderr", 1024, bytes};
        const auto back = CommandOutput::decode(envelopeOf(encodeEnvelope(chunk.encode("o1"))));
        QCOMPARE(back.data, bytes);
        QCOMPARE(back.offset, std::int64_t(1024));
        QCOMPARE(back.stream, std::string("stderr"));
        const auto refused = [&](const std::string& fields) {
            try {
                CommandOutput::decode(envelopeOf(
                    R"({"v":1,"type":"command.output","id":"o1","command_id":"0b5c6f8e-3d0a-4c8e-9f43-111111111111",)" +
                    fields + "}"));
                return false;
            } catch (const MessageError&) {
                return true;
            }
        };
        QVERIFY(refused(R"("stream":"stdin","offset":0,"data":"eA==")"));
        QVERIFY(refused(R"("stream":"stdout","offset":0,"data":"not base64!")"));
        QVERIFY(refused(R"("stream":"stdout","offset":0,"data":"")"));
        QVERIFY(refused(R"("stream":"stdout","offset":1048575,"data":"eHg=")")); // past the 1 MiB cap
        QVERIFY(refused(R"("stream":"stdout","offset":-1,"data":"eA==")"));
        QVERIFY(!refused(R"("stream":"stdout","offset":1048575,"data":"eA==")"));
        QCOMPARE(*breeze::encoding::base64Decode(breeze::encoding::base64Encode(bytes)), bytes);
        QVERIFY(!breeze::encoding::base64Decode("eA=").has_value());
    }

    void utf8IsCheckedStrictly() {
        QVERIFY(breeze::encoding::isValidUtf8("plain ascii"));
        QVERIFY(breeze::encoding::isValidUtf8("gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80"));
        QVERIFY(!breeze::encoding::isValidUtf8("\xff"));
        QVERIFY(!breeze::encoding::isValidUtf8("\xc3"));             // cut short
        QVERIFY(!breeze::encoding::isValidUtf8("\xc0\xaf"));         // overlong '/'
        QVERIFY(!breeze::encoding::isValidUtf8("\xed\xa0\x80"));     // a surrogate
        QVERIFY(!breeze::encoding::isValidUtf8("\xf4\x90\x80\x80")); // past U+10FFFF
    }

    void stringsAreCheckedForWhatStorageAndScreensCanHold() {
        using breeze::protocol::checkedText;
        using breeze::protocol::Text;
        const std::string nul("root\0x", 6);
        for (const auto rule : {Text::Name, Text::Line, Text::Multiline}) {
            QVERIFY_THROWS_EXCEPTION(MessageError, checkedText(nul, rule, "f"));
            QVERIFY_THROWS_EXCEPTION(MessageError, checkedText("bad \xff byte", rule, "f"));
            QVERIFY_THROWS_EXCEPTION(MessageError, checkedText("\xed\xa0\x80", rule, "f"));
            QCOMPARE(checkedText("gr\xc3\xbc\xc3\x9f \xe2\x82\xac", rule, "f"),
                     std::string("gr\xc3\xbc\xc3\x9f \xe2\x82\xac"));
        }
        // Names refuse what would hide what they say; free text shows it instead.
        const std::string trojan = "invoice\xe2\x80\xae"
                                   "exe.pdf"; // U+202E RIGHT-TO-LEFT OVERRIDE
        QVERIFY_THROWS_EXCEPTION(MessageError, checkedText(trojan, Text::Name, "f"));
        QVERIFY_THROWS_EXCEPTION(MessageError, checkedText("a\tb", Text::Name, "f"));
        QCOMPARE(checkedText(trojan, Text::Line, "f"), std::string("invoice\\u{202E}exe.pdf"));
        QCOMPARE(checkedText("\x1b[31mred\x7f", Text::Line, "f"), std::string("\\u{001B}[31mred\\u{007F}"));
        QCOMPARE(checkedText("two\nlines\tand\rmore", Text::Multiline, "f"),
                 std::string("two\nlines\tand\\u{000D}more"));
        QCOMPARE(checkedText("\xc2\x85", Text::Line, "f"), std::string("\\u{0085}")); // a C1 control
        // Inside arbitrary JSON (a command's result): every key and string, however deep.
        const auto clean = breeze::protocol::checkedJson(nlohmann::json{{"list", {"ok", "a\x1b"}}, {"n", 1}},
                                                         Text::Multiline, "output");
        QCOMPARE(clean["list"][1].get<std::string>(), std::string("a\\u{001B}"));
        QCOMPARE(clean["n"].get<int>(), 1);
        QVERIFY_THROWS_EXCEPTION(
            MessageError,
            breeze::protocol::checkedJson(nlohmann::json{{"deep", {{"x", nul}}}}, Text::Multiline, "output"));
        QVERIFY_THROWS_EXCEPTION(
            MessageError, breeze::protocol::checkedJson(nlohmann::json{{nul, 1}}, Text::Multiline, "output"));
        // Decoders apply them: a user name with NUL refuses the heartbeat, a mount path is shown.
        Heartbeat beat;
        beat.sampledAtMs = 1;
        beat.users = {nul};
        QVERIFY_THROWS_EXCEPTION(MessageError, Heartbeat::decode(beat.encode("h1")));
        beat.users = {"root"};
        beat.filesystems = {{"/mnt/odd\x1b", "ext4", 1, 0, std::nullopt}};
        QCOMPARE(Heartbeat::decode(beat.encode("h1")).filesystems[0].mount, std::string("/mnt/odd\\u{001B}"));
        beat.interfaces = {{"eth\xe2\x80\xae"
                            "0",
                            0, 0}};
        QVERIFY_THROWS_EXCEPTION(MessageError, Heartbeat::decode(beat.encode("h1")));
        // The limit holds for what is stored: made visible, 30 ESC characters no longer fit 200 bytes.
        AgentHello hello;
        hello.agentVersion = "1";
        hello.os = std::string(30, '\x1b');
        QVERIFY_THROWS_EXCEPTION(MessageError, AgentHello::decode(hello.encode()));
        hello.os = "Debian\x1b";
        QCOMPARE(AgentHello::decode(hello.encode()).os, std::string("Debian\\u{001B}"));
    }

    void messageTypesAreOneCatalogue() {
        for (int i = 0; i <= static_cast<int>(AgentToServer::CredentialSaved); ++i) {
            const auto type = static_cast<AgentToServer>(i);
            QCOMPARE(*agentToServerType(typeName(type)), type);
            QVERIFY(!serverToAgentType(typeName(type))); // a name means one direction only
        }
        for (int i = 0; i <= static_cast<int>(ServerToAgent::Error); ++i) {
            const auto type = static_cast<ServerToAgent>(i);
            QCOMPARE(*serverToAgentType(typeName(type)), type);
            QVERIFY(!agentToServerType(typeName(type)));
        }
        QVERIFY(!agentToServerType("launch_missiles"));
        QCOMPARE(std::string(typeName(AgentToServer::Heartbeat)), std::string(agent_message::kHeartbeat));
    }

    void scriptRequestsAreChecked() {
        ScriptRequest request{"python", "print(1)\n", {{"COUNT", "3"}, {"NOTE", "a b; $(c)"}}, "backup"};
        const auto back = ScriptRequest::fromArgs(request.toArgs());
        QCOMPARE(back.environment, request.environment);
        QCOMPARE(back.runAs, std::string("backup"));
        const std::pair<nlohmann::json, const char*> refusals[] = {
            {{{"language", "perl"}, {"content", ""}}, "language"},
            {{{"language", "sh"}}, "args.content is required"},
            {{{"language", "sh"}, {"content", ""}, {"run_as", "Root"}}, "run_as"},
            {nlohmann::json::parse(R"({"language":"sh","content":"","environment":[["PATH","/tmp"]]})"),
             "invalid parameter name"},
            {nlohmann::json::parse(R"({"language":"sh","content":"","environment":[["LD_PRELOAD","x.so"]]})"),
             "invalid parameter name"},
            {nlohmann::json::parse(R"({"language":"sh","content":"","environment":[["A","1"],["A","2"]]})"),
             "twice"},
            {nlohmann::json::parse(R"({"language":"sh","content":"","environment":[["A","a\u0000b"]]})"),
             "NUL"},
            {nlohmann::json::parse(R"({"language":"sh","content":"","environment":{"A":"1"}})"), "pairs"},
        };
        for (const auto& [args, expected] : refusals) {
            try {
                ScriptRequest::fromArgs(args);
                QFAIL(args.dump().c_str());
            } catch (const MessageError& error) {
                QVERIFY2(std::string(error.what()).find(expected) != std::string::npos, error.what());
            }
        }
        QVERIFY(isValidParameterName("_private1"));
        QVERIFY(!isValidParameterName("BREEZE_COMMAND_ID"));
        QVERIFY(!isValidParameterName("a-b"));
        QVERIFY(isValidLocalUserName("www-data"));
        QVERIFY(!isValidLocalUserName("-rf"));
    }

    void parameterValuesAreCheckedAgainstTheirTypes() {
        const auto parameters = parseScriptParameters(nlohmann::json::parse(R"([
            {"name": "COUNT", "type": "number", "required": true},
            {"name": "MODE", "type": "choice", "choices": ["fast", "safe"], "default": "safe"},
            {"name": "FORCE", "type": "boolean", "default": false},
            {"name": "TOKEN", "type": "secret"},
            {"name": "NOTE", "type": "string"}])"));
        QCOMPARE(parameters[2].defaultValue.value(), std::string("false"));
        const auto resolved =
            resolveScriptParameters(parameters, {{"COUNT", 12}, {"TOKEN", "t0k"}, {"FORCE", "yes"}});
        const std::vector<std::pair<std::string, std::string>> plain{
            {"COUNT", "12"}, {"MODE", "safe"}, {"FORCE", "true"}};
        QCOMPARE(resolved.plain, plain);
        QCOMPARE(resolved.secret.size(), std::size_t(1));
        QCOMPARE(resolved.redacted["TOKEN"].get<std::string>(), std::string(kRedacted));
        QVERIFY(!resolved.redacted.contains("NOTE")); // optional and not given: not set at all
        const std::pair<nlohmann::json, const char*> refusals[] = {
            {{{"COUNT", "12abc"}}, "parameter COUNT must be a number"},
            {{{"COUNT", "nan"}}, "parameter COUNT must be a number"},
            {{{"COUNT", " 1"}}, "parameter COUNT must be a number"},
            {{{"COUNT", true}}, "parameter COUNT must be a number"},
            {nlohmann::json::object(), "parameter COUNT is required"},
            {{{"COUNT", 1}, {"MODE", "Fast"}}, "parameter MODE must be one of: fast, safe"},
            {{{"COUNT", 1}, {"FORCE", 2}}, "parameter FORCE must be true or false"},
            {{{"COUNT", 1}, {"NOTE", 5}}, "parameter NOTE must be a string"},
            {{{"COUNT", 1}, {"NOTE", std::string(40000, 'x')}}, "parameter NOTE must be at most"},
            {{{"COUNT", 1}, {"OTHER", 1}}, "no parameter named OTHER"},
        };
        for (const auto& [values, expected] : refusals) {
            try {
                resolveScriptParameters(parameters, values);
                QFAIL(values.dump().c_str());
            } catch (const MessageError& error) {
                QVERIFY2(std::string(error.what()).find(expected) != std::string::npos, error.what());
            }
        }
        // Definitions round-trip through their JSON form.
        QCOMPARE(scriptParametersJson(parseScriptParameters(scriptParametersJson(parameters))),
                 scriptParametersJson(parameters));
    }

    void patchReportsAreReadStrictly() {
        ScanReport scan;
        scan.manager = "apt";
        scan.updates.push_back({"libssl3", "amd64", "3.0.11-1~deb12u1", "3.0.11-1~deb12u2",
                                "Debian-Security:12/stable-security", true, "", 2048, true});
        scan.rebootRequired = true;
        const auto back = ScanReport::fromJson(scan.toJson());
        QCOMPARE(back.updates.size(), std::size_t(1));
        QCOMPARE(back.updates[0].availableVersion, std::string("3.0.11-1~deb12u2"));
        QVERIFY(back.rebootRequired && back.updates[0].security && back.updates[0].rebootHint);
        auto bad = scan.toJson();
        bad["updates"][0]["name"] = "libssl3; rm -rf /";
        QVERIFY_THROWS_EXCEPTION(MessageError, ScanReport::fromJson(bad));
        bad = scan.toJson();
        bad["manager"] = "brew";
        QVERIFY_THROWS_EXCEPTION(MessageError, ScanReport::fromJson(bad));
        bad = scan.toJson();
        bad["updates"][0]["severity"] = "apocalyptic";
        QVERIFY_THROWS_EXCEPTION(MessageError, ScanReport::fromJson(bad));

        InstallReport install;
        install.results.push_back(
            {"curl", "7.88.1-10+deb12u14", "installed", "7.88.1-10+deb12u14", "Setting up curl"});
        install.scripts.push_back({"pre", "completed", 0, "ok"});
        QCOMPARE(InstallReport::fromJson(install.toJson()).results, install.results);
        QCOMPARE(InstallReport::fromJson(install.toJson()).scripts, install.scripts);
        auto badInstall = install.toJson();
        badInstall["results"][0]["status"] = "maybe";
        QVERIFY_THROWS_EXCEPTION(MessageError, InstallReport::fromJson(badInstall));

        const auto args = installArgs({{"curl", "7.88.1-10+deb12u14"}, {"libc6:amd64", "2.36-9+deb12u13"}});
        QCOMPARE(packagesFromInstallArgs(args).size(), std::size_t(2));
        QVERIFY_THROWS_EXCEPTION(
            MessageError, packagesFromInstallArgs(nlohmann::json{{"packages", nlohmann::json::array()}}));
        QVERIFY_THROWS_EXCEPTION(MessageError, packagesFromInstallArgs(nlohmann::json::parse(
                                                   R"({"packages":[{"name":"-x","version":"1"}]})")));
        QVERIFY_THROWS_EXCEPTION(MessageError, packagesFromInstallArgs(nlohmann::json::parse(
                                                   R"({"packages":[{"name":"x","version":"1 2"}]})")));
        QVERIFY(!scriptStepFromInstallArgs(args, "pre_script"));
        auto withScript = args;
        withScript["pre_script"] = {{"language", "bash"}, {"content", "true"}};
        QCOMPARE(scriptStepFromInstallArgs(withScript, "pre_script")->language, std::string("bash"));
        withScript["pre_script"]["language"] = "cobol";
        QVERIFY_THROWS_EXCEPTION(MessageError, scriptStepFromInstallArgs(withScript, "pre_script"));
        QCOMPARE(packageFromRollbackArgs(rollbackArgs({"curl", "7.88.1-10+deb12u12"})).version,
                 std::string("7.88.1-10+deb12u12"));
        QVERIFY(isValidPackageVersion("1:2.3~rc1-4+deb12u1") && !isValidPackageVersion("~1"));
    }
};

QTEST_APPLESS_MAIN(TestAgentProtocol)
#include "TestAgentProtocol.moc"
