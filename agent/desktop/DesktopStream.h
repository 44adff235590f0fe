#pragma once

#include "desktop/AdaptiveRate.h"
#include "desktop/DisplayTarget.h"
#include "protocol/DesktopControl.h"
#include "protocol/DesktopFrame.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace breeze::agent {

// One picture stream for one viewer: a worker thread that captures its monitor, encodes what changed and
// hands the picture to the session's link thread, never holding more than one picture back. It captures
// only while the viewer has acknowledged enough (AdaptiveRate), so a slow link gets fewer, newer pictures;
// nothing is encoded while the screen is still, and the still picture is sent once more, sharper, when the
// motion stops. The pointer is reported apart from the picture.
class DesktopStream {
public:
    struct Request {
        int stream = 0;
        protocol::DesktopMonitor area;
        protocol::DesktopCodec codec = protocol::DesktopCodec::Vp8;
        protocol::DesktopQuality quality = protocol::DesktopQuality::Automatic;
        int maxFps = 30;
        // A keyframe at least this often while pictures are sent (zero: only when asked for).
        std::chrono::milliseconds keyframeEvery{0};
    };
    struct Picture {
        std::string payload; // a DesktopFrame
        std::uint64_t sequence = 0;
    };

    // `wake` is called from the worker whenever something is ready to take.
    DesktopStream(DisplayTarget target, Request request, std::function<void()> wake);
    ~DesktopStream();
    DesktopStream(const DesktopStream&) = delete;
    DesktopStream& operator=(const DesktopStream&) = delete;

    const Request& request() const { return m_request; }
    // The next picture if one is ready and fits in `credit` bytes; its send time starts its round trip.
    std::optional<Picture> takePicture(std::uint64_t credit);
    // Control messages for the viewer (stream_state, stream_stats), oldest first.
    std::vector<std::string> takeControls();
    std::optional<std::string> takeCursorShape(); // a cursor DesktopFrame
    std::optional<std::pair<int, int>> takeCursorPosition();
    void acknowledged(const protocol::DesktopAck& ack);
    void keyframeWanted();
    // The worker stopped (the display went away, the monitor vanished); its last control says why.
    bool ended() const { return m_ended; }

private:
    void run();
    void work();
    void publishStats(AdaptiveRate::Clock::time_point now);

    DisplayTarget m_target;
    Request m_request;
    std::function<void()> m_wake;

    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_stop = false;
    bool m_keyframe = true;
    AdaptiveRate::Clock::time_point m_lastKeyframeAsked{};
    std::optional<Picture> m_picture;
    std::vector<std::string> m_controls;
    std::optional<std::string> m_cursorShape;
    std::optional<std::pair<int, int>> m_cursorPosition;
    AdaptiveRate m_rate;
    // For the stats: since the last report.
    int m_sentPictures = 0;
    std::uint64_t m_sentBytes = 0;
    double m_encodeMsTotal = 0;
    int m_encoded = 0;
    int m_skipped = 0;
    AdaptiveRate::Clock::time_point m_lastStats;

    std::atomic<bool> m_ended{false};
    std::thread m_thread;
};

} // namespace breeze::agent
