#include "desktop/DesktopStream.h"

#include "desktop/CursorWatcher.h"
#include "desktop/H264Encoder.h"
#include "desktop/I420Picture.h"
#include "desktop/Vp8Encoder.h"
#include "desktop/X11Capture.h"
#include "desktop/X11Connection.h"
#include "protocol/SessionMessages.h"
#include "protocol/StreamFrame.h"

#include <algorithm>
#include <cmath>

namespace breeze::agent {

namespace {
using Clock = AdaptiveRate::Clock;
// How often a still screen is looked at: a change shows up within this, plus encoding.
constexpr auto kLookInterval = std::chrono::milliseconds(4);
// How long the screen must be still before its picture is sent again, sharper.
constexpr auto kStillBeforeRefining = std::chrono::milliseconds(300);
constexpr auto kKeyframeSpacing = std::chrono::milliseconds(250);
// How long after a large change small changes must go on before the picture is sent sharp anyway.
constexpr auto kSettledAfterLarge = std::chrono::milliseconds(500);
// Larger pictures are not sent: the encoder is asked for a keyframe at a lower rate instead.
constexpr std::size_t kMaxPictureBytes =
    protocol::kMaxStreamPayloadBytes - protocol::kDesktopFrameHeaderBytes;

std::uint64_t microsOf(Clock::time_point at) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count());
}

std::unique_ptr<VideoEncoder> encoderFor(protocol::DesktopCodec codec, int width, int height, int kbps) {
    // libx264 slices a picture over two threads; libvpx's VP8 threads wait on each other row by row, which
    // on a busy two-core machine costs more than it saves (measured with bench desktop): one thread.
    if (codec == protocol::DesktopCodec::H264)
        return std::make_unique<H264Encoder>(width, height, kbps, 2);
    return std::make_unique<Vp8Encoder>(width, height, kbps, 1);
}
} // namespace

DesktopStream::DesktopStream(DisplayTarget target, Request request, std::function<void()> wake)
    : m_target(std::move(target)), m_request(std::move(request)), m_wake(std::move(wake)),
      m_rate(m_request.quality, static_cast<long>(m_request.area.width) * m_request.area.height,
             m_request.maxFps),
      m_lastStats(Clock::now()) {
    m_thread = std::thread([this] { run(); });
}

DesktopStream::~DesktopStream() {
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

std::optional<DesktopStream::Picture> DesktopStream::takePicture(std::uint64_t credit) {
    std::optional<Picture> taken;
    {
        const std::lock_guard lock(m_mutex);
        if (!m_picture ||
            m_picture->payload.size() + protocol::kStreamHeaderBytes + protocol::kFrameCost > credit)
            return std::nullopt;
        taken = std::move(m_picture);
        m_picture.reset();
        m_rate.sent(taken->sequence, taken->payload.size(), Clock::now());
        ++m_sentPictures;
        m_sentBytes += taken->payload.size();
    }
    m_changed.notify_all();
    return taken;
}

std::vector<std::string> DesktopStream::takeControls() {
    const std::lock_guard lock(m_mutex);
    return std::exchange(m_controls, {});
}

std::optional<std::string> DesktopStream::takeCursorShape() {
    const std::lock_guard lock(m_mutex);
    return std::exchange(m_cursorShape, std::nullopt);
}

std::optional<std::pair<int, int>> DesktopStream::takeCursorPosition() {
    const std::lock_guard lock(m_mutex);
    return std::exchange(m_cursorPosition, std::nullopt);
}

void DesktopStream::acknowledged(const protocol::DesktopAck& ack) {
    {
        const std::lock_guard lock(m_mutex);
        m_rate.acknowledged(ack, Clock::now());
    }
    m_changed.notify_all();
}

void DesktopStream::keyframeWanted() {
    {
        const std::lock_guard lock(m_mutex);
        // At most a few a second: a keyframe is the dearest picture, and one asked for is on its way.
        const auto now = Clock::now();
        if (m_keyframe || now - m_lastKeyframeAsked < kKeyframeSpacing)
            return;
        m_lastKeyframeAsked = now;
        m_keyframe = true;
        // What was in flight will not be decoded: the keyframe must not wait for its acknowledgements.
        m_rate.reset();
        m_picture.reset();
    }
    m_changed.notify_all();
}

void DesktopStream::run() {
    try {
        work();
    } catch (const std::exception& error) {
        protocol::DesktopStreamState state;
        state.stream = m_request.stream;
        state.error = error.what();
        // Within what a stream state may say, cut between characters.
        if (state.error.size() > 400) {
            std::size_t cut = 400;
            while (cut > 0 && (static_cast<unsigned char>(state.error[cut]) & 0xC0) == 0x80)
                --cut;
            state.error.resize(cut);
        }
        const std::lock_guard lock(m_mutex);
        m_controls.push_back(state.encode());
    }
    m_ended = true;
    m_wake();
}

void DesktopStream::publishStats(Clock::time_point now) {
    const double seconds = std::chrono::duration<double>(now - m_lastStats).count();
    protocol::DesktopStreamStats stats;
    stats.stream = m_request.stream;
    stats.fps = std::round(m_sentPictures / seconds * 10) / 10;
    stats.kbps = static_cast<int>(std::lround(static_cast<double>(m_sentBytes) * 8 / 1000 / seconds));
    stats.targetKbps = m_rate.targetKbps();
    stats.encodeMs = m_encoded ? std::round(m_encodeMsTotal / m_encoded * 100) / 100 : 0;
    stats.roundTripMs = std::round(m_rate.roundTripMs() * 100) / 100;
    stats.skipped = m_skipped;
    m_controls.push_back(stats.encode());
    m_sentPictures = 0;
    m_sentBytes = 0;
    m_encodeMsTotal = 0;
    m_encoded = 0;
    m_skipped = 0;
    m_lastStats = now;
}

void DesktopStream::work() {
    const protocol::DesktopMonitor& area = m_request.area;
    X11Connection connection(m_target);
    X11Connection pointerConnection(m_target);
    X11Capture capture(connection, area);
    CursorWatcher cursor(pointerConnection);
    auto encoder = encoderFor(m_request.codec, area.width, area.height, m_rate.targetKbps());
    I420Picture picture;
    picture.resize(area.width, area.height, encoder->needsEvenSize());
    ChangeMap changes;
    EncodedPicture encoded;
    {
        protocol::DesktopStreamState state;
        state.stream = m_request.stream;
        state.monitor = area.name;
        state.codec = protocol::desktopCodecName(m_request.codec);
        state.x = area.x;
        state.y = area.y;
        state.width = area.width;
        state.height = area.height;
        const std::lock_guard lock(m_mutex);
        m_controls.push_back(state.encode());
    }
    m_wake();
    std::uint64_t sequence = 0;
    // When the next picture may be taken: one frame period after the last one's slot, so the rate holds on
    // average without waiting a whole look interval past each slot.
    Clock::time_point nextDue{};
    Clock::time_point lastChange = Clock::now();
    bool refined = true; // nothing to refine before the first picture
    Clock::time_point lastLargeChange{};
    bool sharpSinceLarge = true;
    bool blocked = false;
    Clock::time_point lastKeyframe{};
    for (;;) {
        bool keyframe = false;
        {
            std::unique_lock lock(m_mutex);
            const auto untilDue = nextDue - Clock::now();
            const auto wait =
                std::clamp<Clock::duration>(untilDue, std::chrono::milliseconds(1), kLookInterval);
            m_changed.wait_for(lock, wait, [this] { return m_stop; });
            if (m_stop)
                return;
            const auto now = Clock::now();
            m_rate.adjust(now);
            if (now - m_lastStats >= std::chrono::seconds(1))
                publishStats(now);
            const bool mayCapture = m_rate.mayCapture() && !m_picture;
            if (!mayCapture) {
                m_skipped += blocked ? 0 : 1;
                blocked = true;
                continue;
            }
            blocked = false;
            if (now < nextDue)
                continue;
            keyframe = std::exchange(m_keyframe, false);
        }
        bool woke = false;
        if (const auto moved = cursor.moved()) {
            const std::lock_guard lock(m_mutex);
            m_cursorPosition = moved;
            woke = true;
        }
        if (const auto shape = cursor.reshaped()) {
            protocol::DesktopFrame frame;
            frame.stream = m_request.stream;
            frame.codec = protocol::DesktopCodec::Cursor;
            frame.width = shape->width;
            frame.height = shape->height;
            const std::string data = protocol::encodeCursorData(shape->hotX, shape->hotY, shape->argb);
            frame.data = data;
            const std::lock_guard lock(m_mutex);
            m_cursorShape = protocol::encodeDesktopFrame(frame);
            woke = true;
        }
        if (keyframe)
            capture.invalidate();
        const auto capturedAt = Clock::now();
        const bool changed = capture.capture(changes);
        bool refine = false;
        if (!changed && !keyframe) {
            refine = !refined && capturedAt - lastChange >= kStillBeforeRefining;
            if (!refine) {
                if (woke)
                    m_wake();
                continue;
            }
            changes.markAll();
        }
        if (changed) {
            lastChange = capturedAt;
            picture.convert(capture.pixels(), capture.stride(), keyframe ? nullptr : &changes);
            // A large change (a page drawn, a window opened) went out at the rate's quality. Once the
            // screen has settled to small changes (typing into that page), the next picture is sent sharp
            // whole, so the small ones after it build on a sharp picture instead of polishing it bit by
            // bit.
            if (changes.count() * 4 > changes.columns() * changes.rows()) {
                lastLargeChange = capturedAt;
                sharpSinceLarge = false;
            } else if (!keyframe && !sharpSinceLarge && capturedAt - lastLargeChange >= kSettledAfterLarge) {
                refine = true;
                changes.markAll();
            }
        }
        if (refine)
            sharpSinceLarge = true;
        refined = refine;
        if (m_request.keyframeEvery.count() > 0 && !keyframe &&
            capturedAt - lastKeyframe >= m_request.keyframeEvery) {
            keyframe =
                true; // the whole picture is in `picture` already: only what changed was converted anew
            changes.markAll();
        }
        {
            const std::lock_guard lock(m_mutex);
            encoder->setBitrate(m_rate.targetKbps());
        }
        const auto millis = static_cast<std::int64_t>(microsOf(capturedAt) / 1000);
        if (!encoder->encode(picture, changes, keyframe, refine, millis, encoded) ||
            encoded.data.size() > kMaxPictureBytes) {
            // A picture too large to send: again, from a keyframe, at half the rate, after a frame's time.
            const std::lock_guard lock(m_mutex);
            m_keyframe = true;
            m_rate.halve();
            nextDue = capturedAt + std::chrono::microseconds(1'000'000 / m_rate.fps());
            continue;
        }
        const auto encodedAt = Clock::now();
        if (encoded.keyframe)
            lastKeyframe = capturedAt;
        protocol::DesktopFrame frame;
        frame.stream = m_request.stream;
        frame.sequence = ++sequence;
        frame.captureMicros = microsOf(capturedAt);
        frame.hostMicros = static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(encodedAt - capturedAt).count());
        frame.codec = m_request.codec;
        frame.flags = static_cast<std::uint8_t>((encoded.keyframe ? protocol::DesktopFrame::Keyframe : 0) |
                                                (refine ? protocol::DesktopFrame::Refinement : 0));
        frame.width = area.width;
        frame.height = area.height;
        frame.data = encoded.data;
        {
            const std::lock_guard lock(m_mutex);
            m_picture = Picture{protocol::encodeDesktopFrame(frame), frame.sequence};
            m_encodeMsTotal += frame.hostMicros / 1000.0;
            ++m_encoded;
        }
        const auto period = std::chrono::microseconds(1'000'000 / m_rate.fps());
        nextDue = std::max(nextDue + period, capturedAt);
        m_wake();
    }
}

} // namespace breeze::agent
