#include "LatencyHistogram.h"

#include <algorithm>
#include <cmath>

namespace breeze::console {

void LatencyHistogram::add(double milliseconds) {
    const int bucket = std::clamp(static_cast<int>(std::lround(milliseconds)), 0, kBuckets - 1);
    ++m_buckets[static_cast<std::size_t>(bucket)];
    ++m_count;
}

double LatencyHistogram::percentile(double fraction) const {
    if (m_count == 0)
        return 0;
    const auto wanted =
        static_cast<qint64>(std::ceil(std::clamp(fraction, 0.0, 1.0) * static_cast<double>(m_count)));
    qint64 seen = 0;
    for (int bucket = 0; bucket < kBuckets; ++bucket) {
        seen += m_buckets[static_cast<std::size_t>(bucket)];
        if (seen >= std::max<qint64>(wanted, 1))
            return bucket;
    }
    return kBuckets - 1;
}

} // namespace breeze::console
