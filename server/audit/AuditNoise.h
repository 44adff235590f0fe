#pragma once

#include "audit/AuditLog.h"

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace breeze::server {

class MetricsRegistry;

// Events that anyone on the network can cause without an account (a bad API key, an unknown refresh token,
// a sign-in to no account or from a throttled address, a malformed body on a public route) would otherwise
// grow the audit log without bound. Per address, kind of event and minute, the first is written, carrying how
// many of that kind the address caused in its previous minute (IPv6 addresses count by their /64); the rest
// are only counted, in breeze_audit_noise_suppressed_total. Per server node and in memory: with N nodes an
// address may write up to N rows a minute and kind. Thread-safe.
class AuditNoise {
public:
    explicit AuditNoise(MetricsRegistry& metrics, std::size_t maxTracked = 20'000);

    // Writes `event` (in `tx`) when it is the sample for its address, action and reason this minute.
    void record(ScopedTransaction& tx, AuditEvent event);
    // Whether an event of this kind from this address would be written now (and counts it).
    bool sample(const std::string& address, const std::string& kind, long long& suppressedBefore);

private:
    struct Tally {
        long long minute = 0;
        long long seen = 0;
        long long previousSeen = 0;
    };
    long long minuteNow() const;

    MetricsRegistry& m_metrics;
    std::size_t m_maxTracked;
    std::mutex m_mutex;
    std::map<std::pair<std::string, std::string>, Tally> m_tallies;
    long long m_sweptMinute = 0;
};

} // namespace breeze::server
