#include "protocol/Envelope.h"
#include "protocol/StreamFrame.h"

#include <QtTest>

using namespace breeze::protocol;

class TestProtocol final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void envelopeRoundTrips() {
        Envelope envelope;
        envelope.type = "command.result";
        envelope.id = "c-42";
        envelope.fields = {{"exit_code", 0}, {"stdout", "ok"}};
        const auto decoded = decodeEnvelope(encodeEnvelope(envelope));
        QVERIFY(decoded);
        QCOMPARE(decoded.envelope->type, envelope.type);
        QCOMPARE(decoded.envelope->id, envelope.id);
        QCOMPARE(decoded.envelope->fields, envelope.fields);
        QVERIFY(!decoded.envelope->fields.contains("v"));
    }

    void envelopeRefusesWhatItDoesNotUnderstand() {
        const std::pair<const char*, const char*> cases[] = {
            {R"([1,2])", "JSON object"},
            {R"({"type":"ping"})", "\"v\""},
            {R"({"v":"1","type":"ping"})", "\"v\""},
            {R"({"v":2,"type":"ping"})", "version 2 is not supported"},
            {R"({"v":1})", "\"type\""},
            {R"({"v":1,"type":"Ping"})", "\"type\""},
            {R"({"v":1,"type":"ping; rm -rf"})", "\"type\""},
            {R"({"v":1,"type":"ping","id":""})", "\"id\""},
            {R"({"v":1,"type":"ping","id":"a/b"})", "\"id\""},
            {R"({"v":1,"type":"ping","id":7})", "\"id\""},
            {R"({"v":1,"type":"ping","type":"pong"})", "duplicate"},
        };
        for (const auto& [frame, expected] : cases) {
            const auto result = decodeEnvelope(frame);
            QVERIFY2(!result, frame);
            QVERIFY2(result.error.find(expected) != std::string::npos,
                     (std::string(frame) + " -> " + result.error).c_str());
        }
        QVERIFY(!decodeEnvelope(std::string(kMaxControlFrameBytes + 1, ' ')));
    }

    void streamFramesCarryKindChannelAndPayload() {
        const std::string bytes = encodeStreamFrame(StreamKind::DesktopVideo, 0x01020304, "frame");
        QCOMPARE(bytes.size(), kStreamHeaderBytes + 5);
        const auto decoded = decodeStreamFrame(bytes);
        QVERIFY(decoded);
        QCOMPARE(decoded.frame->kind, StreamKind::DesktopVideo);
        QCOMPARE(decoded.frame->channel, std::uint32_t(0x01020304));
        QCOMPARE(std::string(decoded.frame->payload), std::string("frame"));
    }

    void streamFramesRefuseBadHeaders() {
        QVERIFY(!decodeStreamFrame(std::string("\x01\x00\x00", 3)));
        QVERIFY(!decodeStreamFrame(std::string("\x09\x00\x00\x00\x01", 5))); // unknown kind
        QVERIFY(!decodeStreamFrame(std::string("\x01\x00\x00\x00\x00", 5))); // channel 0
        QVERIFY(!decodeStreamFrame(std::string("\x01\x00\x00\x00\x01", 5) +
                                   std::string(kMaxStreamPayloadBytes + 1, 'x')));
        QVERIFY(decodeStreamFrame(std::string("\x01\x00\x00\x00\x01", 5))); // empty payload is fine
    }
};

QTEST_GUILESS_MAIN(TestProtocol)
#include "TestProtocol.moc"
