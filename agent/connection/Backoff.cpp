#include "connection/Backoff.h"

#include <algorithm>

namespace breeze::agent {

Backoff::Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, Random random)
    : m_base(base), m_cap(cap), m_random(std::move(random)) {}

std::chrono::milliseconds Backoff::ceiling() const {
    const int shift = std::min(m_attempt, 30);
    const long long grown = m_base.count() * (1LL << shift);
    return std::chrono::milliseconds(std::min<long long>(grown, m_cap.count()));
}

std::chrono::milliseconds Backoff::next() {
    const auto limit = ceiling();
    ++m_attempt;
    const auto bound = static_cast<std::uint32_t>(std::min<long long>(limit.count(), 0xFFFFFFFELL)) + 1;
    return std::chrono::milliseconds(m_random(bound));
}

} // namespace breeze::agent
