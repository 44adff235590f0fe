#include "agents/AgentMaintenance.h"

#include "agents/CommandStore.h"
#include "agents/DevicePresence.h"
#include "db/ConnectionPool.h"
#include "db/ScopedTransaction.h"
#include "ops/JsonLogger.h"

#include <malloc.h>
#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kRollupColumns =
    "device_id, partner_id, org_id, site_id, hour, samples, cpu_avg, cpu_max, load1_avg, memory_used_avg, "
    "memory_total, swap_used_avg, disk_used_percent_max, net_rx_bytes, net_tx_bytes";

// Rolls up the raw samples of [from, to) (hour-aligned) for one device or all.
std::string rollupSql(bool oneDevice) {
    return std::string("INSERT INTO device_metrics_hourly (") + kRollupColumns +
           ") SELECT device_id, (array_agg(partner_id ORDER BY sampled_at DESC))[1], "
           "(array_agg(org_id ORDER BY sampled_at DESC))[1], (array_agg(site_id ORDER BY sampled_at "
           "DESC))[1], "
           "date_trunc('hour', sampled_at), count(*), avg(cpu_percent), max(cpu_percent), avg(load1), "
           "avg(memory_used)::bigint, max(memory_total), avg(swap_used)::bigint, max(disk_used_percent), "
           "greatest(max(net_rx_bytes) - min(net_rx_bytes), 0), greatest(max(net_tx_bytes) - "
           "min(net_tx_bytes), 0) "
           "FROM device_metrics WHERE sampled_at >= $1::timestamptz AND sampled_at < $2::timestamptz " +
           (oneDevice ? "AND device_id = $3 " : "") +
           "GROUP BY device_id, date_trunc('hour', sampled_at) "
           "ON CONFLICT (device_id, hour) DO UPDATE SET samples = excluded.samples, cpu_avg = "
           "excluded.cpu_avg, "
           "cpu_max = excluded.cpu_max, load1_avg = excluded.load1_avg, memory_used_avg = "
           "excluded.memory_used_avg, "
           "memory_total = excluded.memory_total, swap_used_avg = excluded.swap_used_avg, "
           "disk_used_percent_max = excluded.disk_used_percent_max, net_rx_bytes = excluded.net_rx_bytes, "
           "net_tx_bytes = excluded.net_tx_bytes";
}
} // namespace

AgentMaintenance::AgentMaintenance(ConnectionPool& pool, MaintenanceSettings settings, SilentDevices onSilent)
    : m_pool(pool), m_settings(settings), m_onSilent(std::move(onSilent)) {}

AgentMaintenance::~AgentMaintenance() {
    stop();
}

void AgentMaintenance::start() {
    m_thread = std::thread([this] { run(); });
}

void AgentMaintenance::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void AgentMaintenance::run() {
    for (;;) {
        try {
            runOnce();
        } catch (const std::exception& error) {
            logger().warning("agent maintenance pass failed", {{"error", error.what()}});
        }
        std::unique_lock lock(m_mutex);
        if (m_wake.wait_for(lock, m_settings.interval, [this] { return m_stopping; }))
            return;
    }
}

void AgentMaintenance::ensurePartitions(ConnectionPool& pool, int retentionDays, int rollupRetentionDays) {
    auto lease = pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"manage metric partitions"});
    // Daily raw partitions from the oldest retained day to two days ahead (UTC days).
    const auto days = tx.sql().exec_params(
        "SELECT to_char(d, 'YYYYMMDD') AS suffix, to_char(d, 'YYYY-MM-DD') AS first, to_char(d + 1, "
        "'YYYY-MM-DD') AS next "
        "FROM generate_series((now() AT TIME ZONE 'UTC')::date - $1::int, (now() AT TIME ZONE 'UTC')::date + "
        "2, "
        "interval '1 day') AS g(t), LATERAL (SELECT t::date AS d) x",
        retentionDays);
    for (const auto& day : days)
        tx.sql().exec("CREATE TABLE IF NOT EXISTS device_metrics_p" + day["suffix"].as<std::string>() +
                      " PARTITION OF device_metrics FOR VALUES FROM ('" + day["first"].as<std::string>() +
                      " 00:00:00+00') TO ('" + day["next"].as<std::string>() + " 00:00:00+00')");
    // Monthly rollup partitions from the oldest raw sample's month to next month.
    const auto months = tx.sql().exec_params(
        "SELECT to_char(m, 'YYYYMM') AS suffix, to_char(m, 'YYYY-MM-DD') AS first, to_char(m + interval "
        "'1 month', 'YYYY-MM-DD') AS next "
        "FROM generate_series(date_trunc('month', (now() AT TIME ZONE 'UTC') - make_interval(days => $1::int "
        "+ 1)), "
        "date_trunc('month', (now() AT TIME ZONE 'UTC') + interval '1 month'), interval '1 month') AS m",
        retentionDays);
    for (const auto& month : months)
        tx.sql().exec(
            "CREATE TABLE IF NOT EXISTS device_metrics_hourly_p" + month["suffix"].as<std::string>() +
            " PARTITION OF device_metrics_hourly FOR VALUES FROM ('" + month["first"].as<std::string>() +
            " 00:00:00+00') TO ('" + month["next"].as<std::string>() + " 00:00:00+00')");
    // Retention: whole partitions whose range ended before the cut-off go at once.
    const auto expired = tx.sql().exec_params(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'device_metrics'::regclass AND c.relname ~ '^device_metrics_p[0-9]{8}$' "
        "AND to_date(substr(c.relname, 17), 'YYYYMMDD') + 1 <= (now() AT TIME ZONE 'UTC')::date - $1::int "
        "UNION ALL "
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'device_metrics_hourly'::regclass AND c.relname ~ "
        "'^device_metrics_hourly_p[0-9]{6}$' "
        "AND to_date(substr(c.relname, 24), 'YYYYMM') + interval '1 month' <= now() - make_interval(days => "
        "$2::int)",
        retentionDays, rollupRetentionDays);
    for (const auto& row : expired) {
        tx.sql().exec("DROP TABLE " + tx.sql().quote_name(row["relname"].as<std::string>()));
        logger().info("dropped expired metric partition", {{"partition", row["relname"].as<std::string>()}});
    }
    tx.commit();
}

void AgentMaintenance::rollUp() {
    auto lease = m_pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"roll up metrics"});
    // The hour that has just completed, once; on the first pass the two before it as well.
    const auto hours = tx.sql().exec(
        "SELECT to_char(date_trunc('hour', now()) - interval '1 hour', 'YYYY-MM-DD HH24:00:00OF') AS "
        "completed, "
        "to_char(date_trunc('hour', now()) - interval '3 hours', 'YYYY-MM-DD HH24:00:00OF') AS first_pass, "
        "to_char(date_trunc('hour', now()), 'YYYY-MM-DD HH24:00:00OF') AS current");
    const std::string completed = hours[0]["completed"].as<std::string>();
    if (completed != m_lastRolledHour) {
        const std::string from =
            m_lastRolledHour.empty() ? hours[0]["first_pass"].as<std::string>() : completed;
        tx.sql().exec_params(rollupSql(false), from, hours[0]["current"].as<std::string>());
        m_lastRolledHour = completed;
    }
    // Hours that received samples after they had completed (spools drained after an outage).
    const auto late = tx.sql().exec(
        "DELETE FROM device_metrics_rollup_queue WHERE (device_id, hour) IN "
        "(SELECT device_id, hour FROM device_metrics_rollup_queue LIMIT 2000) RETURNING device_id, "
        "to_char(hour, 'YYYY-MM-DD HH24:00:00OF') AS first, to_char(hour + interval '1 hour', 'YYYY-MM-DD "
        "HH24:00:00OF') AS next");
    for (const auto& row : late)
        tx.sql().exec_params(rollupSql(true), row["first"].as<std::string>(), row["next"].as<std::string>(),
                             row["device_id"].as<std::string>());
    tx.commit();
}

void AgentMaintenance::runOnce() {
    ensurePartitions(m_pool, m_settings.metricsRetentionDays, m_settings.rollupRetentionDays);
    rollUp();
    std::vector<std::string> silent;
    {
        auto lease = m_pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"expire commands and mark silent devices offline"});
        const long long expired = CommandStore::expire(tx);
        silent = DevicePresence::markSilentOffline(tx, m_settings.offlineAfterSeconds);
        tx.commit();
        if (expired > 0)
            logger().info("commands timed out", {{"count", expired}});
    }
    if (!silent.empty() && m_onSilent)
        m_onSilent(silent);
    {
        // Sign-in counters whose window and block are long over say nothing any more.
        auto lease = m_pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"forget expired sign-in counters"});
        tx.sql().exec("DELETE FROM auth_throttle WHERE window_started_at < now() - interval '1 day' AND "
                      "(blocked_until IS NULL OR blocked_until < now())");
        tx.commit();
    }
    // Bursts (a fleet reconnecting and sending its inventory) leave freed memory in the worker threads'
    // malloc arenas, which glibc does not give back on its own: return it, so a quiet server's memory is what
    // its connections hold.
    malloc_trim(0);
}

} // namespace breeze::server
