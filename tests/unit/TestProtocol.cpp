#include "protocol/Envelope.h"
#include "protocol/HttpBodyReader.h"
#include "protocol/HttpRequestHead.h"
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

    void requestHeadsAreParsedStrictly() {
        const std::string request = "POST /api/v1/orgs?x=1 HTTP/1.1\r\nHost: x\r\nAccept: a\r\nACCEPT: b\r\n"
                                    "Connection: Keep-Alive, Upgrade\r\nContent-Length: 2\r\n\r\n{}";
        const auto parsed = parseHttpRequestHead(request);
        QVERIFY(parsed.state == HttpHeadParse::State::Complete);
        QCOMPARE(parsed.headBytes, request.size() - 2);
        QCOMPARE(parsed.head->method, std::string("POST"));
        QCOMPARE(parsed.head->target, std::string("/api/v1/orgs?x=1"));
        QCOMPARE(parsed.head->header("accept"), std::string("a, b")); // repeatable headers are joined
        QVERIFY(parsed.head->headerHasToken("connection", "upgrade"));
        QVERIFY(parsed.head->keepAlive());
        QVERIFY(!parsed.head->wantsWebSocket());
        QVERIFY(parseHttpRequestHead(request.substr(0, 30)).state == HttpHeadParse::State::NeedMore);
        const auto http10 = parseHttpRequestHead("GET / HTTP/1.0\r\n\r\n");
        QVERIFY(http10.state == HttpHeadParse::State::Complete);
        QVERIFY(!http10.head->keepAlive());

        const std::pair<std::string, int> refusals[] = {
            {"GET / HTTP/1.1\r\n\r\n", 400},                       // no Host
            {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},            // not HTTP/1.x
            {"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},            // not a token
            {"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400},    // absolute form
            {"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400},         // a space in the target
            {"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400}, // a single header twice
            {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", 400},
            {"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400}, // obsolete folding
            {"GET / HTTP/1.1\r\nHost: \x01\r\n\r\n", 400},         // control character
            {std::string(20000, 'a'), 431},
        };
        for (const auto& [bytes, status] : refusals) {
            const auto refused = parseHttpRequestHead(bytes);
            QVERIFY2(refused.state == HttpHeadParse::State::Invalid, bytes.substr(0, 60).c_str());
            QCOMPARE(refused.status, status);
            QVERIFY(!refused.error.empty());
        }
        std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 120; ++i)
            many += "X-" + std::to_string(i) + ": y\r\n";
        QCOMPARE(parseHttpRequestHead(many + "\r\n").status, 431);
    }

    void bodiesAreFramedAndBounded() {
        auto headOf = [](const std::string& headers) {
            return *parseHttpRequestHead("POST / HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n").head;
        };
        // Content-Length: exactly that many bytes; what follows is the next request's.
        auto framing = HttpBodyReader::forHead(headOf("Content-Length: 5\r\n"), 100);
        QVERIFY(framing.reader);
        std::string input = "hel";
        QVERIFY(framing.reader->feed(input) == HttpBodyReader::State::NeedMore);
        input = "loGET /";
        QVERIFY(framing.reader->feed(input) == HttpBodyReader::State::Complete);
        QCOMPARE(framing.reader->takeBody(), std::string("hello"));
        QCOMPARE(input, std::string("GET /"));
        // Chunks, with an extension and a trailer, split anywhere.
        framing = HttpBodyReader::forHead(headOf("Transfer-Encoding: Chunked\r\n"), 100);
        const std::string chunked = "3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\nNEXT";
        std::string fed;
        HttpBodyReader::State state = HttpBodyReader::State::NeedMore;
        for (char c : chunked) {
            fed.push_back(c);
            state = framing.reader->feed(fed);
            if (state != HttpBodyReader::State::NeedMore)
                break;
        }
        QVERIFY(state == HttpBodyReader::State::Complete);
        QCOMPARE(framing.reader->takeBody(), std::string("abc0123456789"));
        // No framing: no body (a bare POST is answered at once).
        framing = HttpBodyReader::forHead(headOf(""), 100);
        QVERIFY(!framing.reader && framing.status == 0);
        // Refusals.
        QCOMPARE(HttpBodyReader::forHead(headOf("Content-Length: 101\r\n"), 100).status, 413);
        QCOMPARE(HttpBodyReader::forHead(headOf("Content-Length: -1\r\n"), 100).status, 400);
        QCOMPARE(HttpBodyReader::forHead(headOf("Content-Length: 1\r\nTransfer-Encoding: chunked\r\n"), 100)
                     .status,
                 400);
        QCOMPARE(HttpBodyReader::forHead(headOf("Transfer-Encoding: gzip\r\n"), 100).status, 501);
        auto tooBig = HttpBodyReader::forHead(headOf("Transfer-Encoding: chunked\r\n"), 10);
        std::string big = "8\r\n12345678\r\n8\r\n";
        QVERIFY(tooBig.reader->feed(big) == HttpBodyReader::State::TooLarge);
        auto bad = HttpBodyReader::forHead(headOf("Transfer-Encoding: chunked\r\n"), 100);
        std::string junk = "3\r\nabcXY";
        QVERIFY(bad.reader->feed(junk) == HttpBodyReader::State::Invalid);
        auto endless = HttpBodyReader::forHead(headOf("Transfer-Encoding: chunked\r\n"), 100);
        std::string longLine(2000, '1');
        QVERIFY(endless.reader->feed(longLine) == HttpBodyReader::State::Invalid);
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
