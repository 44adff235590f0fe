#pragma once

#include "protocol/DesktopControl.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>

namespace breeze::agent {

// How fast one stream may go, from what the viewer tells us. A picture is sent only while fewer than
// maxInFlight() are unacknowledged, so on a slow link the stream captures less often and what it sends is
// always the newest screen (nothing queues). The bitrate follows the link: down when the round trip grows
// beyond its quiet value or acknowledgements come slower than pictures go, up again slowly while all is well;
// the frame rate follows the viewer's decoding.
class AdaptiveRate {
public:
    using Clock = std::chrono::steady_clock;

    // `pixels`: the stream's picture size (the bitrate range scales with it); `maxFps`: the viewer's cap.
    AdaptiveRate(protocol::DesktopQuality quality, long pixels, int maxFps);

    int targetKbps() const { return m_kbps; }
    int fps() const { return m_fps; }
    int maxInFlight() const { return kMaxInFlight; }
    int inFlight() const { return static_cast<int>(m_unacknowledged.size()); }
    bool mayCapture() const { return inFlight() < maxInFlight(); }
    double roundTripMs() const { return m_roundTripMs; }

    void sent(std::uint64_t sequence, std::size_t bytes, Clock::time_point at);
    // Acknowledges this picture and every earlier one (the link keeps order).
    void acknowledged(const protocol::DesktopAck& ack, Clock::time_point at);
    // Adjusts bitrate and frame rate; call about every 100 ms.
    void adjust(Clock::time_point now);
    // Forgets what is in flight (a new viewer, a keyframe after a loss).
    void reset();
    // A picture came out too large to send: half the bitrate.
    void halve() { m_kbps = std::max(m_minKbps, m_kbps / 2); }

private:
    static constexpr int kMaxInFlight = 2;
    struct InFlight {
        std::uint64_t sequence;
        std::size_t bytes;
        Clock::time_point sentAt;
    };

    int m_minKbps;
    int m_maxKbps;
    int m_kbps;
    int m_maxFps;
    int m_fps;
    bool m_automatic;
    std::deque<InFlight> m_unacknowledged;
    double m_roundTripMs = 0;
    double m_quietRoundTripMs = 0; // the lowest seen lately: the link with nothing queued
    Clock::time_point m_quietSince{};
    double m_decodeMs = 0;
    int m_queued = 0;
    Clock::time_point m_lastChange{};
};

} // namespace breeze::agent
