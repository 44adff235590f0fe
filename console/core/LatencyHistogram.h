#pragma once

#include <QtGlobal>
#include <array>

namespace breeze::console {

// Latencies of a whole session in millisecond buckets (up to ten seconds; longer ones fall in the last), so
// percentiles cost a fixed few kilobytes however long the session runs.
class LatencyHistogram {
public:
    void add(double milliseconds);
    qint64 count() const { return m_count; }
    // The latency `fraction` (0.5, 0.95, 0.99) of the pictures were at or under; 0 when there were none.
    double percentile(double fraction) const;

private:
    static constexpr int kBuckets = 10'000;
    std::array<quint32, kBuckets> m_buckets{};
    qint64 m_count = 0;
};

} // namespace breeze::console
