// The console's remote desktop, offscreen, against a real server and a real agent that shows a real X server
// (Xvfb with two RandR monitors): the picture matches the screen; clicks and keys from the viewer reach an X
// client; the monitor picker and one window per monitor; view-only sends nothing; the figures overlay counts;
// a dropped connection comes back with its picture; and a terminal on the same device keeps going while a
// desktop opens and closes.
#include "ConsoleConnection.h"
#include "ConsoleFixture.h"
#include "ConsoleOnDevice.h"
#include "ConsoleProcess.h"
#include "DesktopSession.h"
#include "ProgramRun.h"
#include "TerminalScreen.h"
#include "TerminalSession.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "XWindowProbe.h"
#include "XvfbServer.h"
#include "devices/DeviceSessionsTab.h"
#include "devices/DeviceView.h"
#include "remote/DesktopRecordingPlayer.h"
#include "remote/DesktopView.h"
#include "remote/DesktopWindow.h"
#include "remote/FrameSurface.h"
#include "remote/TerminalView.h"
#include "shell/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolBar>
#include <QtTest>

using namespace breeze;
using namespace breeze::console;
using test::XWindowProbe;

namespace {
constexpr int kWidth = 1280;
constexpr int kHeight = 720;
constexpr int kHalf = kWidth / 2;

bool near(QRgb pixel, QRgb colour, int tolerance = 24) {
    return std::abs(qRed(pixel) - qRed(colour)) <= tolerance &&
           std::abs(qGreen(pixel) - qGreen(colour)) <= tolerance &&
           std::abs(qBlue(pixel) - qBlue(colour)) <= tolerance;
}
} // namespace

class TestConsoleDesktop final : public QObject {
    Q_OBJECT

    test::XvfbServer m_xvfb{kWidth, kHeight};
    std::unique_ptr<XWindowProbe> m_probe;
    std::unique_ptr<test::ConsoleOnDevice> m_stack;
    std::unique_ptr<MainWindow> m_window;

    DesktopWindow* open() {
        auto* window = m_window->openDesktop(m_stack->deviceId);
        if (!window || !QTest::qWaitFor([&] { return window->view()->hasPicture(); }, 20000))
            return nullptr;
        return window;
    }

    static bool shows(DesktopView* view, QPoint at, QRgb colour) {
        return QTest::qWaitFor([&] { return view->hasPicture() && near(view->picture().pixel(at), colour); },
                               10000);
    }

    // The view's own point that lands on `remote` in the picture.
    static QPoint local(DesktopView* view, QPoint remote) {
        for (int y = 0; y < view->height(); ++y)
            for (int x = 0; x < view->width(); ++x)
                if (const auto at = view->toRemote({x, y});
                    at && at->x() >= remote.x() && at->y() >= remote.y())
                    return {x, y};
        return {};
    }

    QAction* action(DesktopWindow* window, const QString& text) {
        for (QAction* candidate : window->findChild<QToolBar*>()->actions())
            if (candidate->text() == text)
                return candidate;
        return nullptr;
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
        m_stack = std::make_unique<test::ConsoleOnDevice>();
        QVERIFY(m_stack->start(
            "desktop", "console-desktop-01",
            {"--desktop-display", m_xvfb.display(), "--desktop-xauthority", m_xvfb.authorityFile()}));
        m_window = std::make_unique<MainWindow>(*m_stack->connection);
    }

    void cleanupTestCase() {
        m_window.reset();
        m_stack.reset();
        m_probe.reset();
    }

    // What is drawn on the device shows where it was drawn, and keeps following the screen.
    void theViewerShowsTheScreen() {
        m_probe->fill({100, 100, 80, 80}, 0xFF0000);
        auto* window = open();
        QVERIFY(window);
        QCOMPARE(window->view()->picture().width(), kWidth);
        QVERIFY(shows(window->view(), {140, 140}, qRgb(255, 0, 0)));
        m_probe->fill({100, 100, 80, 80}, 0x00FF00);
        QVERIFY(shows(window->view(), {140, 140}, qRgb(0, 255, 0)));
        QVERIFY(near(window->view()->picture().pixel(60, 60), qRgb(0, 0, 0)));
        QCOMPARE(QString(window->view()->surface().name()), QString("painter")); // offscreen: no OpenGL
        // The figures overlay counts what arrives.
        window->view()->setStatsVisible(true);
        m_probe->fill({100, 100, 80, 80}, 0x0000FF);
        QVERIFY(QTest::qWaitFor(
            [&] {
                return window->session().figures(0).receivedFps > 0 && window->session().figures(0).kbps > 0;
            },
            5000));
        QVERIFY2(window->view()->statsText().contains("fps"), qPrintable(window->view()->statsText()));
        window->close();
    }

    // Clicks and typing in the viewer reach the X client under them, at the same place.
    void clicksAndKeysReachTheDevice() {
        m_probe->fill({0, 0, kWidth, kHeight}, 0x000000);
        m_probe->focus();
        auto* window = open();
        QVERIFY(window);
        window->show();
        DesktopView* view = window->view();
        const QPoint at = local(view, {300, 310});
        const auto remote = view->toRemote(at);
        QVERIFY(remote);
        QTest::mouseMove(view, at);
        QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, at);
        QTest::keyClicks(view, "hi");
        using Kind = XWindowProbe::Event::Kind;
        QVERIFY(m_probe->waitFor(
            [&](const auto& events) {
                return std::any_of(events.begin(), events.end(), [&](const auto& e) {
                    return e.kind == Kind::ButtonDown && e.button == 1 && e.x == remote->x() &&
                           e.y == remote->y();
                });
            },
            10000));
        QVERIFY2(m_probe->waitFor([&](const auto&) { return m_probe->typed().endsWith("hi"); }, 10000),
                 qPrintable(m_probe->typed()));
        // View only: nothing more reaches the device.
        action(window, tr("View only"))->setChecked(true);
        const auto before = m_probe->events().size();
        QTest::keyClicks(view, "no");
        QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, at);
        QTest::qWait(500);
        m_probe->waitFor([](const auto&) { return false; }, 200);
        QCOMPARE(m_probe->events().size(), before);
        window->close();
    }

    // The picker shows one monitor; one window per monitor shows each in its own window.
    void monitorsOneAtATimeOrEachInItsWindow() {
        m_probe->fill({0, 0, kWidth, kHeight}, 0x000000);
        m_probe->fill({kHalf + 40, 40, 40, 40}, 0xFFFF00);
        auto* window = open();
        QVERIFY(window);
        QVERIFY(window->session().monitors().size() >= 2);
        window->chooseMonitor("RIGHT-2");
        QVERIFY(QTest::qWaitFor([&] { return window->view()->picture().width() == kHalf; }, 10000));
        QVERIFY(shows(window->view(), {60, 60}, qRgb(255, 255, 0)));
        window->openWindowPerMonitor();
        const auto extra = window->monitorViews();
        QCOMPARE(extra.size(), window->session().monitors().size() - 1);
        for (DesktopView* view : extra)
            QVERIFY(QTest::qWaitFor([&] { return view->hasPicture(); }, 10000));
        const auto right = std::find_if(extra.begin(), extra.end(), [&](DesktopView* view) {
            return window->session().wish(view->stream()).monitor == "RIGHT-2";
        });
        const bool rightInMain = window->session().wish(0).monitor == "RIGHT-2";
        QVERIFY(rightInMain || right != extra.end());
        DesktopView* showsRight = rightInMain ? window->view() : *right;
        QVERIFY(shows(showsRight, {60, 60}, qRgb(255, 255, 0)));
        window->close();
    }

    // A dropped connection: the viewer attaches again by itself and asks for its picture again.
    void aDroppedConnectionComesBack() {
        auto* window = open();
        QVERIFY(window);
        window->session().reconnect();
        QVERIFY(
            QTest::qWaitFor([&] { return window->session().state() == RelaySession::State::Live; }, 20000));
        m_probe->fill({500, 300, 40, 40}, 0xFF00FF);
        QVERIFY(shows(window->view(), {520, 320}, qRgb(255, 0, 255)));
        window->close();
    }

    // breeze-console --view desktop:ID --screenshot FILE waits for the picture and saves it.
    void theConsoleTakesAScreenshotOfADesktop_data() {
        QTest::addColumn<QString>("surface");
        QTest::newRow("painter") << "painter"; // offscreen
        QTest::newRow("opengl") << "opengl";   // on an X server of its own, through Mesa's software renderer
    }

    // The real console binary shows the desktop and saves a screenshot of it, drawn either way.
    void theConsoleTakesAScreenshotOfADesktop() {
        QFETCH(QString, surface);
        m_probe->fill({0, 0, kWidth, kHeight}, 0x000000);
        m_probe->fill({300, 200, 200, 120}, 0xFF8000);
        test::totpNext(
            m_stack->fleet->admin.totpSecret); // the console signs in with the next code of its own
        QTemporaryDir dir;
        const QString stack = test::writeDevStack(*m_stack->fleet->server, m_stack->fleet->admin, dir.path());
        QVERIFY(!stack.isEmpty());
        const QString png = dir.filePath("desktop.png");
        QProcessEnvironment environment = test::consoleEnvironment(dir.path());
        test::XvfbServer screen{1280, 800}; // the technician's own screen, not the device's
        if (surface == "opengl") {
            QVERIFY2(screen.start(), qPrintable(screen.error()));
            environment.insert("QT_QPA_PLATFORM", "xcb");
            environment.insert("DISPLAY", screen.display());
            environment.insert("XAUTHORITY", screen.authorityFile());
            environment.insert("BREEZE_CONSOLE_OPENGL", "1");
            environment.insert("LIBGL_ALWAYS_SOFTWARE", "1");
            // Mesa's driver is unloaded before LeakSanitizer reports what it (and libdbus under the xcb
            // platform) kept at exit, so those reports have no frames a suppression could match. Leaks are
            // checked in the same binary's painter run; this one checks the OpenGL drawing.
            environment.insert("ASAN_OPTIONS", environment.value("ASAN_OPTIONS") + ":detect_leaks=0");
        }
        QProcess console;
        console.setProcessEnvironment(environment);
        console.start(QString::fromStdString(test::binDir() + "/breeze-console"),
                      {"--dev-stack", stack, "--view", "desktop:" + m_stack->deviceId, "--screenshot", png});
        QVERIFY(console.waitForFinished(90000));
        const QString errors = QString::fromUtf8(console.readAllStandardError());
        QVERIFY2(console.exitCode() == 0, qPrintable(errors));
        QVERIFY2(errors.contains("the desktop was drawn with " + surface), qPrintable(errors));
        const QImage image(png);
        QVERIFY(!image.isNull());
        // The orange box of the remote screen is in the picture, scaled to the window.
        int orange = 0;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2)
                orange += near(image.pixel(x, y), qRgb(255, 128, 0)) ? 1 : 0;
        QVERIFY2(orange > 1000, qPrintable(QString::number(orange)));
    }

    // A terminal on the same device goes on while a desktop opens and closes.
    void aDesktopLeavesTheTerminalAlone() {
        auto* terminal = m_window->openTerminal(m_stack->deviceId);
        QVERIFY(terminal);
        QVERIFY(QTest::qWaitFor([&] { return terminal->session().state() == TerminalSession::State::Live; },
                                20000));
        auto* window = open();
        QVERIFY(window);
        window->close();
        QTest::qWait(300);
        QCOMPARE(terminal->session().state(), TerminalSession::State::Live);
        QTest::keyClicks(terminal, "echo still'-'here");
        QTest::keyClick(terminal, Qt::Key_Return);
        QVERIFY(QTest::qWaitFor(
            [&] {
                auto& screen = terminal->session().screen();
                for (int line = 0; line < screen.lineCount(); ++line)
                    if (screen.lineText(line).contains("still-here"))
                        return true;
                return false;
            },
            15000));
    }

    // A desktop opened to be recorded says so; once it is closed, the device's Sessions tab lists it as
    // recorded and plays it: the picture at the start is the screen as it was then, seeking to the end shows
    // how it ended, and playing runs to the end.
    void aRecordedDesktopPlaysBackInTheConsole() {
        m_probe->fill({0, 0, kWidth, kHeight}, 0x000000);
        m_probe->fill({100, 100, 80, 80}, 0xFF0000);
        auto* window = m_window->openDesktop(m_stack->deviceId, {false, true});
        QVERIFY(window && QTest::qWaitFor([&] { return window->view()->hasPicture(); }, 20000));
        QVERIFY(shows(window->view(), {140, 140}, qRgb(255, 0, 0)));
        QVERIFY(window->session().recorded());
        QVERIFY2(window->status().contains("recorded"), qPrintable(window->status()));
        const QString sessionId = window->session().sessionId();
        QTest::qWait(1500);
        m_probe->fill({100, 100, 80, 80}, 0x00FF00);
        QVERIFY(shows(window->view(), {140, 140}, qRgb(0, 255, 0)));
        QTest::qWait(1500);
        window->close(); // ends the session: what was recorded is stored whole, and how it went is reported
        // How it went: pictures, their latency from capture to decoded, the bitrate.
        QTRY_VERIFY_WITH_TIMEOUT(m_stack->fleet->api->get("/api/v1/sessions/" + sessionId.toStdString())
                                     .body["quality"]
                                     .is_object(),
                                 10000);
        const auto quality =
            m_stack->fleet->api->get("/api/v1/sessions/" + sessionId.toStdString()).body["quality"];
        QVERIFY(quality["pictures_decoded"].get<double>() >= 2);
        QVERIFY(quality["fps"].get<double>() > 0 && quality["kbps"].get<double>() > 0);
        const auto& latency = quality["latency_ms"];
        QVERIFY2(latency["p50"].get<double>() > 0 && latency["p50"] <= latency["p95"] &&
                     latency["p95"] <= latency["p99"] && latency["p99"].get<double>() < 5000,
                 latency.dump().c_str());
        QVERIFY(quality["seconds"].get<double>() >= 3);
        QCOMPARE(quality["codec"], "vp8");
        // breeze-admin shows it in a line a person reads, and the recording beside it.
        QTemporaryDir home(test::testTempRoot() + "/admin-XXXXXX");
        const QProcessEnvironment admin = m_stack->fleet->adminEnvironment(home.path(), "cli");
        const auto shown = test::ProgramRun::run("breeze-admin", {"sessions", "show", sessionId}, {}, admin);
        QCOMPARE(shown.exitCode, 0);
        QVERIFY2(shown.out.contains(
                     QRegularExpression("quality: [0-9.]+ fps, [0-9]+ kbit/s, latency p50 [0-9]+ ms")),
                 qPrintable(shown.out));
        QVERIFY2(shown.out.contains(QRegularExpression("recording: [0-9.]+ MB; stream 0: vp8 1280x720")),
                 qPrintable(shown.out));

        DeviceView* device = m_window->openDevice(m_stack->deviceId);
        auto* tab = device->findChild<DeviceSessionsTab*>();
        QVERIFY(tab);
        const auto listedAsRecorded = [&] {
            QSignalSpy loaded(tab, &DeviceSessionsTab::loaded);
            tab->reload();
            if (!loaded.wait(10000))
                return false;
            for (int row = 0; row < tab->table()->rowCount(); ++row)
                if (tab->table()->item(row, 0)->data(Qt::UserRole).toString() == sessionId)
                    return tab->table()->item(row, 0)->text().startsWith("Desktop (recorded");
            return false;
        };
        QVERIFY(QTest::qWaitFor(listedAsRecorded, 15000));
        for (int row = 0; row < tab->table()->rowCount(); ++row)
            if (tab->table()->item(row, 0)->data(Qt::UserRole).toString() == sessionId)
                QVERIFY2(tab->table()->item(row, 7)->text().contains("fps"),
                         qPrintable(tab->table()->item(row, 7)->text()));
        QSignalSpy opened(tab, &DeviceSessionsTab::playerOpened);
        tab->playRecording(sessionId);
        QVERIFY(opened.wait(15000));
        auto* player = qobject_cast<DesktopRecordingPlayer*>(opened.first().first().value<QWidget*>());
        QVERIFY(player);
        DesktopRecordingPlayback& playback = player->playback();
        // From the first picture to the last (the still screen after it adds no pictures): red for 1.5 s
        // first.
        QVERIFY2(playback.duration() >= 1400, qPrintable(QString::number(playback.duration())));
        QCOMPARE(playback.size(), QSize(kWidth, kHeight));
        const auto showing = [&](QRgb colour) {
            const bool shown = QTest::qWaitFor(
                [&] {
                    return !playback.picture().isNull() && near(playback.picture().pixel(140, 140), colour);
                },
                10000);
            if (!shown)
                qWarning("at %lld ms the player shows %s (%s)", static_cast<long long>(playback.position()),
                         playback.picture().isNull()
                             ? "nothing"
                             : qPrintable(QString::number(playback.picture().pixel(140, 140), 16)),
                         qPrintable(playback.error()));
            return shown;
        };
        QVERIFY(showing(qRgb(255, 0, 0)));
        playback.seek(playback.duration());
        QVERIFY(showing(qRgb(0, 255, 0)));
        playback.seek(200);
        QVERIFY(showing(qRgb(255, 0, 0)));
        QSignalSpy playing(&playback, &DesktopRecordingPlayback::playingChanged);
        playback.setSpeed(8);
        playback.play();
        QVERIFY(QTest::qWaitFor([&] { return !playback.playing(); }, 10000));
        QCOMPARE(playback.position(), playback.duration());
        QVERIFY(showing(qRgb(0, 255, 0)));
        QCOMPARE(playing.size(), 2); // started, stopped at the end
        player->close();
        device->close();
    }
};

QTEST_MAIN(TestConsoleDesktop)
#include "TestConsoleDesktop.moc"
