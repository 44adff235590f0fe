#include "desktop/AdaptiveRate.h"

#include <algorithm>
#include <cmath>

namespace breeze::agent {

namespace {
constexpr double kFullHd = 1920.0 * 1080.0;
constexpr double kSmoothing = 0.2;

struct Range {
    int start;
    int max;
};

// Bitrates for a 1080p stream, in kbit/s; other sizes scale by their pixels.
Range rangeOf(protocol::DesktopQuality quality) {
    switch (quality) {
    case protocol::DesktopQuality::Speed:
        return {1500, 3000};
    case protocol::DesktopQuality::Quality:
        return {5000, 12000};
    case protocol::DesktopQuality::Balanced:
    case protocol::DesktopQuality::Automatic:
        break;
    }
    return {3000, 7000};
}
} // namespace

AdaptiveRate::AdaptiveRate(protocol::DesktopQuality quality, long pixels, int maxFps)
    : m_maxFps(std::clamp(maxFps, 1, 60)), m_fps(m_maxFps),
      m_automatic(quality == protocol::DesktopQuality::Automatic) {
    const double scale = std::clamp(static_cast<double>(pixels) / kFullHd, 0.25, 2.0);
    const Range range = rangeOf(quality);
    m_kbps = static_cast<int>(std::lround(range.start * scale));
    m_maxKbps = static_cast<int>(std::lround(range.max * scale));
    m_minKbps = std::max(150, m_kbps / 10);
}

void AdaptiveRate::reset() {
    m_unacknowledged.clear();
    m_queued = 0;
}

void AdaptiveRate::sent(std::uint64_t sequence, std::size_t bytes, Clock::time_point at) {
    m_unacknowledged.push_back({sequence, bytes, at});
}

void AdaptiveRate::acknowledged(const protocol::DesktopAck& ack, Clock::time_point at) {
    while (!m_unacknowledged.empty() && m_unacknowledged.front().sequence <= ack.sequence) {
        const InFlight done = m_unacknowledged.front();
        m_unacknowledged.pop_front();
        if (done.sequence != ack.sequence)
            continue;
        // The viewer's decoding is not the link's: it is taken out of the round trip.
        const double roundTrip =
            std::max(0.0, std::chrono::duration<double, std::milli>(at - done.sentAt).count() -
                              ack.decodeMicros / 1000.0);
        m_roundTripMs =
            m_roundTripMs == 0 ? roundTrip : m_roundTripMs + kSmoothing * (roundTrip - m_roundTripMs);
        if (m_quietRoundTripMs == 0 || roundTrip < m_quietRoundTripMs ||
            at - m_quietSince > std::chrono::seconds(10)) {
            m_quietRoundTripMs = roundTrip;
            m_quietSince = at;
        }
    }
    m_decodeMs = m_decodeMs + kSmoothing * (ack.decodeMicros / 1000.0 - m_decodeMs);
    m_queued = ack.queued;
}

void AdaptiveRate::adjust(Clock::time_point now) {
    // Frame rate: no faster than the viewer decodes, with room to spare.
    if (m_decodeMs > 0) {
        const int decodable = static_cast<int>(800.0 / m_decodeMs);
        m_fps = std::clamp(decodable, 5, m_maxFps);
    }
    if (!m_automatic)
        return;
    // Congestion: pictures wait in the link (the round trip grew well past its quiet value), or in the
    // viewer, or the oldest unacknowledged picture has been out far longer than a round trip should take.
    const double allowance = std::max(30.0, m_quietRoundTripMs);
    const bool oldUnacknowledged =
        !m_unacknowledged.empty() &&
        std::chrono::duration<double, std::milli>(now - m_unacknowledged.front().sentAt).count() >
            m_quietRoundTripMs + 2 * allowance + 100;
    const bool congested =
        m_roundTripMs > m_quietRoundTripMs + allowance || m_queued > 1 || oldUnacknowledged;
    const auto sinceChange = now - m_lastChange;
    if (congested &&
        sinceChange > std::chrono::milliseconds(std::max(200, static_cast<int>(m_roundTripMs)))) {
        m_kbps = std::max(m_minKbps, static_cast<int>(m_kbps * 0.7));
        m_lastChange = now;
    } else if (!congested && sinceChange > std::chrono::seconds(1)) {
        m_kbps = std::min(m_maxKbps, static_cast<int>(m_kbps * 1.1) + 1);
        m_lastChange = now;
    }
}

} // namespace breeze::agent
