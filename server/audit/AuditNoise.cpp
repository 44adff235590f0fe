#include "audit/AuditNoise.h"

#include "http/ClientAddress.h"
#include "ops/MetricsRegistry.h"

#include <ctime>

namespace breeze::server {

namespace {
constexpr const char* kSeen = "breeze_audit_noise_total";
constexpr const char* kSeenHelp =
    "Anonymous audit-worthy events (bad keys, unknown tokens, refused sign-ins)";
constexpr const char* kSuppressed = "breeze_audit_noise_suppressed_total";
constexpr const char* kSuppressedHelp =
    "Anonymous events only counted, not written: beyond one per address, kind and minute";
} // namespace

AuditNoise::AuditNoise(MetricsRegistry& metrics, std::size_t maxTracked)
    : m_metrics(metrics), m_maxTracked(maxTracked) {}

long long AuditNoise::minuteNow() const {
    return static_cast<long long>(std::time(nullptr)) / 60;
}

bool AuditNoise::sample(const std::string& address, const std::string& kind, long long& suppressedBefore) {
    m_metrics.incrementCounter(kSeen, kSeenHelp);
    const long long minute = minuteNow();
    std::lock_guard lock(m_mutex);
    const auto key = std::make_pair(address, kind);
    auto it = m_tallies.find(key);
    if (it == m_tallies.end()) {
        if (m_tallies.size() >= m_maxTracked) {
            // Forget the minutes that are over (once a minute: the sweep is a whole pass); if this minute
            // alone fills the table (a spray from very many networks), count without writing rather than
            // grow.
            if (m_sweptMinute != minute) {
                m_sweptMinute = minute;
                std::erase_if(m_tallies, [&](const auto& entry) { return entry.second.minute < minute - 1; });
            }
            if (m_tallies.size() >= m_maxTracked) {
                m_metrics.incrementCounter(kSuppressed, kSuppressedHelp);
                return false;
            }
        }
        it = m_tallies.emplace(key, Tally{}).first;
    }
    Tally& tally = it->second;
    if (tally.minute != minute) {
        tally.previousSeen = tally.minute == minute - 1 ? tally.seen : 0;
        tally.minute = minute;
        tally.seen = 0;
    }
    if (++tally.seen > 1) {
        m_metrics.incrementCounter(kSuppressed, kSuppressedHelp);
        return false;
    }
    suppressedBefore = tally.previousSeen > 0 ? tally.previousSeen - 1 : 0;
    return true;
}

void AuditNoise::record(ScopedTransaction& tx, AuditEvent event) {
    const std::string reason = event.details.is_object() && event.details.contains("reason")
                                   ? event.details["reason"].dump()
                                   : std::string();
    long long suppressedBefore = 0;
    if (!sample(addressBucket(event.address), event.action + "|" + event.result + "|" + reason,
                suppressedBefore))
        return;
    if (!event.details.is_object())
        event.details = nlohmann::json::object();
    event.details["sampled"] = true;
    event.details["suppressed_previous_minute"] = suppressedBefore;
    AuditLog::record(tx, event);
}

} // namespace breeze::server
