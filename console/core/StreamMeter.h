#pragma once

#include <QtGlobal>

namespace breeze::console {

// One desktop stream's figures as the viewer sees them, over the last whole second: pictures received,
// decoded and drawn per second, the bitrate, how long the agent took per picture (host latency), how long
// decoding took, the round trip the agent measured, and pictures lost on the way (gaps, failed decodes,
// captures the agent skipped because the link was full).
class StreamMeter {
public:
    struct Figures {
        double receivedFps = 0;
        double decodedFps = 0;
        double drawnFps = 0;
        int kbps = 0;
        int targetKbps = 0;
        double hostMs = 0;
        double decodeMs = 0;
        double roundTripMs = 0;
        qint64 dropped = 0; // since the stream started
    };

    void received(qint64 bytes, quint32 hostMicros);
    void decoded(qint64 decodeMicros);
    void drawn() { ++m_current.drawn; }
    void dropped(int count = 1) {
        m_dropped += count;
        m_totals.dropped += count;
    }
    void agentReport(int targetKbps, double roundTripMs, int skipped);
    // Closes the second that ended at `nowMs` (a monotonic clock), if one did; true when the figures changed.
    bool roll(qint64 nowMs);
    const Figures& figures() const { return m_figures; }

    // Since the stream started (benchmarks take differences).
    struct Totals {
        qint64 received = 0;
        qint64 decoded = 0;
        qint64 bytes = 0;
        qint64 hostMicros = 0;
        qint64 decodeMicros = 0;
        qint64 dropped = 0;
    };
    const Totals& totals() const { return m_totals; }
    double roundTripMs() const { return m_roundTripMs; }

private:
    struct Window {
        int received = 0;
        int decoded = 0;
        int drawn = 0;
        qint64 bytes = 0;
        qint64 hostMicros = 0;
        qint64 decodeMicros = 0;
    };
    Window m_current;
    qint64 m_started = -1;
    qint64 m_dropped = 0;
    int m_targetKbps = 0;
    double m_roundTripMs = 0;
    Figures m_figures;
    Totals m_totals;
};

} // namespace breeze::console
