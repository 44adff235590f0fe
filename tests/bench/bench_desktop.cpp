// bench-desktop: the remote desktop as a technician feels it. A virtual 1080p display (Xvfb) plays scripted
// scenes (a still screen, typing, a scrolling document, full-screen motion); the real agent captures and
// encodes it, the real server relays it over loopback TLS, and the console's own core (DesktopSession,
// VideoDecoder) decodes it. Latency is glass to glass: from a colour change on the agent's display (the X
// server has drawn it) until that pixel changes in the decoded picture. With --compare tigervnc the same
// scenes run through TigerVNC's x0vncserver and vncviewer (its own display), measured the same way.
//
// Usage: bench-desktop [--codec vp8|h264] [--width W] [--height H] [--seconds S] [--compare tigervnc]
//                      [--postgres fast|durable]
// Prints one JSON object as its last line.
#include "BenchArguments.h"
#include "BenchFigures.h"
#include "ChildProcess.h"
#include "ConsoleFixture.h"
#include "DesktopSession.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "XvfbServer.h"

#include <QCoreApplication>
#include <QProcess>
#include <QtTest>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <arpa/inet.h>
#include <array>
#include <atomic>
#include <cmath>
#include <deque>
#include <iostream>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace breeze;
using Clock = std::chrono::steady_clock;

namespace {
constexpr int kMarker = 64; // the top-left square whose colour says which scene step is shown
// Colours far apart in every codec's eyes: a decoded marker is told apart whatever the loss.
constexpr std::array<std::uint32_t, 12> kPalette = {0x000000, 0xFFFFFF, 0xFF0000, 0x00FF00,
                                                    0x0000FF, 0xFFFF00, 0x00FFFF, 0xFF00FF,
                                                    0x808080, 0xFF8000, 0x8000FF, 0x008040};

int nearestPalette(std::uint32_t rgb) {
    int best = -1;
    int bestDistance = 1 << 30;
    for (std::size_t i = 0; i < kPalette.size(); ++i) {
        int distance = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            const int d = int((rgb >> shift) & 0xFF) - int((kPalette[i] >> shift) & 0xFF);
            distance += d * d;
        }
        if (distance < bestDistance) {
            bestDistance = distance;
            best = static_cast<int>(i);
        }
    }
    return bestDistance < 3 * 60 * 60 ? best : -1;
}

std::string argument(int argc, char** argv, const std::string& name, const std::string& fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (argv[i] == name)
            return argv[i + 1];
    return fallback;
}

// When each marker colour went up on the agent's display, and matching what a viewer shows to it.
class MarkerLog {
public:
    void drawn(int index) {
        const std::lock_guard lock(m_mutex);
        m_drawn.push_back({index, Clock::now()});
        while (m_drawn.size() > 64)
            m_drawn.pop_front();
    }
    // A viewer shows marker `index` now: how long since it was drawn (none when it is not a new one).
    std::optional<double> seen(int index) {
        const std::lock_guard lock(m_mutex);
        if (index < 0 || index == m_lastSeen)
            return std::nullopt;
        m_lastSeen = index;
        const auto now = Clock::now();
        // The newest drawing of that colour: walked from the back.
        for (std::size_t i = m_drawn.size(); i-- > 0;)
            if (m_drawn[i].index == index && m_drawn[i].at <= now)
                return std::chrono::duration<double, std::milli>(now - m_drawn[i].at).count();
        return std::nullopt;
    }
    void reset() {
        const std::lock_guard lock(m_mutex);
        m_drawn.clear();
        m_lastSeen = -1;
    }

private:
    struct Drawn {
        int index;
        Clock::time_point at;
    };
    std::mutex m_mutex;
    std::deque<Drawn> m_drawn;
    int m_lastSeen = -1;
};

// The agent's display as the scenes paint it: a full-screen window, and whole pictures through shared memory
// (two, so one is drawn while the X server copies the other).
class SceneScreen {
public:
    static constexpr int kFrames = 2;

    SceneScreen(const test::XvfbServer& xvfb, int width, int height) : m_width(width), m_height(height) {
        qputenv("XAUTHORITY", xvfb.authorityFile().toLocal8Bit());
        m_display = XOpenDisplay(xvfb.display().toLocal8Bit().constData());
        if (!m_display)
            throw std::runtime_error("cannot open the scene display");
        const int screen = DefaultScreen(m_display);
        XSetWindowAttributes attributes{};
        attributes.override_redirect = True;
        attributes.background_pixel = WhitePixel(m_display, screen);
        m_window = XCreateWindow(m_display, RootWindow(m_display, screen), 0, 0, static_cast<unsigned>(width),
                                 static_cast<unsigned>(height), 0, CopyFromParent, InputOutput,
                                 CopyFromParent, CWOverrideRedirect | CWBackPixel, &attributes);
        m_gc = XCreateGC(m_display, m_window, 0, nullptr);
        XMapRaised(m_display, m_window);
        m_frames.resize(kFrames);
        for (auto& frame : m_frames) {
            frame.image =
                XShmCreateImage(m_display, DefaultVisual(m_display, screen), 24, ZPixmap, nullptr, &frame.shm,
                                static_cast<unsigned>(width), static_cast<unsigned>(height));
            frame.shm.shmid = shmget(IPC_PRIVATE,
                                     static_cast<std::size_t>(frame.image->bytes_per_line) *
                                         static_cast<std::size_t>(height),
                                     IPC_CREAT | 0600);
            frame.shm.shmaddr = frame.image->data = static_cast<char*>(shmat(frame.shm.shmid, nullptr, 0));
            frame.shm.readOnly = False;
            XShmAttach(m_display, &frame.shm);
        }
        XSync(m_display, False);
        for (auto& frame : m_frames)
            shmctl(frame.shm.shmid, IPC_RMID, nullptr);
    }
    ~SceneScreen() {
        for (auto& frame : m_frames) {
            XShmDetach(m_display, &frame.shm);
            XDestroyImage(frame.image);
            shmdt(frame.shm.shmaddr);
        }
        XFreeGC(m_display, m_gc);
        XCloseDisplay(m_display);
    }
    std::uint32_t* pixels(int frame) {
        return reinterpret_cast<std::uint32_t*>(m_frames[static_cast<std::size_t>(frame)].image->data);
    }
    int stride() const { return m_frames.front().image->bytes_per_line / 4; }
    void fill(int x, int y, int width, int height, std::uint32_t rgb) {
        XSetForeground(m_display, m_gc, rgb);
        XFillRectangle(m_display, m_window, m_gc, x, y, static_cast<unsigned>(width),
                       static_cast<unsigned>(height));
    }
    void put(int frame) {
        XShmPutImage(m_display, m_window, m_gc, m_frames[static_cast<std::size_t>(frame)].image, 0, 0, 0, 0,
                     static_cast<unsigned>(m_width), static_cast<unsigned>(m_height), False);
    }
    // Waits until the X server has drawn everything asked so far: the moment "the glass" changed.
    void sync() { XSync(m_display, False); }

private:
    struct Frame {
        XImage* image = nullptr;
        XShmSegmentInfo shm{};
    };
    int m_width;
    int m_height;
    Display* m_display = nullptr;
    Window m_window = 0;
    GC m_gc = nullptr;
    std::vector<Frame> m_frames;
};

enum class Scene { Still, Typing, Scroll, Motion };

// Plays one scene on its own thread, at its own pace, until stopped; every step moves the marker.
class ScenePlayer {
public:
    ScenePlayer(SceneScreen& screen, MarkerLog& markers, int width, int height)
        : m_screen(screen), m_markers(markers), m_width(width), m_height(height) {}
    ~ScenePlayer() { stop(); }

    void play(Scene scene) {
        stop();
        m_stop = false;
        m_steps = 0;
        m_thread = std::thread([this, scene] { run(scene); });
    }
    void stop() {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }
    long steps() const { return m_steps; }

private:
    void marker(long step) {
        const int index = static_cast<int>(step % static_cast<long>(kPalette.size()));
        m_screen.fill(0, 0, kMarker, kMarker, kPalette[static_cast<std::size_t>(index)]);
        m_screen.sync();
        m_markers.drawn(index);
    }

    // A page of text-like strokes on white, `offset` lines scrolled.
    void document(std::uint32_t* pixels, long offset) {
        const int stride = m_screen.stride();
        for (int y = 0; y < m_height; ++y) {
            const long line = (y + offset) / 22;
            const int inLine = static_cast<int>((y + offset) % 22);
            std::uint32_t* row = pixels + static_cast<std::ptrdiff_t>(y) * stride;
            for (int x = 0; x < m_width; ++x) {
                const int glyph = x / 9;
                const bool ink = inLine >= 5 && inLine < 17 && x % 9 < 2 + (glyph + line) % 5 &&
                                 (glyph * 7L + line * 13) % 5 != 0 && x > 20 && x < m_width - 40;
                row[x] = ink ? 0x202020 : 0xFAFAFA;
            }
        }
    }

    // Colour everywhere, moving: a drifting gradient and bouncing boxes (video-like, nothing stays put).
    void motion(std::uint32_t* pixels, long frame) {
        const int stride = m_screen.stride();
        for (int y = 0; y < m_height; ++y) {
            std::uint32_t* row = pixels + static_cast<std::ptrdiff_t>(y) * stride;
            for (int x = 0; x < m_width; ++x) {
                const auto r = static_cast<std::uint32_t>((x + frame * 7) & 0xFF);
                const auto g = static_cast<std::uint32_t>((y + frame * 3) & 0xFF);
                const auto b = static_cast<std::uint32_t>(((x + y) / 4 + frame * 5) & 0xFF);
                row[x] = (r << 16) | (g << 8) | b;
            }
        }
        for (int box = 0; box < 24; ++box) {
            const int size = 60 + box * 7;
            const int x = static_cast<int>(std::abs(
                ((frame * (3 + box % 7) + box * 211L) % (2L * (m_width - size))) - (m_width - size)));
            const int y = static_cast<int>(std::abs(
                ((frame * (2 + box % 5) + box * 97L) % (2L * (m_height - size))) - (m_height - size)));
            const std::uint32_t colour = kPalette[static_cast<std::size_t>(box) % kPalette.size()] ^ 0x336699;
            for (int yy = y; yy < y + size; ++yy)
                std::fill_n(pixels + static_cast<std::ptrdiff_t>(yy) * stride + x, size, colour);
        }
    }

    void run(Scene scene) {
        using namespace std::chrono;
        // Typing at a steady 10 characters a second; scrolling and motion at 30 pictures a second (a video
        // playing), as fast as the stream takes them.
        const auto period = scene == Scene::Typing ? microseconds(100'000) : microseconds(33'333);
        auto next = Clock::now();
        long column = 0;
        long line = 0;
        if (scene == Scene::Typing || scene == Scene::Still) {
            document(m_screen.pixels(0), 0);
            m_screen.put(0);
            m_screen.sync();
        }
        while (!m_stop) {
            switch (scene) {
            case Scene::Still:
                std::this_thread::sleep_for(milliseconds(20));
                continue;
            case Scene::Typing:
                // One character (a glyph-sized stroke) every 100 ms, a technician's steady typing.
                m_screen.fill(24 + static_cast<int>(column) * 9, 200 + static_cast<int>(line) * 22, 6, 12,
                              0x102080);
                if (++column == 100) {
                    column = 0;
                    line = (line + 1) % 20;
                }
                break;
            case Scene::Scroll:
                document(m_screen.pixels(static_cast<int>(m_steps % 2)), m_steps * 6); // 180 pixels a second
                m_screen.put(static_cast<int>(m_steps % 2));
                break;
            case Scene::Motion:
                motion(m_screen.pixels(static_cast<int>(m_steps % 2)), m_steps);
                m_screen.put(static_cast<int>(m_steps % 2));
                break;
            }
            marker(m_steps);
            ++m_steps;
            next += period;
            std::this_thread::sleep_until(next);
        }
    }

    SceneScreen& m_screen;
    MarkerLog& m_markers;
    int m_width;
    int m_height;
    std::atomic<bool> m_stop{true};
    std::atomic<long> m_steps{0};
    std::thread m_thread;
};

double cpuSeconds(qint64 pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = all.rfind(')');
    if (close == std::string::npos)
        return 0;
    std::istringstream fields(all.substr(close + 2));
    std::string field;
    long utime = 0;
    long stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14)
            utime = std::stol(field);
        if (i == 15)
            stime = std::stol(field);
    }
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

struct SceneFigures {
    double kbps = 0;
    double fps = 0;
    std::vector<double> latencies;
    double cpuCores = 0;
    double encodeMs = 0;
    double decodeMs = 0;
};

// What a run of scenes measured, for one system.
struct Run {
    std::map<Scene, SceneFigures> scenes;
    long failures = 0;
    bool timings = true; // encode and decode times known (TigerVNC does not say)
    nlohmann::json json(const char* motionLatencyFrom) const {
        const auto& motion = scenes.at(Scene::Motion);
        const auto known = [this](double value) {
            return timings ? nlohmann::json(value) : nlohmann::json();
        };
        return {{"fps", std::round(motion.fps * 10) / 10},
                {"p50_latency_ms", std::round(test::percentile(motion.latencies, 0.50) * 10) / 10},
                {"p95_latency_ms", std::round(test::percentile(motion.latencies, 0.95) * 10) / 10},
                {"p50_latency_typing_ms",
                 std::round(test::percentile(scenes.at(Scene::Typing).latencies, 0.50) * 10) / 10},
                {"p95_latency_typing_ms",
                 std::round(test::percentile(scenes.at(Scene::Typing).latencies, 0.95) * 10) / 10},
                {"encode_ms_typing", known(std::round(scenes.at(Scene::Typing).encodeMs * 100) / 100)},
                {"decode_ms_typing", known(std::round(scenes.at(Scene::Typing).decodeMs * 100) / 100)},
                {"kbps_static", std::lround(scenes.at(Scene::Still).kbps)},
                {"kbps_typing", std::lround(scenes.at(Scene::Typing).kbps)},
                {"kbps_scroll", std::lround(scenes.at(Scene::Scroll).kbps)},
                {"kbps_motion", std::lround(motion.kbps)},
                {"agent_cpu_cores", std::round(motion.cpuCores * 100) / 100},
                {"encode_ms", known(std::round(motion.encodeMs * 100) / 100)},
                {"decode_ms", known(std::round(motion.decodeMs * 100) / 100)},
                {"latency_samples_motion", motion.latencies.size()},
                {"latency_samples_typing", scenes.at(Scene::Typing).latencies.size()},
                {"latency_from", motionLatencyFrom},
                {"failures", failures}};
    }
};
} // namespace

// ---- Breeze: agent -> server -> console core -------------------------------------------------------------

namespace {
Run runBreeze(int argc, char** argv, const test::XvfbServer& xvfb, SceneScreen& screen, MarkerLog& markers,
              int width, int height, int seconds, const QString& codec) {
    Run run;
    test::TestPostgres postgres(test::durabilityArgument(argc, argv));
    test::TestFleet fleet(postgres, "bench_desktop", "bench@desktop.test", "Bench MSP", "Fleet", "HQ",
                          {{"log.level", "warning"}});
    test::TestAgent::Options options;
    options.identity = "bench-desktop-01";
    options.runArgs = {"--desktop-display", xvfb.display(), "--desktop-xauthority", xvfb.authorityFile()};
    test::TestAgent agent(*fleet.server, fleet.enrollmentKey(), options);
    agent.start();
    if (!QTest::qWaitFor(
            [&] { return fleet.api->get("/api/v1/devices/" + agent.deviceId()).body["status"] == "online"; },
            30000))
        throw std::runtime_error("the agent did not come online");
    auto api = test::consoleApi(*fleet.server);
    api->setAccessToken(QString::fromStdString(fleet.api->bearer()));
    console::DesktopSession session(*api, QString::fromStdString(agent.deviceId()));
    session.start({});
    if (!QTest::qWaitFor([&] { return session.state() == console::RelaySession::State::Live; }, 30000))
        throw std::runtime_error("the desktop did not open: " + session.status().toStdString());
    console::DesktopSession::StreamWish wish;
    wish.codec = codec;
    session.showStream(0, wish);
    long pictures = 0;
    std::vector<double>* latencies = nullptr;
    QObject::connect(&session, &console::DesktopSession::picture, [&](int, const QImage& image) {
        ++pictures;
        if (latencies && image.width() > kMarker)
            if (const auto latency =
                    markers.seen(nearestPalette(image.pixel(kMarker / 2, kMarker / 2) & 0xFFFFFF)))
                latencies->push_back(*latency);
    });
    if (!QTest::qWaitFor([&] { return pictures > 0; }, 30000))
        throw std::runtime_error("no picture arrived");
    ScenePlayer player(screen, markers, width, height);
    for (const Scene scene : {Scene::Typing, Scene::Scroll, Scene::Motion, Scene::Still}) {
        markers.reset();
        SceneFigures figures;
        player.play(scene);
        QTest::qWait(scene == Scene::Still ? 1500 : 1000); // settled: the still screen's refinement is sent
        const auto before = session.totals(0);
        const long picturesBefore = pictures;
        const double cpuBefore = cpuSeconds(agent.pid());
        const auto started = Clock::now();
        latencies = &figures.latencies;
        QTest::qWait(seconds * 1000);
        latencies = nullptr;
        const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
        const auto after = session.totals(0);
        figures.kbps = double(after.bytes - before.bytes) * 8 / 1000 / elapsed;
        figures.fps = double(pictures - picturesBefore) / elapsed;
        figures.cpuCores = (cpuSeconds(agent.pid()) - cpuBefore) / elapsed;
        const auto received = after.received - before.received;
        const auto decoded = after.decoded - before.decoded;
        figures.encodeMs =
            received ? double(after.hostMicros - before.hostMicros) / 1000 / double(received) : 0;
        figures.decodeMs =
            decoded ? double(after.decodeMicros - before.decodeMicros) / 1000 / double(decoded) : 0;
        // A marker drawn and never seen is a failure: it is counted, not left out.
        if (scene != Scene::Still && figures.latencies.empty())
            ++run.failures;
        player.stop();
        run.scenes[scene] = figures;
    }
    session.close();
    QTest::qWait(300);
    return run;
}
} // namespace

// ---- TigerVNC: x0vncserver on the same display, vncviewer on its own -------------------------------------

namespace {
// Passes bytes between a viewer and a server on loopback, counting what the server sends.
class CountingProxy {
public:
    CountingProxy(int targetPort) : m_target(targetPort) {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(m_listener, 1) != 0)
            throw std::runtime_error("the counting proxy cannot listen");
        socklen_t length = sizeof address;
        ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] { run(); });
    }
    ~CountingProxy() {
        m_stop = true;
        m_thread.join();
        ::close(m_listener);
    }
    int port() const { return m_port; }
    std::uint64_t toViewer() const { return m_toViewer; }

private:
    void run() {
        pollfd accept{m_listener, POLLIN, 0};
        while (!m_stop && ::poll(&accept, 1, 100) == 0) {
        }
        if (m_stop)
            return;
        const int viewer = ::accept(m_listener, nullptr, nullptr);
        const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(static_cast<std::uint16_t>(m_target));
        if (::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            m_stop = true; // the server is not there: the viewer sees the connection end
        std::vector<char> buffer(1 << 20);
        pollfd fds[2] = {{viewer, POLLIN, 0}, {server, POLLIN, 0}};
        while (!m_stop) {
            if (::poll(fds, 2, 100) <= 0)
                continue;
            for (int i = 0; i < 2; ++i) {
                if (!(fds[i].revents & (POLLIN | POLLHUP)))
                    continue;
                const auto got = ::read(fds[i].fd, buffer.data(), buffer.size());
                if (got <= 0) {
                    m_stop = true;
                    break;
                }
                if (i == 1)
                    m_toViewer += static_cast<std::uint64_t>(got);
                for (ssize_t sent = 0; sent < got;) {
                    const auto wrote =
                        ::write(fds[1 - i].fd, buffer.data() + sent, static_cast<std::size_t>(got - sent));
                    if (wrote <= 0)
                        break;
                    sent += wrote;
                }
            }
        }
        ::close(viewer);
        ::close(server);
    }

    int m_target;
    int m_listener = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<std::uint64_t> m_toViewer{0};
    std::thread m_thread;
};

// Watches the marker on the viewer's own display (polling, as nothing tells us when vncviewer drew).
class ViewerWatch {
public:
    ViewerWatch(const test::XvfbServer& xvfb, MarkerLog& markers) : m_markers(markers) {
        qputenv("XAUTHORITY", xvfb.authorityFile().toLocal8Bit());
        m_display = XOpenDisplay(xvfb.display().toLocal8Bit().constData());
        m_thread = std::thread([this] { run(); });
    }
    ~ViewerWatch() {
        m_stop = true;
        m_thread.join();
        if (m_display)
            XCloseDisplay(m_display);
    }
    void record(std::vector<double>* latencies) {
        const std::lock_guard lock(m_mutex);
        m_latencies = latencies;
    }
    long changes() const { return m_changes; }

private:
    void run() {
        int last = -2;
        while (!m_stop && m_display) {
            // The viewer's window sits at the display's origin, its picture at the top-left of it (full
            // screen, as vncviewer is told).
            XImage* image = XGetImage(m_display, DefaultRootWindow(m_display), kMarker / 2, kMarker / 2, 1, 1,
                                      AllPlanes, ZPixmap);
            if (image) {
                const int index =
                    nearestPalette(static_cast<std::uint32_t>(XGetPixel(image, 0, 0) & 0xFFFFFF));
                XDestroyImage(image);
                if (index != last && index >= 0) {
                    last = index;
                    ++m_changes;
                    const auto latency = m_markers.seen(index);
                    const std::lock_guard lock(m_mutex);
                    if (latency && m_latencies)
                        m_latencies->push_back(*latency);
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }

    MarkerLog& m_markers;
    Display* m_display = nullptr;
    std::mutex m_mutex;
    std::vector<double>* m_latencies = nullptr;
    std::atomic<long> m_changes{0};
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

int freePort() {
    const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        throw std::runtime_error("no free port");
    socklen_t length = sizeof address;
    ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(probe);
    return ntohs(address.sin_port);
}

Run runTigerVnc(const test::XvfbServer& xvfb, SceneScreen& screen, MarkerLog& markers, int width, int height,
                int seconds) {
    Run run;
    const int port = freePort();
    QProcess server;
    test::dieWithTest(server);
    auto environment = QProcessEnvironment::systemEnvironment();
    environment.insert("XAUTHORITY", xvfb.authorityFile());
    server.setProcessEnvironment(environment);
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // TigerVNC as it comes: its defaults for polling and CPU use, no password on loopback.
    // X0tigervnc is the program x0vncserver's Perl wrapper starts: run directly, so its CPU is what is read.
    server.start("X0tigervnc", {"-display", xvfb.display(), "-rfbport", QString::number(port),
                                "-SecurityTypes", "None", "-localhost", "-AlwaysShared"});
    if (!server.waitForStarted(10000))
        throw std::runtime_error(
            "X0tigervnc did not start (tigervnc-scraping-server, in scripts/debian-packages.txt)");
    QTest::qWait(1000);
    CountingProxy proxy(port);
    test::XvfbServer viewerDisplay(width, height);
    if (!viewerDisplay.start())
        throw std::runtime_error("no display for the viewer: " + viewerDisplay.error().toStdString());
    QProcess viewer;
    test::dieWithTest(viewer);
    auto viewerEnvironment = QProcessEnvironment::systemEnvironment();
    viewerEnvironment.insert("XAUTHORITY", viewerDisplay.authorityFile());
    viewerEnvironment.insert("DISPLAY", viewerDisplay.display());
    viewer.setProcessEnvironment(viewerEnvironment);
    viewer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    viewer.start("vncviewer",
                 {"-FullScreen", "-SecurityTypes", "None", QString("127.0.0.1::%1").arg(proxy.port())});
    if (!viewer.waitForStarted(10000))
        throw std::runtime_error("vncviewer did not start (scripts/debian-packages.txt lists it)");
    ViewerWatch watch(viewerDisplay, markers);
    QTest::qWait(3000);
    ScenePlayer player(screen, markers, width, height);
    for (const Scene scene : {Scene::Typing, Scene::Scroll, Scene::Motion, Scene::Still}) {
        markers.reset();
        SceneFigures figures;
        player.play(scene);
        QTest::qWait(scene == Scene::Still ? 1500 : 1000);
        const std::uint64_t bytesBefore = proxy.toViewer();
        const long changesBefore = watch.changes();
        const double cpuBefore = cpuSeconds(server.processId());
        const auto started = Clock::now();
        watch.record(&figures.latencies);
        QTest::qWait(seconds * 1000);
        watch.record(nullptr);
        const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
        figures.kbps = double(proxy.toViewer() - bytesBefore) * 8 / 1000 / elapsed;
        figures.fps = double(watch.changes() - changesBefore) / elapsed;
        figures.cpuCores = (cpuSeconds(server.processId()) - cpuBefore) / elapsed;
        if (scene != Scene::Still && figures.latencies.empty())
            ++run.failures;
        player.stop();
        run.scenes[scene] = figures;
    }
    viewer.kill();
    viewer.waitForFinished(3000);
    server.kill();
    server.waitForFinished(3000);
    run.timings = false;
    return run;
}
} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QString codec = QString::fromStdString(argument(argc, argv, "--codec", "vp8"));
    const int width = std::clamp(test::intArgument(argc, argv, "--width", 1920), 320, 7680);
    const int height = std::clamp(test::intArgument(argc, argv, "--height", 1080), 240, 4320);
    const int seconds = std::clamp(test::intArgument(argc, argv, "--seconds", 10), 2, 3600);
    const bool compare = argument(argc, argv, "--compare", "") == "tigervnc";
    if (codec != "vp8" && codec != "h264") {
        std::cerr << "--codec is vp8 or h264\n";
        return 2;
    }
    try {
        test::XvfbServer xvfb(width, height);
        if (!xvfb.start())
            throw std::runtime_error(xvfb.error().toStdString());
        SceneScreen screen(xvfb, width, height);
        MarkerLog markers;
        const Run ours = runBreeze(argc, argv, xvfb, screen, markers, width, height, seconds, codec);
        nlohmann::json figures = ours.json("the console core's decoded picture");
        figures["benchmark"] = "desktop";
        figures["codec"] = codec.toStdString();
        figures["width"] = width;
        figures["height"] = height;
        figures["seconds_per_scene"] = seconds;
#ifdef NDEBUG
        figures["build"] = "release";
#else
        figures["build"] = "debug (sanitizers when the test build)";
#endif
        figures["conditions"] =
            "Xvfb " + std::to_string(width) + "x" + std::to_string(height) +
            " on this machine; scenes drawn by a client of that display (typing: one glyph every 100 ms; "
            "scroll: a text page moved 6 px every 33 ms; motion: full-screen gradient and 24 moving boxes, "
            "drawn 30 times a second; still: nothing); the scene client (drawing each picture as it goes), "
            "X server, agent, server and console core share the machine's cores; loopback TLS; latency = "
            "marker colour drawn (XSync) to seen in the console core's decoded picture; fps = decoded "
            "pictures a second during motion; encode_ms = capture to sent on the agent; PostgreSQL is not "
            "on the picture path";
        if (compare) {
            const Run vnc = runTigerVnc(xvfb, screen, markers, width, height, seconds);
            figures["tigervnc"] = vnc.json("vncviewer's window, polled every 2 ms");
            figures["tigervnc"]["conditions"] =
                "x0vncserver (X0tigervnc, TigerVNC defaults, -localhost, no password) on the same display, "
                "vncviewer "
                "full screen on its own Xvfb, bytes counted by a loopback proxy between them; fps = marker "
                "changes seen on the viewer's display a second; agent_cpu_cores = x0vncserver's";
        }
        std::cout << figures.dump() << std::endl;
        return ours.failures == 0 ? 0 : 1;
    } catch (const std::exception& error) {
        std::cerr << "bench-desktop: " << error.what() << "\n";
        return 1;
    }
}
