#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace breeze::agent {

// Exponential back-off with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): the n-th
// retry waits a uniformly random time in [0, min(cap, base * 2^n)], so a fleet whose server restarted spreads
// its reconnections instead of arriving in waves.
class Backoff {
public:
    using Random = std::function<std::uint32_t(std::uint32_t upperBound)>; // uniform in [0, upperBound)

    Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, Random random);

    std::chrono::milliseconds next();
    // The current ceiling, for logs and tests.
    std::chrono::milliseconds ceiling() const;
    void reset() { m_attempt = 0; }
    int attempts() const { return m_attempt; }

private:
    std::chrono::milliseconds m_base;
    std::chrono::milliseconds m_cap;
    Random m_random;
    int m_attempt = 0;
};

} // namespace breeze::agent
