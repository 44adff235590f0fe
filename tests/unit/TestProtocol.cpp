#include "protocol/DesktopControl.h"
#include "protocol/DesktopFrame.h"
#include "protocol/DesktopInput.h"
#include "protocol/Envelope.h"
#include "protocol/HttpBodyReader.h"
#include "protocol/HttpRequestHead.h"
#include "protocol/MessageFields.h"
#include "protocol/StreamFrame.h"
#include "protocol/TerminalControl.h"

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

    // A picture's header says which stream, which picture, when it was taken and how; the data is passed on
    // untouched. Anything the header cannot mean is refused with a reason.
    void desktopFramesCarryTheirHeader() {
        DesktopFrame frame;
        frame.stream = 3;
        frame.sequence = 0x0102030405060708ULL;
        frame.captureMicros = 123456789012ULL;
        frame.hostMicros = 4321;
        frame.codec = DesktopCodec::H264;
        frame.flags = DesktopFrame::Keyframe;
        frame.width = 1920;
        frame.height = 1080;
        frame.data = "picture";
        const std::string bytes = encodeDesktopFrame(frame);
        QCOMPARE(bytes.size(), kDesktopFrameHeaderBytes + 7);
        const auto decoded = decodeDesktopFrame(bytes);
        QVERIFY2(decoded, decoded.error.c_str());
        QCOMPARE(decoded.frame->stream, 3);
        QCOMPARE(decoded.frame->sequence, frame.sequence);
        QCOMPARE(decoded.frame->captureMicros, frame.captureMicros);
        QCOMPARE(decoded.frame->hostMicros, 4321u);
        QCOMPARE(decoded.frame->codec, DesktopCodec::H264);
        QVERIFY(decoded.frame->keyframe());
        QCOMPARE(decoded.frame->width, 1920);
        QCOMPARE(decoded.frame->height, 1080);
        QCOMPARE(std::string(decoded.frame->data), std::string("picture"));

        const auto broken = [&](std::size_t at, char value) {
            std::string copy = bytes;
            copy[at] = value;
            return decodeDesktopFrame(copy);
        };
        QVERIFY(!decodeDesktopFrame(bytes.substr(0, kDesktopFrameHeaderBytes))); // no data
        QVERIFY(!broken(0, 16));                                                 // stream out of range
        QVERIFY(!broken(21, 9));                                                 // unknown codec
        QVERIFY(!broken(22, 4));                                                 // unknown flag
        std::string zeroWidth = bytes;
        zeroWidth[23] = zeroWidth[24] = 0;
        QVERIFY(!decodeDesktopFrame(zeroWidth));
        QVERIFY(broken(23, char(0x3F)));  // 16256 wide: allowed
        QVERIFY(!broken(23, char(0x40))); // 16512 wide: beyond kMaxDesktopDimension
    }

    // A cursor's picture is its hot spot and exactly width*height pixels; anything else is refused.
    void cursorFramesHoldExactlyTheirPixels() {
        const std::string pixels(std::size_t{4} * 2 * 3, '\x7f');
        DesktopFrame frame;
        frame.codec = DesktopCodec::Cursor;
        frame.width = 2;
        frame.height = 3;
        const std::string data = encodeCursorData(1, 2, pixels);
        frame.data = data;
        const std::string bytes = encodeDesktopFrame(frame);
        const auto decoded = decodeDesktopFrame(bytes);
        QVERIFY2(decoded, decoded.error.c_str());
        const auto shape = cursorShapeOf(*decoded.frame);
        QVERIFY(shape);
        QCOMPARE(shape->hotX, 1);
        QCOMPARE(shape->hotY, 2);
        QCOMPARE(std::string(shape->argb), pixels);
        QVERIFY(!decodeDesktopFrame(bytes.substr(0, bytes.size() - 1))); // a pixel short
        const std::string outside = encodeCursorData(2, 0, pixels);      // hot spot beyond the width
        frame.data = outside;
        QVERIFY(!decodeDesktopFrame(encodeDesktopFrame(frame)));
        frame.width = kMaxCursorDimension + 1;
        frame.data = data;
        QVERIFY(!decodeDesktopFrame(encodeDesktopFrame(frame)));
    }

    // Input events are a few bytes each, exactly sized; keys are keysyms.
    void desktopInputRoundTripsAndIsStrict() {
        for (const auto& input :
             {DesktopInput::pointer(2, 1919, 1079, DesktopInput::Left | DesktopInput::Right),
              DesktopInput::wheel(0, -240, 120), DesktopInput::key(0x00e9 /* eacute */, true),
              DesktopInput::key(0xffe3 /* Control_L */, false), DesktopInput::releaseAll()}) {
            const std::string bytes = encodeDesktopInput(input);
            const auto decoded = decodeDesktopInput(bytes);
            QVERIFY2(decoded, decoded.error.c_str());
            QCOMPARE(encodeDesktopInput(*decoded.input), bytes);
            QCOMPARE(decoded.input->type, input.type);
            QCOMPARE(decoded.input->x, input.x);
            QCOMPARE(decoded.input->wheelX, input.wheelX);
            QCOMPARE(decoded.input->wheelY, input.wheelY);
            QCOMPARE(decoded.input->keysym, input.keysym);
            QCOMPARE(decoded.input->down, input.down);
        }
        QVERIFY(!decodeDesktopInput(""));
        QVERIFY(!decodeDesktopInput(std::string("\x09", 1)));                               // unknown event
        QVERIFY(!decodeDesktopInput(encodeDesktopInput(DesktopInput::releaseAll()) + "x")); // too long
        QVERIFY(
            !decodeDesktopInput(encodeDesktopInput(DesktopInput::pointer(16, 0, 0, 0)))); // no such stream
        QVERIFY(
            !decodeDesktopInput(encodeDesktopInput(DesktopInput::pointer(0, 0, 0, 32)))); // unknown button
        QVERIFY(!decodeDesktopInput(encodeDesktopInput(DesktopInput::key(0, true))));
        QVERIFY(!decodeDesktopInput(encodeDesktopInput(DesktopInput::key(0x20000000, true))));
        std::string twice = encodeDesktopInput(DesktopInput::key(0x61, true));
        twice[5] = 2;
        QVERIFY(!decodeDesktopInput(twice));
    }

    // The desktop's control messages: what is read is what was written; fields out of range are named.
    void desktopControlsAreStrict() {
        DesktopLayout layout;
        layout.monitors = {{"HDMI-1", 0, 0, 1920, 1080, true}, {"DP-2", 1920, -200, 1280, 1024, false}};
        layout.codecs = {"vp8", "h264"};
        layout.viewOnly = true;
        const auto readLayout = DesktopLayout::from(decodeSessionControl(layout.encode()));
        QVERIFY(readLayout);
        QCOMPARE(readLayout->monitors, layout.monitors);
        QCOMPARE(readLayout->codecs, layout.codecs);
        QVERIFY(readLayout->viewOnly);

        DesktopStreamRequest request;
        request.stream = 1;
        request.monitor = "DP-2";
        request.codec = "h264";
        request.quality = DesktopQuality::Speed;
        const auto readRequest = DesktopStreamRequest::from(decodeSessionControl(request.encode()));
        QVERIFY(readRequest);
        QCOMPARE(readRequest->encode(), request.encode());
        QVERIFY(!DesktopAck::from(decodeSessionControl(request.encode()))); // another type

        const auto refused = [](const std::string& json) {
            try {
                const auto control = decodeSessionControl(json);
                (void)DesktopStreamRequest::from(control);
                (void)DesktopLayout::from(control);
                (void)DesktopClipboard::from(control);
                return false;
            } catch (const MessageError& error) {
                return std::string(error.what()).size() > 0;
            }
        };
        QVERIFY(refused(R"({"type":"stream","stream":16,"monitor":"*","codec":"vp8"})"));
        QVERIFY(refused(R"({"type":"stream","stream":0,"monitor":"*","codec":"mjpeg"})"));
        QVERIFY(refused(R"({"type":"stream","stream":0,"monitor":"","codec":"vp8"})"));
        QVERIFY(refused(R"({"type":"stream","stream":0,"monitor":"*","codec":"vp8","quality":"best"})"));
        QVERIFY(refused(R"({"type":"layout","monitors":[{"name":"A","x":0,"y":0,"width":0,"height":1}]})"));
        QVERIFY(refused(R"({"type":"layout","monitors":[],"codecs":["theora"]})"));
        const std::string tooLong(kMaxClipboardBytes + 1, 'a');
        QVERIFY(refused(nlohmann::json{{"type", "clipboard"}, {"text", tooLong}}.dump()));

        DesktopClipboard clipboard{"line one\n\ttabbed é"};
        QCOMPARE(DesktopClipboard::from(decodeSessionControl(clipboard.encode()))->text, clipboard.text);
        DesktopStreamState failed{2, {}, {}, 0, 0, 0, 0, "the display went away"};
        QCOMPARE(DesktopStreamState::from(decodeSessionControl(failed.encode()))->error, failed.error);
        DesktopStreamStats stats{0, 29.5, 4100, 4000, 7.25, 1.5, 3};
        QCOMPARE(DesktopStreamStats::from(decodeSessionControl(stats.encode()))->encode(), stats.encode());
    }
};

QTEST_GUILESS_MAIN(TestProtocol)
#include "TestProtocol.moc"
