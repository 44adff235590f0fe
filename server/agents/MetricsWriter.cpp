#include "agents/MetricsWriter.h"

#include "agents/AgentDataFeed.h"
#include "db/ConnectionPool.h"
#include "db/ScopedTransaction.h"
#include "ops/JsonLogger.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <pqxx/stream_to>

namespace breeze::server {

namespace {
// "2026-11-25 23:00:00.123+00": what COPY reads for timestamptz.
std::string timestampText(std::int64_t epochMs) {
    const std::time_t seconds = static_cast<std::time_t>(epochMs / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    const auto length = std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
    char millis[16];
    std::snprintf(millis, sizeof millis, ".%03d+00", static_cast<int>(epochMs % 1000));
    return std::string(text, length) + millis;
}

// pqxx 6.4's stream_to takes tuple-like rows; an array of texts is one.
using Row = std::array<std::string, 21>;

Row rowOf(const MetricsWriter::Sample& sample) {
    const auto& beat = sample.heartbeat;
    double diskPercent = 0;
    nlohmann::json filesystems = nlohmann::json::array();
    for (const auto& fs : beat.filesystems) {
        diskPercent = std::max(diskPercent, fs.usedPercent());
        filesystems.push_back(fs.toJson());
    }
    std::uint64_t rx = 0;
    std::uint64_t tx = 0;
    nlohmann::json interfaces = nlohmann::json::array();
    for (const auto& nic : beat.interfaces) {
        if (nic.name != "lo") {
            rx += nic.rxBytes;
            tx += nic.txBytes;
        }
        interfaces.push_back({{"name", nic.name}, {"rx_bytes", nic.rxBytes}, {"tx_bytes", nic.txBytes}});
    }
    const auto dump = [](const nlohmann::json& value) {
        return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    return {sample.session.deviceId,
            sample.session.partnerId,
            sample.session.orgId,
            sample.session.siteId,
            timestampText(beat.sampledAtMs),
            std::to_string(beat.cpuPercent),
            std::to_string(beat.load1),
            std::to_string(beat.load5),
            std::to_string(beat.load15),
            std::to_string(beat.memoryTotalBytes),
            std::to_string(beat.memoryUsedBytes),
            std::to_string(beat.swapTotalBytes),
            std::to_string(beat.swapUsedBytes),
            std::to_string(beat.processCount),
            std::to_string(beat.uptimeSeconds),
            std::to_string(std::min(diskPercent, 100.0)),
            std::to_string(std::min<std::uint64_t>(rx, INT64_MAX)),
            std::to_string(std::min<std::uint64_t>(tx, INT64_MAX)),
            dump(beat.users),
            dump(filesystems),
            dump(interfaces)};
}

const std::vector<std::string> kColumns{
    "device_id", "partner_id",    "org_id",         "site_id",           "sampled_at",   "cpu_percent",
    "load1",     "load5",         "load15",         "memory_total",      "memory_used",  "swap_total",
    "swap_used", "process_count", "uptime_seconds", "disk_used_percent", "net_rx_bytes", "net_tx_bytes",
    "users",     "filesystems",   "interfaces"};
} // namespace

MetricsWriter::MetricsWriter(ConnectionPool& pool, std::size_t maxBatch, std::chrono::milliseconds maxDelay,
                             std::size_t maxQueued)
    : m_pool(pool), m_maxBatch(maxBatch), m_maxDelay(maxDelay), m_maxQueued(maxQueued) {
    m_thread = std::thread([this] { run(); });
}

MetricsWriter::~MetricsWriter() {
    stop();
}

void MetricsWriter::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

bool MetricsWriter::submit(Sample sample) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || m_queue.size() >= m_maxQueued)
            return false;
        m_queue.push_back(std::move(sample));
    }
    m_wake.notify_one();
    return true;
}

std::size_t MetricsWriter::queued() const {
    std::lock_guard lock(m_mutex);
    return m_queue.size();
}

void MetricsWriter::run() {
    for (;;) {
        std::deque<Sample> batch;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty())
                return;
            // Let a batch fill for a moment: one transaction per few hundred samples, not one per sample.
            if (!m_stopping && m_queue.size() < m_maxBatch)
                m_wake.wait_for(lock, m_maxDelay, [&] { return m_stopping || m_queue.size() >= m_maxBatch; });
            while (!m_queue.empty() && batch.size() < m_maxBatch) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
        }
        std::vector<Outcome> outcomes(batch.size(), Outcome::Later);
        writeSplitting(batch, 0, batch.size(), outcomes);
        if (m_feed) {
            std::vector<AgentDataFeed::Heartbeat> stored;
            for (std::size_t i = 0; i < batch.size(); ++i)
                if (outcomes[i] == Outcome::Stored)
                    stored.push_back({batch[i].session, batch[i].heartbeat});
            m_feed->heartbeatsStored(stored);
        }
        if (std::find(outcomes.begin(), outcomes.end(), Outcome::Later) != outcomes.end()) {
            // PostgreSQL is away: the agents keep their samples; do not spin.
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::seconds(1), [&] { return m_stopping; });
        }
    }
}

void MetricsWriter::writeSplitting(const std::deque<Sample>& batch, std::size_t first, std::size_t last,
                                   std::vector<Outcome>& outcomes) {
    std::string error;
    const Outcome outcome = write(batch, first, last, error);
    if (outcome == Outcome::Refused && last - first > 1) {
        // Which sample PostgreSQL objects to is unknown: halve until it is alone. The others are stored, a
        // few transactions later, whatever one device sent.
        const std::size_t middle = first + (last - first) / 2;
        writeSplitting(batch, first, middle, outcomes);
        writeSplitting(batch, middle, last, outcomes);
        return;
    }
    if (outcome == Outcome::Refused)
        logger().warning("heartbeat refused by the database",
                         {{"device_id", batch[first].session.deviceId}, {"error", error}});
    for (std::size_t i = first; i < last; ++i) {
        outcomes[i] = outcome;
        if (batch[i].done)
            batch[i].done(outcome, error);
    }
}

MetricsWriter::Outcome MetricsWriter::write(const std::deque<Sample>& batch, std::size_t first,
                                            std::size_t last, std::string& error) {
    try {
        auto lease = m_pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"store heartbeats of authenticated agents"});
        tx.sql().exec(
            "CREATE TEMP TABLE IF NOT EXISTS metrics_batch (LIKE device_metrics INCLUDING DEFAULTS) "
            "ON COMMIT DELETE ROWS");
        {
            pqxx::stream_to stream(tx.sql(), "metrics_batch", kColumns);
            for (std::size_t i = first; i < last; ++i)
                stream << rowOf(batch[i]);
            stream.complete();
        }
        tx.sql().exec("INSERT INTO device_metrics SELECT * FROM metrics_batch ON CONFLICT DO NOTHING");
        tx.sql().exec("INSERT INTO device_metrics_rollup_queue (device_id, hour) "
                      "SELECT DISTINCT device_id, date_trunc('hour', sampled_at) FROM metrics_batch "
                      "WHERE sampled_at < date_trunc('hour', now()) ON CONFLICT DO NOTHING");
        tx.sql().exec(
            // The newest sample of each device in the batch becomes the device's headline figures.
            "UPDATE devices d SET last_seen_at = now(), last_cpu_percent = b.cpu_percent, "
            "last_memory_percent = CASE WHEN b.memory_total > 0 THEN 100.0 * b.memory_used / b.memory_total "
            "END, "
            "last_user = left(coalesce(b.users->>0, ''), 255), last_filesystems = b.filesystems, "
            "booted_at = CASE WHEN b.uptime_seconds > 0 "
            "THEN date_trunc('second', b.sampled_at - make_interval(secs => b.uptime_seconds)) END "
            "FROM (SELECT DISTINCT ON (device_id) device_id, sampled_at, cpu_percent, memory_used, "
            "memory_total, users, filesystems, uptime_seconds "
            "FROM metrics_batch ORDER BY device_id, sampled_at DESC) b WHERE d.id = b.device_id");
        tx.commit();
        m_stored += last - first;
        ++m_batches;
        return Outcome::Stored;
    } catch (const pqxx::sql_error& refused) {
        // Classes 22 (data exception: a NUL byte, bad JSON, a value out of range), 23 (integrity) and 54
        // (program limits) are about what was sent; anything else may pass on its own.
        const std::string& state = refused.sqlstate();
        error = refused.what();
        if (state.starts_with("22") || state.starts_with("23") || state.starts_with("54"))
            return Outcome::Refused;
        logger().warning("heartbeat batch not stored", {{"samples", last - first}, {"error", error}});
        return Outcome::Later;
    } catch (const std::exception& failure) {
        error = failure.what();
        logger().warning("heartbeat batch not stored", {{"samples", last - first}, {"error", error}});
        return Outcome::Later;
    }
}

} // namespace breeze::server
