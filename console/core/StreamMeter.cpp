#include "StreamMeter.h"

#include <cmath>

namespace breeze::console {

void StreamMeter::received(qint64 bytes, quint32 hostMicros) {
    ++m_current.received;
    m_current.bytes += bytes;
    m_current.hostMicros += hostMicros;
    ++m_totals.received;
    m_totals.bytes += bytes;
    m_totals.hostMicros += hostMicros;
}

void StreamMeter::decoded(qint64 decodeMicros) {
    ++m_current.decoded;
    m_current.decodeMicros += decodeMicros;
    ++m_totals.decoded;
    m_totals.decodeMicros += decodeMicros;
}

void StreamMeter::agentReport(int targetKbps, double roundTripMs, int skipped) {
    m_targetKbps = targetKbps;
    m_roundTripMs = roundTripMs;
    m_dropped += skipped;
    m_totals.dropped += skipped;
}

bool StreamMeter::roll(qint64 nowMs) {
    if (m_started < 0) {
        m_started = nowMs;
        return false;
    }
    const qint64 elapsed = nowMs - m_started;
    if (elapsed < 1000)
        return false;
    const double seconds = elapsed / 1000.0;
    m_figures.receivedFps = m_current.received / seconds;
    m_figures.decodedFps = m_current.decoded / seconds;
    m_figures.drawnFps = m_current.drawn / seconds;
    m_figures.kbps = static_cast<int>(std::lround(m_current.bytes * 8 / 1000.0 / seconds));
    m_figures.hostMs = m_current.received ? m_current.hostMicros / 1000.0 / m_current.received : 0;
    m_figures.decodeMs = m_current.decoded ? m_current.decodeMicros / 1000.0 / m_current.decoded : 0;
    m_figures.targetKbps = m_targetKbps;
    m_figures.roundTripMs = m_roundTripMs;
    m_figures.dropped = m_dropped;
    m_current = {};
    m_started = nowMs;
    return true;
}

} // namespace breeze::console
