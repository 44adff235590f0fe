// The agent's desktop parts against a real X server (Xvfb): what the screen shows is what gets captured and
// encoded, a still screen costs nothing, monitors come from RandR, and input reaches X clients as typed.
#include "TestPostgres.h"
#include "TestVideoDecoder.h"
#include "XWindowProbe.h"
#include "XvfbServer.h"
#include "desktop/DisplayLocator.h"
#include "desktop/H264Encoder.h"
#include "desktop/I420Picture.h"
#include "desktop/MonitorLayout.h"
#include "desktop/Vp8Encoder.h"
#include "desktop/X11Capture.h"
#include "desktop/X11Connection.h"
#include "desktop/X11Input.h"
#include "media/VideoFileReader.h"
#include "media/VideoFileWriter.h"
#include "protocol/DesktopInput.h"

#include <QTemporaryDir>
#include <QtTest>
#include <X11/keysym.h>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unistd.h>

using namespace breeze;
using namespace breeze::agent;
using breeze::test::XWindowProbe;

namespace {
constexpr int kWidth = 1280;
constexpr int kHeight = 800;

std::uint32_t capturedRgb(const ScreenCapture& capture, int x, int y) {
    const std::uint8_t* pixel = capture.pixels() + static_cast<std::ptrdiff_t>(y) * capture.stride() +
                                static_cast<std::ptrdiff_t>(x) * 4;
    return (std::uint32_t(pixel[2]) << 16) | (std::uint32_t(pixel[1]) << 8) | pixel[0];
}

// Something like a screen of text: dark glyph-sized strokes on light lines, and a few coloured panels.
void paintDocument(XWindowProbe& probe, int seed) {
    probe.fill({0, 0, kWidth, kHeight}, 0xF0F0F0);
    probe.fill({0, 0, kWidth, 40}, 0x2050A0);
    probe.fill({900, 100, 300, 500}, 0xE0E8F0);
    for (int line = 0; line < 30; ++line)
        for (int glyph = 0; glyph < 90; ++glyph)
            if ((glyph * 7 + line * 13 + seed) % 5 != 0)
                probe.fill({20 + glyph * 9, 60 + line * 22, 2 + (glyph + line + seed) % 5, 12}, 0x202020);
}
} // namespace

class TestAgentDesktop final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(m_xvfb.start(), qPrintable(m_xvfb.error()));
        m_target = {
            m_xvfb.display().toStdString(), m_xvfb.authorityFile().toStdString(), "tester", {}, std::nullopt};
        m_probe = std::make_unique<XWindowProbe>(m_xvfb.display(), m_xvfb.authorityFile(),
                                                 QRect(0, 0, kWidth, kHeight));
        QVERIFY(m_probe->isOpen());
        m_probe->fill({0, 0, kWidth, kHeight}, 0x000000);
    }

    // The agent gets in with the session's cookie, and a wrong cookie is a clear refusal.
    void theSessionsCookieLetsTheAgentIn() {
        X11Connection connection(m_target);
        QVERIFY(connection.display());
        QVERIFY(!connection.lost());

        QTemporaryDir dir;
        QFile wrong(dir.filePath("Xauthority"));
        QVERIFY(wrong.open(QIODevice::WriteOnly));
        wrong.write(QByteArray("\xff\xff\x00\x00\x00\x00\x00\x12MIT-MAGIC-COOKIE-1\x00\x10", 28) +
                    QByteArray(16, 'x'));
        wrong.close();
        try {
            X11Connection refused(
                {m_target.display, wrong.fileName().toStdString(), "tester", {}, std::nullopt});
            QFAIL("a wrong cookie was let in");
        } catch (const std::runtime_error& error) {
            QVERIFY2(QString(error.what()).contains(m_xvfb.display()), error.what());
        }
        try {
            X11Connection missing(
                {m_target.display, dir.filePath("absent").toStdString(), "tester", {}, std::nullopt});
            QFAIL("a missing authority file was not noticed");
        } catch (const std::runtime_error& error) {
            QVERIFY2(QString(error.what()).contains("authority"), error.what());
        }
    }

    // What is drawn is what is captured, where it was drawn; a still screen is not even read; a small change
    // marks only the tiles it touched.
    void capturesWhatIsDrawnAndOnlyWhatChanged() {
        X11Connection connection(m_target);
        const auto everything = MonitorLayout::find(connection, "*");
        QVERIFY(everything);
        QCOMPARE(everything->width, kWidth);
        X11Capture capture(connection, *everything);
        QVERIFY(capture.usesDamage());
        QVERIFY(capture.usesSharedMemory());
        m_probe->fill({110, 110, 64, 32}, 0xFF0000);
        ChangeMap changes;
        QVERIFY(capture.capture(changes));
        QVERIFY(changes.all()); // the first picture is all new
        QCOMPARE(capturedRgb(capture, 120, 120), 0xFF0000u);
        QCOMPARE(capturedRgb(capture, 173, 141), 0xFF0000u);
        QCOMPARE(capturedRgb(capture, 174, 141), 0x000000u);
        QVERIFY(!capture.capture(changes)); // nothing drawn since
        QVERIFY(changes.empty());

        m_probe->fill({300, 250, 8, 8}, 0x00FF00);
        QVERIFY(capture.capture(changes));
        QVERIFY(changes.changed(300 / 16, 250 / 16));
        // 8x8 pixels at (300, 250) straddle four 16x16 tiles, and nothing else changed.
        QCOMPARE(changes.count(), 4);
        QVERIFY(changes.changed(304 / 16, 256 / 16));
        QCOMPARE(capturedRgb(capture, 304, 254), 0x00FF00u);
        // Repainting the same pixels is damage, but no change.
        m_probe->fill({300, 250, 8, 8}, 0x00FF00);
        QVERIFY(!capture.capture(changes));
        QVERIFY(changes.empty());
        capture.invalidate();
        QVERIFY(capture.capture(changes));
        QVERIFY(changes.all());
    }

    // Monitors are RandR's; a stream of one monitor sees that monitor's pixels at its own coordinates.
    void monitorsComeFromRandR() {
        m_probe->addMonitor("LEFT-1", {0, 0, kWidth / 2, kHeight}, true);
        m_probe->addMonitor("RIGHT-2", {kWidth / 2, 0, kWidth / 2, kHeight}, false);
        X11Connection connection(m_target);
        const auto monitors = MonitorLayout::read(connection);
        QStringList names;
        for (const auto& monitor : monitors)
            names << QString::fromStdString(monitor.name);
        QVERIFY2(names.contains("LEFT-1") && names.contains("RIGHT-2"), qPrintable(names.join(',')));
        const auto right = MonitorLayout::find(connection, "RIGHT-2");
        QVERIFY(right);
        QCOMPARE(right->x, kWidth / 2);
        QVERIFY(!MonitorLayout::find(connection, "NOWHERE"));

        m_probe->fill({kWidth / 2 + 60, 50, 16, 16}, 0x0000FF);
        X11Capture capture(connection, *right);
        ChangeMap changes;
        QVERIFY(capture.capture(changes));
        QCOMPARE(capture.width(), kWidth / 2);
        QCOMPARE(capturedRgb(capture, 60, 50), 0x0000FFu);
        QCOMPARE(capturedRgb(capture, 59, 50), 0x000000u);
    }

    void encodedPicturesDecodeToTheScreen_data() {
        QTest::addColumn<int>("codec");
        QTest::newRow("vp8") << int(protocol::DesktopCodec::Vp8);
        QTest::newRow("h264") << int(protocol::DesktopCodec::H264);
    }

    // A keyframe decodes to the screen; a small change costs a small picture and decodes to the new screen;
    // a refinement of a picture squeezed by a low bitrate is sharper.
    void encodedPicturesDecodeToTheScreen() {
        QFETCH(int, codec);
        paintDocument(*m_probe, 0);
        X11Connection connection(m_target);
        X11Capture capture(connection, *MonitorLayout::find(connection, "*"));
        std::unique_ptr<VideoEncoder> encoder;
        if (codec == int(protocol::DesktopCodec::Vp8))
            encoder = std::make_unique<Vp8Encoder>(kWidth, kHeight, 3000, 1);
        else
            encoder = std::make_unique<H264Encoder>(kWidth, kHeight, 3000, 1);
        test::TestVideoDecoder decoder(encoder->codec());
        I420Picture picture;
        picture.resize(kWidth, kHeight, encoder->needsEvenSize());
        ChangeMap changes;
        QVERIFY(capture.capture(changes));
        picture.convert(capture.pixels(), capture.stride(), nullptr);
        EncodedPicture encoded;
        std::int64_t millis = 1000;
        QVERIFY(encoder->encode(picture, changes, true, false, millis, encoded));
        QVERIFY(encoded.keyframe);
        const std::size_t keyframeBytes = encoded.data.size();
        QVERIFY(decoder.decode(encoded.data));
        QCOMPARE(decoder.width(), picture.codedWidth());
        const auto psnr = [&] {
            return decoder.lumaPsnr(picture.plane(0), picture.planeStride(0), picture.width(),
                                    picture.height());
        };
        const double keyframePsnr = psnr();
        qInfo("%s keyframe: %zu bytes, %.1f dB",
              encoder->codec() == protocol::DesktopCodec::Vp8 ? "vp8" : "h264", keyframeBytes, keyframePsnr);
        QVERIFY2(keyframePsnr > 30, qPrintable(QString::number(keyframePsnr)));

        // The screen stays still: the stream sends a refinement or two, and then nothing.
        for (int i = 0; i < 2; ++i) {
            millis += 250;
            QVERIFY(encoder->encode(picture, changes, false, true, millis, encoded));
            QVERIFY(decoder.decode(encoded.data));
        }
        // A few glyphs typed: a few tiles change, and the picture for them is a fraction of a keyframe.
        for (int i = 0; i < 3; ++i) {
            m_probe->fill({20 + 9 * (10 + i), 60, 6, 12}, 0xC02020);
            QVERIFY(capture.capture(changes));
            QVERIFY(changes.count() < 10);
            picture.convert(capture.pixels(), capture.stride(), &changes);
            millis += 100;
            QVERIFY(encoder->encode(picture, changes, false, false, millis, encoded));
            QVERIFY(!encoded.keyframe);
            QVERIFY2(encoded.data.size() * 10 < keyframeBytes,
                     qPrintable(QString("%1 of %2").arg(encoded.data.size()).arg(keyframeBytes)));
            QVERIFY(decoder.decode(encoded.data));
            QVERIFY(psnr() > 30);
        }
        // The whole screen changes at a starved bitrate: blurry; refinements of the still picture sharpen it.
        encoder->setBitrate(150);
        paintDocument(*m_probe, 3);
        QVERIFY(capture.capture(changes));
        picture.convert(capture.pixels(), capture.stride(), &changes);
        millis += 33;
        QVERIFY(encoder->encode(picture, changes, false, false, millis, encoded));
        QVERIFY(decoder.decode(encoded.data));
        const double starved = psnr();
        double refined = starved;
        for (int i = 0; i < 3; ++i) {
            millis += 250;
            QVERIFY(encoder->encode(picture, changes, false, true, millis, encoded));
            QVERIFY(decoder.decode(encoded.data));
            refined = psnr();
        }
        qInfo("starved %.1f dB, refined %.1f dB", starved, refined);
        QVERIFY2(refined > starved + 3, qPrintable(QString("%1 -> %2").arg(starved).arg(refined)));
    }

    void encodedPicturesMakeVideoFilesThatPlay_data() {
        QTest::addColumn<int>("codec");
        QTest::newRow("vp8") << int(protocol::DesktopCodec::Vp8);
        QTest::newRow("h264") << int(protocol::DesktopCodec::H264);
    }

    // What the encoders make goes into a real container (WebM, Matroska) that ffprobe reads, picture for
    // picture; read back, the pictures and their times are the ones written, they decode to the screen, and
    // seeking lands on the keyframe before the time asked for.
    void encodedPicturesMakeVideoFilesThatPlay() {
        QFETCH(int, codec);
        const auto which = static_cast<protocol::DesktopCodec>(codec);
        m_probe->fill({0, 0, kWidth, kHeight}, 0x000000);
        X11Connection connection(m_target);
        X11Capture capture(connection, *MonitorLayout::find(connection, "*"));
        std::unique_ptr<VideoEncoder> encoder;
        if (which == protocol::DesktopCodec::Vp8)
            encoder = std::make_unique<Vp8Encoder>(kWidth, kHeight, 3000, 1);
        else
            encoder = std::make_unique<H264Encoder>(kWidth, kHeight, 3000, 1);
        I420Picture picture;
        picture.resize(kWidth, kHeight, encoder->needsEvenSize());
        ChangeMap changes;
        struct Written {
            std::string data;
            std::int64_t millis;
            bool keyframe;
        };
        std::vector<Written> written;
        // Three seconds at 20 pictures a second, a keyframe every second, a square moving across.
        for (int i = 0; i < 60; ++i) {
            m_probe->fill({i * 20, 300, 20, 20}, i == 59 ? 0x0000FF : 0xFF0000);
            capture.capture(changes);
            picture.convert(capture.pixels(), capture.stride(), nullptr);
            EncodedPicture encoded;
            const std::int64_t millis = 1000 + i * 50;
            QVERIFY(encoder->encode(picture, changes, i % 20 == 0, false, millis, encoded));
            QCOMPARE(encoded.keyframe, i % 20 == 0);
            written.push_back({encoded.data, std::int64_t{i} * 50, encoded.keyframe});
        }
        QTemporaryDir dir(test::testTempRoot() + "/video-XXXXXX");
        const QString path = dir.filePath(QString("out.") + media::VideoFileWriter::extensionFor(which));
        std::string memory;
        {
            std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.toUtf8().constData(), "w+b"),
                                                                 &std::fclose);
            QVERIFY(file);
            media::VideoFileWriter toFile(which, kWidth, kHeight, file.get());
            media::VideoFileWriter toMemory(which, kWidth, kHeight, memory);
            QVERIFY(!toMemory.add("not a keyframe", 0, false)); // nothing to start from
            for (const auto& w : written) {
                QVERIFY(toFile.add(w.data, w.millis, w.keyframe));
                QVERIFY(toMemory.add(w.data, w.millis, w.keyframe));
            }
            toFile.finish();
            toMemory.finish();
        }
        QFile onDisk(path);
        QVERIFY(onDisk.open(QIODevice::ReadOnly));
        QVERIFY(onDisk.readAll().toStdString() == memory); // the same file either way
        const auto fromMemory = media::VideoFileReader::openBytes(memory);
        int inMemory = 0;
        while (fromMemory->next())
            ++inMemory;
        QCOMPARE(inMemory, 60);

        QProcess probe;
        probe.start("ffprobe", {"-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                "stream=codec_name,width,height,nb_read_frames:format=format_name,duration",
                                "-of", "json", path});
        QVERIFY(probe.waitForFinished(30000));
        QCOMPARE(probe.exitCode(), 0);
        const auto probed = nlohmann::json::parse(probe.readAllStandardOutput().toStdString());
        const auto& stream = probed["streams"][0];
        QCOMPARE(stream["codec_name"].get<std::string>(),
                 std::string(which == protocol::DesktopCodec::Vp8 ? "vp8" : "h264"));
        QCOMPARE(stream["width"].get<int>(), kWidth);
        QCOMPARE(stream["height"].get<int>(), kHeight);
        QCOMPARE(std::stoi(stream["nb_read_frames"].get<std::string>()), 60);
        QVERIFY(probed["format"]["format_name"].get<std::string>().starts_with("matroska"));
        QVERIFY(std::stod(probed["format"]["duration"].get<std::string>()) >= 2.9);

        const auto reader = media::VideoFileReader::openFile(path.toStdString());
        QCOMPARE(int(reader->codec()), codec);
        QCOMPARE(reader->width(), kWidth);
        test::TestVideoDecoder decoder(which);
        std::size_t index = 0;
        while (auto read = reader->next()) {
            QVERIFY(index < written.size());
            QCOMPARE(read->millis, written[index].millis);
            QCOMPARE(read->keyframe, written[index].keyframe);
            if (which == protocol::DesktopCodec::Vp8)
                QVERIFY(read->data == written[index].data); // H.264 comes back as Annex B, framed anew
            QVERIFY(decoder.decode(read->data));
            ++index;
        }
        QCOMPARE(index, written.size());
        QVERIFY(test::nearColour(decoder.rgb(59 * 20 + 10, 310), 0x0000FF));
        reader->seek(2500);
        const auto landed = reader->next();
        QVERIFY(landed && landed->keyframe);
        QCOMPARE(landed->millis, 2000);
        // What is not such a file is refused, with the reason.
        try {
            media::VideoFileReader::openBytes("GIF89a and then nothing a player could use");
            QFAIL("garbage was read as a recording");
        } catch (const std::runtime_error& error) {
            QVERIFY2(std::string(error.what()).starts_with("not a desktop recording"), error.what());
        }
    }

    // Clicks, the wheel and keys reach an X client; characters arrive as typed whether or not the layout
    // has them, with Shift added where the layout needs it.
    void clicksAndKeysReachAnXClient() {
        m_probe->fill({0, 0, kWidth, kHeight}, 0x000000);
        m_probe->focus();
        X11Connection connection(m_target);
        X11Input input(connection);
        input.pointer(500, 400, 0);
        input.pointer(500, 400, protocol::DesktopInput::Left);
        input.pointer(502, 401, 0);
        input.wheel(0, 60);
        input.wheel(0, 60); // two half notches: one notch up
        using Kind = XWindowProbe::Event::Kind;
        QVERIFY(m_probe->waitFor(
            [](const auto& events) {
                return std::count_if(events.begin(), events.end(),
                                     [](const auto& e) { return e.kind == Kind::ButtonUp; }) >= 2;
            },
            5000));
        const auto& events = m_probe->events();
        const auto press = std::find_if(events.begin(), events.end(), [](const auto& e) {
            return e.kind == Kind::ButtonDown && e.button == 1;
        });
        QVERIFY(press != events.end());
        QCOMPARE(press->x, 500);
        QCOMPARE(press->y, 400);
        QVERIFY(std::any_of(events.begin(), events.end(),
                            [](const auto& e) { return e.kind == Kind::ButtonDown && e.button == 4; }));

        for (const std::uint32_t keysym :
             {std::uint32_t(XK_a), std::uint32_t(XK_A), std::uint32_t(XK_at), std::uint32_t(XK_eacute),
              std::uint32_t(XK_EuroSign), std::uint32_t(XK_1)}) {
            input.key(keysym, true);
            input.key(keysym, false);
        }
        const QString expected = QString("aA@") + QChar(0xE9);
        QVERIFY2(m_probe->waitFor([&](const auto&) { return m_probe->typed().size() >= expected.size() + 1; },
                                  5000),
                 qPrintable(m_probe->typed()));
        QVERIFY2(m_probe->typed().startsWith(expected), qPrintable(m_probe->typed()));
        QVERIFY(std::any_of(events.begin(), events.end(), [](const auto& e) {
            return e.kind == Kind::KeyDown && e.keysym == XK_EuroSign;
        }));
        QVERIFY2(m_probe->typed().endsWith("1"), qPrintable(m_probe->typed()));

        // A key held when the viewer loses focus is let go.
        input.key(XK_b, true);
        input.releaseAll();
        QVERIFY(m_probe->waitFor(
            [](const auto& all) {
                return std::any_of(all.begin(), all.end(),
                                   [](const auto& e) { return e.kind == Kind::KeyUp && e.keysym == XK_b; });
            },
            5000));
    }

    // Without a configured display, the session is found by its processes: one with the display (whose X
    // socket exists) and its cookie in its environment, as a logged-in desktop's processes have.
    void theSessionIsFoundByItsProcesses() {
        QProcess session;
        auto environment = QProcessEnvironment::systemEnvironment();
        environment.insert("DISPLAY", m_xvfb.display());
        environment.insert("XAUTHORITY", m_xvfb.authorityFile());
        session.setProcessEnvironment(environment);
        session.start("sleep", {"30"});
        QVERIFY(session.waitForStarted());
        const auto found = DisplayLocator::fromProcesses("/proc", m_target.display, ::getuid());
        QVERIFY(std::any_of(found.begin(), found.end(), [&](const auto& candidate) {
            return candidate.display == m_target.display && candidate.authorityFile == m_target.authorityFile;
        }));
        QVERIFY(DisplayLocator::fromProcesses("/proc", ":987", std::nullopt).empty()); // no such X socket
        // No process with a display (an empty process table stands in for a machine nobody is logged in to).
        QTemporaryDir noProcesses;
        try {
            DisplayLocator::locate({}, noProcesses.path().toStdString());
            QFAIL("a display was found where there is none");
        } catch (const std::runtime_error& error) {
            QVERIFY2(QString(error.what()).contains("nobody is logged in"), error.what());
        }
        const auto configured = DisplayLocator::locate({":5", "/some/Xauthority"});
        QCOMPARE(configured.display, std::string(":5"));
        QCOMPARE(configured.authorityFile, std::string("/some/Xauthority"));
        session.kill();
        session.waitForFinished();
    }

    // A display found rather than named must be served by root or the session's user: one that someone else
    // runs is refused before any cookie is sent. The cookie file must be the session user's regular file, so
    // the agent (root) reads no one else's file and never blocks on a FIFO or a device.
    void aDisplaySomeoneElseRunsIsRefused() {
        if (::getuid() != 0)
            QSKIP("needs root, to run an X server as another user (CI runs as root)");
        int number = 60;
        while (QFile::exists(QString("/tmp/.X11-unix/X%1").arg(number)) ||
               QFile::exists(QString("/tmp/.X%1-lock").arg(number)))
            ++number;
        const std::string display = ":" + std::to_string(number);
        // setpriv changes the user and becomes Xvfb (runuser would stay its parent, and killing it would
        // leave the server running).
        QProcess theirs;
        theirs.start("setpriv",
                     {"--reuid=65534", "--regid=65534", "--clear-groups", "Xvfb",
                      QString::fromStdString(display), "-nolisten", "tcp", "-screen", "0", "320x240x24"});
        QVERIFY(theirs.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(QString("/tmp/.X11-unix/X%1").arg(number)), 10000);
        const uid_t nobody = 65534;
        try {
            X11Connection refused({display, "", "alice", {0, 1000}, std::nullopt});
            QFAIL("a display run by someone else was used");
        } catch (const std::runtime_error& error) {
            QVERIFY2(QString(error.what()).contains("not the session's"), error.what());
        }
        X11Connection theirsToShow(
            {display, "", "nobody", {0, nobody}, std::nullopt}); // their own session: fine
        QVERIFY(theirsToShow.display());
        theirs.kill();
        theirs.waitForFinished();

        try {
            X11Connection wrongOwner({m_target.display, m_target.authorityFile, "nobody", {0}, nobody});
            QFAIL("a cookie file of another user was read");
        } catch (const std::runtime_error& error) {
            QVERIFY2(QString(error.what()).contains("authority"), error.what());
        }
        try {
            X11Connection device({m_target.display, "/dev/zero", "root", {0}, 0});
            QFAIL("a device was read as a cookie file");
        } catch (const std::runtime_error& error) {
            QVERIFY2(QString(error.what()).contains("authority"), error.what());
        }
        X11Connection ours(
            {m_target.display, m_target.authorityFile, "root", {0}, 0}); // root's server, root's file
        QVERIFY(ours.display());
    }

    // The display going away (the user logged out) is an error the stream reports, not the agent's end.
    void aVanishingDisplayIsAnErrorNotACrash() {
        test::XvfbServer second(320, 240);
        QVERIFY2(second.start(), qPrintable(second.error()));
        X11Connection connection(
            {second.display().toStdString(), second.authorityFile().toStdString(), "", {}, std::nullopt});
        X11Capture capture(connection, *MonitorLayout::find(connection, "*"));
        X11Input input(connection);
        ChangeMap changes;
        QVERIFY(capture.capture(changes));
        second.kill();
        bool threw = false;
        for (int i = 0; i < 20 && !threw; ++i) {
            try {
                capture.invalidate();
                capture.capture(changes);
                QThread::msleep(50);
            } catch (const std::runtime_error& error) {
                threw = true;
                QVERIFY2(QString(error.what()).contains("display"), error.what());
            }
        }
        QVERIFY(threw);
        QVERIFY(connection.lost());
        input.key(XK_a, true); // no effect, no crash
        input.pointer(1, 1, 0);
    }

private:
    test::XvfbServer m_xvfb{kWidth, kHeight};
    DisplayTarget m_target;
    std::unique_ptr<XWindowProbe> m_probe;
};

QTEST_GUILESS_MAIN(TestAgentDesktop)
#include "TestAgentDesktop.moc"
