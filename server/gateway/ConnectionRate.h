#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace breeze::server {

// How fast one address may open connections: a token bucket per address (IPv6 by /64). Every connection costs
// a TLS handshake, real CPU, and the per-address cap alone does not stop an address that connects and hangs
// up without end. Used by the front door's acceptor thread only.
class ConnectionRate {
public:
    using Clock = std::chrono::steady_clock;

    ConnectionRate(double perSecond, double burst, std::size_t maxTracked = 100'000);
    bool allow(const std::string& bucket, Clock::time_point now = Clock::now());

private:
    struct Bucket {
        double tokens;
        Clock::time_point refilled;
    };

    double m_perSecond;
    double m_burst;
    std::size_t m_maxTracked;
    Clock::time_point m_lastSweep;
    std::unordered_map<std::string, Bucket> m_buckets;
};

} // namespace breeze::server
