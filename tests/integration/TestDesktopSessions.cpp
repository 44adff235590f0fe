// Remote desktops end to end: the real agent shows a real X server (Xvfb with two RandR monitors) through the
// real server's relay to a viewer that decodes with libavcodec. What is drawn appears where it was drawn;
// clicks and keys reach an X client; two viewers watch two monitors; a still screen sends nothing; a lost
// picture brings a keyframe; view-only is enforced by the server as well as the agent.
#include "ProgramRun.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestVideoDecoder.h"
#include "XWindowProbe.h"
#include "XvfbServer.h"
#include "media/VideoFileReader.h"
#include "net/RelayConnection.h"
#include "net/TlsConnection.h"
#include "protocol/DesktopControl.h"
#include "protocol/DesktopFrame.h"
#include "protocol/DesktopInput.h"
#include "protocol/TerminalControl.h"

#include <QLocalServer>
#include <QRegularExpression>
#include <QtTest>
#include <X11/keysym.h>
#include <csignal>

using namespace breeze;
using test::XWindowProbe;

namespace {
constexpr int kWidth = 1280;
constexpr int kHeight = 720;
constexpr int kHalf = kWidth / 2;

// The viewer's side of one desktop session, as far as these tests need it: streams asked for, pictures
// decoded and acknowledged, a keyframe asked for when a picture is missing.
class Viewer {
public:
    Viewer(const nlohmann::json& opened, SSL_CTX* tls)
        : relay(opened.at("relay_url"), opened.at("token"), tls, protocol::SessionKind::Desktop) {}

    net::RelayConnection relay;
    std::optional<protocol::DesktopLayout> layout;
    std::map<int, protocol::DesktopStreamState> states;
    std::map<int, std::unique_ptr<test::TestVideoDecoder>> decoders;
    std::map<int, int> decoded;                  // pictures per stream
    std::map<int, std::uint64_t> sequences;      // the last one per stream
    std::vector<protocol::DesktopFrame> headers; // of every picture (data not kept)
    int keyframesAsked = 0;
    int cursorShapes = 0;
    std::optional<protocol::DesktopCursor> cursor;
    std::optional<std::string> clipboard;
    bool loseNext = false; // drop the next picture, as a lossy path would

    void request(int stream, const std::string& monitor, const std::string& codec) {
        protocol::DesktopStreamRequest request;
        request.stream = stream;
        request.monitor = monitor;
        request.codec = codec;
        relay.sendControl(request.encode());
    }
    void input(const protocol::DesktopInput& event) {
        relay.send(protocol::StreamKind::DesktopInput, protocol::encodeDesktopInput(event));
    }
    std::uint32_t rgb(int stream, int x, int y) const {
        const auto it = decoders.find(stream);
        return it == decoders.end() ? 0xFFFFFFFF : it->second->rgb(x, y);
    }
    bool waitFor(const std::function<bool()>& done, int milliseconds) {
        const QDeadlineTimer deadline(milliseconds);
        while (!done()) {
            if (deadline.hasExpired() || !relay.pump(std::chrono::milliseconds(20), handlers()))
                return done();
        }
        return true;
    }
    // Pumps for a while whatever happens.
    void pumpFor(int milliseconds) {
        waitFor([] { return false; }, milliseconds);
    }

private:
    net::RelayConnection::Handlers handlers() {
        return {[this](protocol::StreamKind kind, std::string_view payload) { picture(kind, payload); },
                [this](const nlohmann::json& control) {
                    if (auto read = protocol::DesktopLayout::from(control))
                        layout = std::move(read);
                    else if (auto state = protocol::DesktopStreamState::from(control))
                        states[state->stream] = *state;
                    else if (auto moved = protocol::DesktopCursor::from(control))
                        cursor = moved;
                    else if (auto copied = protocol::DesktopClipboard::from(control))
                        clipboard = copied->text;
                }};
    }

    void picture(protocol::StreamKind kind, std::string_view payload) {
        if (kind != protocol::StreamKind::DesktopVideo)
            return;
        const auto frame = protocol::decodeDesktopFrame(payload);
        QVERIFY2(frame, frame.error.c_str());
        if (frame.frame->codec == protocol::DesktopCodec::Cursor) {
            ++cursorShapes;
            return;
        }
        const int stream = frame.frame->stream;
        auto header = *frame.frame;
        header.data = {};
        headers.push_back(header);
        if (std::exchange(loseNext, false))
            return;
        auto& decoder = decoders[stream];
        if (!decoder || frame.frame->keyframe())
            decoder = std::make_unique<test::TestVideoDecoder>(frame.frame->codec);
        // A picture after a gap cannot be decoded right: ask for a keyframe and wait for it.
        const bool gap = sequences.contains(stream) && frame.frame->sequence != sequences[stream] + 1 &&
                         !frame.frame->keyframe();
        sequences[stream] = frame.frame->sequence;
        if (gap || !decoder->decode(frame.frame->data)) {
            ++keyframesAsked;
            relay.sendControl(protocol::DesktopKeyframeRequest{stream}.encode());
            sequences.erase(stream);
            return;
        }
        ++decoded[stream];
        relay.sendControl(protocol::DesktopAck{stream, frame.frame->sequence, 1000, 0}.encode());
    }
};
} // namespace

class TestDesktopSessions final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::XvfbServer m_xvfb{kWidth, kHeight};
    std::unique_ptr<XWindowProbe> m_probe;
    std::unique_ptr<test::TestAgent> m_agent;
    std::string m_device;
    net::SslContextPtr m_tls;

    nlohmann::json open(net::RestClient& api, const nlohmann::json& extra = {}) {
        nlohmann::json body{{"kind", "desktop"}};
        for (const auto& [key, value] : extra.items())
            body[key] = value;
        const auto opened = api.post("/api/v1/devices/" + m_device + "/sessions", body);
        if (opened.status != 201)
            throw std::runtime_error(opened.raw);
        return opened.body;
    }

    std::unique_ptr<Viewer> viewer(net::RestClient& api, const nlohmann::json& extra = {}) {
        auto made = std::make_unique<Viewer>(open(api, extra), m_tls.get());
        if (!made->waitFor([&] { return made->layout.has_value(); }, 15000))
            throw std::runtime_error("no layout from the agent: " + made->relay.closeReason());
        return made;
    }

    std::unique_ptr<net::RestClient> userWithRole(const std::string& name,
                                                  const std::vector<std::string>& rights) {
        return m_fleet->userWithRole({{"name", name}, {"permissions", rights}}, name + "@desktop.test");
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(m_xvfb.start(), qPrintable(m_xvfb.error()));
        m_probe = std::make_unique<XWindowProbe>(m_xvfb.display(), m_xvfb.authorityFile(),
                                                 QRect(0, 0, kWidth, kHeight));
        QVERIFY(m_probe->isOpen());
        m_probe->fill({0, 0, kWidth, kHeight}, 0x000000);
        m_probe->addMonitor("LEFT-1", {0, 0, kHalf, kHeight}, true);
        m_probe->addMonitor("RIGHT-2", {kHalf, 0, kHalf, kHeight}, false);
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(*m_postgres, "desktop", "admin@desktop.test",
                                                    "Desktop MSP", "Fleet", "HQ");
        test::TestAgent::Options options;
        options.identity = "desktop-01";
        options.runArgs = {"--desktop-display", m_xvfb.display(), "--desktop-xauthority",
                           m_xvfb.authorityFile()};
        m_agent = std::make_unique<test::TestAgent>(*m_fleet->server, m_fleet->enrollmentKey(), options);
        m_agent->start();
        m_device = m_agent->deviceId();
        QTRY_VERIFY_WITH_TIMEOUT(m_fleet->api->get("/api/v1/devices/" + m_device).body["status"] == "online",
                                 20000);
        m_tls = net::makeClientSslContext(m_fleet->server->caFile());
    }

    void cleanupTestCase() {
        m_agent.reset();
        m_fleet.reset();
        m_postgres.reset();
        m_probe.reset();
    }

    // The layout names both monitors; what is drawn shows in the decoded picture where it was drawn, and
    // clicks and keys from the viewer reach the X client under them.
    void aDesktopShowsTheScreenAndTakesInput() {
        auto view = viewer(*m_fleet->api);
        // Xvfb's own output's monitor and the two the test defined.
        const auto& monitors = view->layout->monitors;
        const auto right = std::find_if(monitors.begin(), monitors.end(),
                                        [](const auto& monitor) { return monitor.name == "RIGHT-2"; });
        QVERIFY(right != monitors.end());
        QCOMPARE(right->x, kHalf);
        QCOMPARE(right->width, kHalf);
        QVERIFY(std::any_of(monitors.begin(), monitors.end(),
                            [](const auto& monitor) { return monitor.name == "LEFT-1" && monitor.primary; }));
        QVERIFY(!view->layout->viewOnly);
        view->request(0, "*", "vp8");
        QVERIFY(view->waitFor([&] { return view->decoded[0] > 0; }, 15000));
        QCOMPARE(view->states[0].width, kWidth);
        QVERIFY(view->states[0].error.empty());
        m_probe->fill({100, 100, 80, 80}, 0xFF0000);
        QVERIFY2(view->waitFor([&] { return test::nearColour(view->rgb(0, 140, 140), 0xFF0000); }, 10000),
                 qPrintable(QString::number(view->rgb(0, 140, 140), 16)));
        m_probe->fill({100, 100, 80, 80}, 0x00FF00);
        QVERIFY(view->waitFor([&] { return test::nearColour(view->rgb(0, 140, 140), 0x00FF00); }, 10000));
        QVERIFY(test::nearColour(view->rgb(0, 60, 60), 0x000000));

        m_probe->focus();
        view->input(protocol::DesktopInput::pointer(0, 300, 310, 0));
        view->input(protocol::DesktopInput::pointer(0, 300, 310, protocol::DesktopInput::Left));
        view->input(protocol::DesktopInput::pointer(0, 300, 310, 0));
        view->input(protocol::DesktopInput::key(XK_x, true));
        view->input(protocol::DesktopInput::key(XK_x, false));
        view->pumpFor(200);
        using Kind = XWindowProbe::Event::Kind;
        QVERIFY(m_probe->waitFor(
            [](const auto& events) {
                return std::any_of(events.begin(), events.end(), [](const auto& e) {
                    return e.kind == Kind::ButtonDown && e.button == 1 && e.x == 300 && e.y == 310;
                });
            },
            5000));
        QVERIFY(m_probe->waitFor([&](const auto&) { return m_probe->typed().endsWith("x"); }, 5000));
        // The pointer is reported apart from the picture, with its shape.
        QVERIFY(view->waitFor([&] { return view->cursor && view->cursor->x == 300; }, 5000));
        QVERIFY(view->cursorShapes > 0);
    }

    // The clipboard both ways: text from the viewer is what a program on the device pastes, and what a
    // program there copies reaches the viewer (a view-only viewer's clipboard is not shared).
    void theClipboardGoesBothWays() {
        auto view = viewer(*m_fleet->api);
        const QString fromViewer = QString("from the technician: é €\n\tindented");
        view->relay.sendControl(protocol::DesktopClipboard{fromViewer.toStdString()}.encode());
        view->pumpFor(300); // the message goes out
        QTRY_COMPARE_WITH_TIMEOUT(m_probe->clipboard(2000), fromViewer, 10000);
        m_probe->setClipboard("copied on the device ✓");
        // The probe answers the device's request for the text while the viewer waits for it.
        QVERIFY(view->waitFor(
            [&] {
                m_probe->waitFor([](const auto&) { return true; }, 0);
                return view->clipboard.has_value();
            },
            10000));
        QCOMPARE(QString::fromStdString(*view->clipboard), QString("copied on the device ✓"));
    }

    // Two viewers of one device watch different monitors at once, each in its own codec; a viewer switches
    // monitors.
    void twoViewersWatchTwoMonitors() {
        auto left = viewer(*m_fleet->api);
        auto right = viewer(*m_fleet->api);
        left->request(0, "LEFT-1", "vp8");
        right->request(0, "RIGHT-2", "h264");
        m_probe->fill({0, 0, kWidth, kHeight}, 0x000000);
        m_probe->fill({50, 50, 64, 64}, 0x0000FF);
        m_probe->fill({kHalf + 50, 50, 64, 64}, 0xFFFF00);
        const auto sees = [](Viewer& viewer, std::uint32_t colour) {
            return viewer.waitFor([&] { return test::nearColour(viewer.rgb(0, 80, 80), colour); }, 10000);
        };
        QVERIFY(sees(*left, 0x0000FF));
        QVERIFY(sees(*right, 0xFFFF00));
        QCOMPARE(left->states[0].width, kHalf);
        QCOMPARE(right->states[0].x, kHalf);
        QCOMPARE(right->states[0].codec, std::string("h264"));
        left->request(0, "RIGHT-2", "vp8");
        QVERIFY(sees(*left, 0xFFFF00));
        QCOMPARE(left->states[0].monitor, std::string("RIGHT-2"));
        // A monitor that does not exist is a clear refusal, not silence.
        left->request(1, "NOWHERE", "vp8");
        QVERIFY(left->waitFor([&] { return left->states.contains(1); }, 5000));
        QVERIFY(QString::fromStdString(left->states[1].error).contains("NOWHERE"));
        // A stream per monitor and one of them all, no more: each costs the device a thread and a screen of
        // memory.
        const int most = static_cast<int>(left->layout->monitors.size()) + 1;
        for (int stream = 1; stream < most; ++stream)
            left->request(stream, "*", "vp8");
        QVERIFY(left->waitFor(
            [&] { return left->states[most - 1].error.empty() && left->states[most - 1].width > 0; }, 10000));
        left->request(most, "*", "vp8");
        QVERIFY(left->waitFor([&] { return left->states.contains(most); }, 5000));
        QVERIFY2(QString::fromStdString(left->states[most].error).contains("at most"),
                 left->states[most].error.c_str());
    }

    // Once the screen is still (and its refinement sent), nothing more is sent.
    void aStillScreenSendsNothing() {
        auto view = viewer(*m_fleet->api);
        view->request(0, "*", "vp8");
        m_probe->fill({200, 200, 100, 40}, 0x808080);
        QVERIFY(view->waitFor([&] { return test::nearColour(view->rgb(0, 250, 220), 0x808080); }, 10000));
        view->pumpFor(1000); // the refinement, after 300 ms of stillness
        const std::size_t before = view->headers.size();
        QVERIFY(std::any_of(view->headers.begin(), view->headers.end(), [](const auto& h) {
            return (h.flags & protocol::DesktopFrame::Refinement) != 0;
        }));
        view->pumpFor(1500);
        QCOMPARE(view->headers.size(), before);
    }

    // A picture that never reached the decoder is noticed by its sequence number; the keyframe asked for
    // comes next, and the picture is right again.
    void aLostPictureBringsAKeyframe() {
        auto view = viewer(*m_fleet->api);
        view->request(0, "*", "h264");
        QVERIFY(view->waitFor([&] { return view->decoded[0] > 0; }, 10000));
        view->loseNext = true;
        m_probe->fill({400, 400, 32, 32}, 0xFF00FF);
        QVERIFY(view->waitFor([&] { return !view->loseNext; }, 10000));
        const std::size_t lost = view->headers.size();
        m_probe->fill({400, 400, 32, 32}, 0x00FFFF);
        QVERIFY(view->waitFor([&] { return view->keyframesAsked > 0; }, 10000));
        QVERIFY(view->waitFor(
            [&] {
                return std::any_of(view->headers.begin() + static_cast<std::ptrdiff_t>(lost),
                                   view->headers.end(), [](const auto& h) { return h.keyframe(); });
            },
            10000));
        QVERIFY(view->waitFor([&] { return test::nearColour(view->rgb(0, 410, 410), 0x00FFFF); }, 10000));
    }

    // remote:desktop_view watches only: its sessions are view-only whatever it asks, it cannot ask for
    // control, and input sent anyway ends the session at the server before reaching the device.
    void viewOnlyWatchesButCannotTouch() {
        auto watcher = userWithRole("watcher", {"devices:read", "remote:desktop_view"});
        QCOMPARE(watcher
                     ->post("/api/v1/devices/" + m_device + "/sessions",
                            {{"kind", "desktop"}, {"view_only", false}})
                     .status,
                 403);
        auto view = viewer(*watcher);
        QVERIFY(view->layout->viewOnly);
        view->request(0, "*", "vp8");
        QVERIFY(view->waitFor([&] { return view->decoded[0] > 0; }, 10000));
        // What is copied on the device is not shown to someone who may only watch.
        m_probe->setClipboard("not for watchers");
        QVERIFY(!view->waitFor(
            [&] {
                m_probe->waitFor([](const auto&) { return true; }, 0);
                return view->clipboard.has_value();
            },
            1500));
        const auto before = m_probe->events().size();
        view->input(protocol::DesktopInput::key(XK_q, true));
        QVERIFY(!view->waitFor([] { return false; }, 5000)); // the connection ends
        QVERIFY2(QString::fromStdString(view->relay.closeReason()).contains("view-only"),
                 view->relay.closeReason().c_str());
        m_probe->waitFor([](const auto&) { return false; }, 300);
        QCOMPARE(m_probe->events().size(), before);

        auto nobody = userWithRole("nobody", {"devices:read"});
        QCOMPARE(nobody->post("/api/v1/devices/" + m_device + "/sessions", {{"kind", "desktop"}}).status,
                 403);
        // Terminal fields are for terminals.
        QCOMPARE(m_fleet->api
                     ->post("/api/v1/devices/" + m_device + "/sessions", {{"kind", "desktop"}, {"cols", 80}})
                     .status,
                 400);
    }

    // A stream follows its monitor: when the monitor changes size the viewer gets the new layout and the
    // stream starts again at the new size; when the monitor goes, the stream ends saying so.
    void aStreamFollowsItsMonitorWhenTheLayoutChanges() {
        auto view = viewer(*m_fleet->api);
        view->request(0, "RIGHT-2", "vp8");
        QVERIFY(view->waitFor([&] { return view->decoded[0] > 0; }, 15000));
        QCOMPARE(view->states[0].width, kHalf);
        const auto widthOf = [&](const std::string& name) {
            for (const auto& monitor : view->layout->monitors)
                if (monitor.name == name)
                    return monitor.width;
            return -1;
        };
        m_probe->replaceMonitor("RIGHT-2", {kHalf, 0, 400, kHeight}, false);
        QVERIFY2(
            view->waitFor(
                [&] {
                    return widthOf("RIGHT-2") == 400 && view->states[0].width == 400 && view->decoders[0] &&
                           view->decoders[0]->width() >= 400 && view->decoders[0]->width() < 420;
                },
                10000),
            qPrintable(QString("layout %1, stream %2").arg(widthOf("RIGHT-2")).arg(view->states[0].width)));
        m_probe->fill({kHalf + 100, 100, 50, 50}, 0xFF00FF);
        QVERIFY(view->waitFor([&] { return test::nearColour(view->rgb(0, 125, 125), 0xFF00FF); }, 10000));
        m_probe->removeMonitor("RIGHT-2");
        QVERIFY(
            view->waitFor([&] { return view->states[0].error.find("gone") != std::string::npos; }, 10000));
        QCOMPARE(widthOf("RIGHT-2"), -1);
        m_probe->addMonitor("RIGHT-2", {kHalf, 0, kHalf, kHeight}, false); // as the other tests expect it
        m_probe->fill({0, 0, kWidth, kHeight}, 0x000000);
    }

    // An X server that takes the connection and never answers (hung, or stopped in a debugger) costs the
    // agent a few seconds for that one session, never its connection: the desktop is refused saying why, the
    // device stays online and a terminal on it works meanwhile.
    void aDisplayThatNeverAnswersCostsTheAgentNothing() {
        QDir().mkpath("/tmp/.X11-unix");
        int number = 190;
        while (QFile::exists(QString("/tmp/.X11-unix/X%1").arg(number)))
            ++number;
        QLocalServer mute; // listens, never accepts, never answers
        QVERIFY(mute.listen(QString("/tmp/.X11-unix/X%1").arg(number)));
        test::TestAgent::Options options;
        options.identity = "desktop-mute";
        options.runArgs = {"--desktop-display", QString(":%1").arg(number)};
        test::TestAgent agent(*m_fleet->server, m_fleet->enrollmentKey(), options);
        agent.start();
        const std::string device = agent.deviceId();
        QTRY_VERIFY_WITH_TIMEOUT(m_fleet->api->get("/api/v1/devices/" + device).body["status"] == "online",
                                 20000);
        const auto opened =
            m_fleet->api->post("/api/v1/devices/" + device + "/sessions", {{"kind", "desktop"}});
        QCOMPARE(opened.status, 201);
        Viewer view(opened.body, m_tls.get());
        QElapsedTimer waited;
        waited.start();
        QVERIFY(view.waitFor([&] { return view.relay.ended().has_value(); }, 20000));
        const std::string why = view.relay.ended()->dump();
        QVERIFY2(why.find("did not answer") != std::string::npos, why.c_str());
        QVERIFY(waited.elapsed() < 15000);
        // Meanwhile and after, the device is online and answers.
        QCOMPARE(m_fleet->api->get("/api/v1/devices/" + device).body["status"], "online");
        const auto ping = m_fleet->api->post("/api/v1/devices/" + device + "/commands",
                                             {{"type", "ping"}, {"args", nlohmann::json::object()}});
        QCOMPARE(ping.status, 201);
        QTRY_COMPARE_WITH_TIMEOUT(
            m_fleet->api->get("/api/v1/commands/" + ping.body["id"].get<std::string>()).body["status"],
            "completed", 15000);
    }

    // The device's monitors, as its inventory found them, through the API and breeze-admin (which can ask the
    // device to look again).
    void theDeviceListsItsMonitors() {
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         return !m_fleet->api->get("/api/v1/devices/" + m_device + "/monitors")
                                     .body["collected_at"]
                                     .is_null();
                     },
                     30000),
                 qPrintable(m_agent->log().right(3000)));
        const auto listed = m_fleet->api->get("/api/v1/devices/" + m_device + "/monitors").body;
        const auto& items = listed["items"];
        const auto named = [&](const std::string& name) {
            for (const auto& item : items)
                if (item["name"] == name)
                    return item;
            return nlohmann::json();
        };
        QCOMPARE(named("RIGHT-2")["x"], kHalf);
        QCOMPARE(named("RIGHT-2")["width"], kHalf);
        QCOMPARE(named("RIGHT-2")["display"], m_xvfb.display().toStdString());
        QCOMPARE(named("LEFT-1")["primary"], true);
        QCOMPARE(named("RIGHT-2")["primary"], false);
        QTemporaryDir home(test::testTempRoot() + "/admin-XXXXXX");
        const QProcessEnvironment admin = m_fleet->adminEnvironment(home.path(), "cli-monitors");
        const auto shown = test::ProgramRun::run(
            "breeze-admin", {"devices", "monitors", QString::fromStdString(m_device), "--refresh"}, {},
            admin);
        QVERIFY2(shown.exitCode == 0, qPrintable(shown.err));
        QVERIFY2(shown.out.contains(QRegularExpression(
                     "RIGHT-2 +" + QRegularExpression::escape(m_xvfb.display()) + " +640,0 +640x720")),
                 qPrintable(shown.out));
        QVERIFY2(shown.out.contains(QRegularExpression("LEFT-1 .* yes")), qPrintable(shown.out));
    }

    // The viewer's summary of how a session went is checked field by field and kept for the session; only the
    // session's viewer reports it, and only for a desktop.
    void aQualitySummaryIsCheckedAndKeptForItsViewer() {
        const auto opened = open(*m_fleet->api);
        const std::string path = "/api/v1/sessions/" + opened.at("id").get<std::string>() + "/quality";
        const nlohmann::json good{{"seconds", 12.5},
                                  {"codec", "h264"},
                                  {"pictures_received", 300},
                                  {"pictures_decoded", 298},
                                  {"pictures_dropped", 2},
                                  {"bytes", 1500000},
                                  {"fps", 23.8},
                                  {"kbps", 960},
                                  {"round_trip_ms", 4},
                                  {"decode_ms", 2.5},
                                  {"latency_ms", {{"p50", 31}, {"p95", 44}, {"p99", 70}}}};
        const auto kept = m_fleet->api->request("PUT", path, good);
        QCOMPARE(kept.status, 200);
        QCOMPARE(kept.body["quality"]["latency_ms"]["p95"], 44);
        QVERIFY(kept.body["quality"].contains("reported_at"));
        QCOMPARE(m_fleet->api->get("/api/v1/sessions/" + opened.at("id").get<std::string>())
                     .body["quality"]["fps"],
                 23.8);
        for (const auto& [key, value] : std::vector<std::pair<std::string, nlohmann::json>>{
                 {"fps", -1},
                 {"fps", "fast"},
                 {"codec", "mjpeg"},
                 {"latency_ms", {{"p50", 1}}},
                 {"latency_ms", {{"p50", 50}, {"p95", 40}, {"p99", 70}}},
                 {"pictures_decoded", 301},
                 {"extra", 1}}) {
            auto bad = good;
            bad[key] = value;
            QCOMPARE(m_fleet->api->request("PUT", path, bad).status, 400);
        }
        auto missing = good;
        missing.erase("bytes");
        QCOMPARE(m_fleet->api->request("PUT", path, missing).status, 400);
        auto other = userWithRole("quality-other", {"devices:read", "remote:desktop"});
        QCOMPARE(other->request("PUT", path, good).status, 403);
        const auto terminal =
            m_fleet->api->post("/api/v1/devices/" + m_device + "/sessions", {{"kind", "terminal"}});
        QCOMPARE(terminal.status, 201);
        QCOMPARE(m_fleet->api
                     ->request("PUT",
                               "/api/v1/sessions/" + terminal.body.at("id").get<std::string>() + "/quality",
                               good)
                     .status,
                 400);
        m_fleet->api->del("/api/v1/sessions/" + terminal.body.at("id").get<std::string>());
        m_fleet->api->del("/api/v1/sessions/" + opened.at("id").get<std::string>());
    }

    void aRecordingPlaysAndSurvivesTheServerBeingKilled_data() {
        QTest::addColumn<QString>("codec");
        QTest::newRow("vp8") << "vp8";
        QTest::newRow("h264") << "h264";
    }

    // A recorded session is stored as it goes, in segments that each play alone; the server killed outright
    // loses nothing that was shown before the screen paused, and the download is one file that ffprobe reads
    // picture for picture and that ends on what the screen showed last.
    void aRecordingPlaysAndSurvivesTheServerBeingKilled() {
        QFETCH(QString, codec);
        m_probe->fill({0, 0, kWidth, kHeight}, 0x000000);
        // Recording is asked for desktops only (terminals follow sessions.record).
        const auto terminal = m_fleet->api->post("/api/v1/devices/" + m_device + "/sessions",
                                                 {{"kind", "terminal"}, {"record", true}});
        QCOMPARE(terminal.status, 400);
        const auto opened = open(*m_fleet->api, {{"record", true}});
        const std::string id = opened.at("id");
        QCOMPARE(opened["grants"]["record"], true);
        Viewer view(opened, m_tls.get());
        QVERIFY(view.waitFor([&] { return view.layout.has_value(); }, 15000));
        view.request(0, "LEFT-1", codec.toStdString());
        QVERIFY(view.waitFor([&] { return view.decoded[0] > 0; }, 15000));
        // Six seconds of motion: more than one segment (the agent sends a keyframe every five seconds).
        QElapsedTimer moving;
        moving.start();
        for (int i = 0; moving.elapsed() < 6500; ++i) {
            m_probe->fill({(i * 20) % 600, 300, 20, 20}, i % 2 ? 0xFF0000 : 0x00FF00);
            view.pumpFor(100);
        }
        m_probe->fill({200, 100, 100, 100}, 0x0000FF);
        QVERIFY(view.waitFor([&] { return test::nearColour(view.rgb(0, 250, 150), 0x0000FF); }, 10000));
        view.pumpFor(2500); // the screen pauses: the segment still growing is stored
        const auto pictures = std::count_if(view.headers.begin(), view.headers.end(),
                                            [](const auto& header) { return header.stream == 0; });
        const auto keyframes = std::count_if(view.headers.begin(), view.headers.end(),
                                             [](const auto& header) { return header.keyframe(); });
        QVERIFY2(keyframes >= 2, qPrintable(QString::number(keyframes)));

        QCOMPARE(::kill(static_cast<pid_t>(m_fleet->server->pid()), SIGKILL), 0);
        m_fleet->server->waitForExit(10000);
        m_fleet->server->start();
        QTRY_VERIFY_WITH_TIMEOUT(m_fleet->api->get("/api/v1/devices/" + m_device).body["status"] == "online",
                                 20000);

        const auto stored = m_fleet->api->get("/api/v1/sessions/" + id).body["recording"];
        QCOMPARE(stored["streams"].size(), std::size_t{1});
        QCOMPARE(stored["streams"][0]["pictures"].get<long long>(), static_cast<long long>(pictures));
        const int segmentsBefore = stored["streams"][0]["segments"].get<int>();
        QVERIFY(segmentsBefore >= 2);

        // Taken up again after the restart: the same recording goes on, numbered after what was stored.
        const auto attached =
            m_fleet->api->post("/api/v1/sessions/" + id + "/attach", nlohmann::json::object());
        QCOMPARE(attached.status, 200);
        Viewer again(attached.body, m_tls.get());
        QVERIFY(again.waitFor([&] { return again.layout.has_value(); }, 15000));
        again.request(0, "LEFT-1", codec.toStdString());
        QVERIFY(again.waitFor([&] { return again.decoded[0] > 0; }, 15000));
        m_probe->fill({200, 100, 100, 100}, 0xFFFF00);
        QVERIFY(again.waitFor([&] { return test::nearColour(again.rgb(0, 250, 150), 0xFFFF00); }, 10000));
        again.pumpFor(1000);
        QCOMPARE(m_fleet->api->del("/api/v1/sessions/" + id).status, 200); // ends it: stored whole
        const long long total =
            pictures + std::count_if(again.headers.begin(), again.headers.end(),
                                     [](const auto& header) { return header.stream == 0; });
        QTRY_COMPARE_WITH_TIMEOUT(m_fleet->api->get("/api/v1/sessions/" + id)
                                      .body["recording"]["streams"][0]["pictures"]
                                      .get<long long>(),
                                  total, 10000);
        const auto session = m_fleet->api->get("/api/v1/sessions/" + id).body;
        const auto& streams = session["recording"]["streams"];
        QCOMPARE(streams[0]["codec"], codec.toStdString());
        QVERIFY(streams[0]["segments"].get<int>() > segmentsBefore);
        QVERIFY(streams[0]["duration_ms"].get<long long>() >= 9000);
        QCOMPARE(session["recording"]["dropped_bytes"], 0);
        const QString numbers = m_postgres->superuserSql(
            "desktop",
            QString("SELECT string_agg(seq::text, ',' ORDER BY seq) FROM desktop_recording_segments "
                    "WHERE session_id = '%1'")
                .arg(QString::fromStdString(id)));
        QStringList expected;
        for (int seq = 0; seq < streams[0]["segments"].get<int>(); ++seq)
            expected << QString::number(seq);
        QCOMPARE(numbers, expected.join(','));

        QTemporaryDir dir(test::testTempRoot() + "/recording-XXXXXX");
        const auto ffprobe = [](const QString& path) {
            QProcess probe;
            probe.start("ffprobe", {"-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                    "stream=codec_name,width,height,nb_read_frames", "-of", "json", path});
            probe.waitForFinished(60000);
            if (probe.exitCode() != 0)
                return nlohmann::json{{"error", probe.readAllStandardError().toStdString()}};
            return nlohmann::json::parse(probe.readAllStandardOutput().toStdString())["streams"][0];
        };
        // Each segment is a file of its own that plays.
        const QStringList segments =
            m_postgres
                ->superuserSql(
                    "desktop",
                    QString("SELECT pictures || ' ' || encode(body, 'hex') FROM "
                            "desktop_recording_segments WHERE session_id = '%1' ORDER BY stream, seq")
                        .arg(QString::fromStdString(id)))
                .split('\n', Qt::SkipEmptyParts);
        QCOMPARE(segments.size(), streams[0]["segments"].get<int>());
        for (int i = 0; i < segments.size(); ++i) {
            const QStringList parts = segments[i].split(' ');
            QFile file(dir.filePath(QString("segment-%1").arg(i)));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray::fromHex(parts[1].toLatin1()));
            file.close();
            const auto probed = ffprobe(file.fileName());
            QVERIFY2(!probed.contains("error"), probed.dump().c_str());
            QCOMPARE(probed["codec_name"], codec.toStdString());
            QCOMPARE(probed["nb_read_frames"].get<std::string>(), parts[0].toStdString());
        }
        // The download: one file, every picture, in a container any player takes.
        const auto download = m_fleet->api->get("/api/v1/sessions/" + id + "/recording");
        QCOMPARE(download.status, 200);
        const QString path = dir.filePath(codec == "vp8" ? "session.webm" : "session.mkv");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(download.raw.data(), static_cast<qint64>(download.raw.size()));
        file.close();
        const auto probed = ffprobe(path);
        QVERIFY2(!probed.contains("error"), probed.dump().c_str());
        QCOMPARE(probed["codec_name"], codec.toStdString());
        QCOMPARE(probed["width"], kHalf);
        QCOMPARE(probed["height"], kHeight);
        QCOMPARE(probed["nb_read_frames"].get<std::string>(), std::to_string(total));
        const auto reader = media::VideoFileReader::openFile(path.toStdString());
        test::TestVideoDecoder decoder(reader->codec());
        int decoded = 0;
        while (const auto picture = reader->next())
            decoded += decoder.decode(picture->data) ? 1 : 0;
        QCOMPARE(decoded, static_cast<int>(total));
        QVERIFY(test::nearColour(decoder.rgb(250, 150), 0xFFFF00)); // how the screen was left
        // breeze-admin saves the same file, and shows what was recorded.
        QTemporaryDir home(test::testTempRoot() + "/admin-XXXXXX");
        const QProcessEnvironment admin =
            m_fleet->adminEnvironment(home.path(), "cli-" + codec.toStdString());
        const QString saved = dir.filePath("saved");
        const auto download0 = test::ProgramRun::run(
            "breeze-admin",
            {"sessions", "download", QString::fromStdString(id), "--out", saved, "--stream", "0"}, {}, admin);
        QVERIFY2(download0.exitCode == 0, qPrintable(download0.err));
        QVERIFY(download0.out.contains("video player"));
        QFile savedFile(saved);
        QVERIFY(savedFile.open(QIODevice::ReadOnly));
        QVERIFY(savedFile.readAll().toStdString() == download.raw);
        const auto shown = test::ProgramRun::run(
            "breeze-admin", {"sessions", "show", QString::fromStdString(id), "--json"}, {}, admin);
        QCOMPARE(shown.exitCode, 0);
        QCOMPARE(shown.json()["recording"]["streams"][0]["pictures"].get<long long>(), total);
        // A stream that was not recorded is not there.
        QCOMPARE(m_fleet->api->get("/api/v1/sessions/" + id + "/recording?stream=3").status, 404);
        QCOMPARE(m_fleet->api->get("/api/v1/sessions/" + id + "/recording?stream=x").status, 400);
    }
};

QTEST_GUILESS_MAIN(TestDesktopSessions)
#include "TestDesktopSessions.moc"
