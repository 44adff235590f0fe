#include "gateway/ConnectionRate.h"

#include <algorithm>

namespace breeze::server {

ConnectionRate::ConnectionRate(double perSecond, double burst, std::size_t maxTracked)
    : m_perSecond(perSecond), m_burst(burst), m_maxTracked(maxTracked), m_lastSweep(Clock::now()) {}

bool ConnectionRate::allow(const std::string& bucket, Clock::time_point now) {
    if (now - m_lastSweep > std::chrono::seconds(10)) {
        // A bucket that has refilled completely says nothing: forget it.
        m_lastSweep = now;
        const double fullAfter = m_burst / m_perSecond;
        std::erase_if(m_buckets, [&](const auto& entry) {
            return std::chrono::duration<double>(now - entry.second.refilled).count() >= fullAfter;
        });
    }
    auto it = m_buckets.find(bucket);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_maxTracked)
            return true; // too many addresses to track: the other caps still hold
        it = m_buckets.emplace(bucket, Bucket{m_burst, now}).first;
    }
    Bucket& tokens = it->second;
    tokens.tokens = std::min(
        m_burst, tokens.tokens + std::chrono::duration<double>(now - tokens.refilled).count() * m_perSecond);
    tokens.refilled = now;
    if (tokens.tokens < 1)
        return false;
    tokens.tokens -= 1;
    return true;
}

} // namespace breeze::server
