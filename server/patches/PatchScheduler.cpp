#include "patches/PatchScheduler.h"

#include "agents/AgentDirectory.h"
#include "db/ConnectionPool.h"
#include "db/ScopedTransaction.h"
#include "ops/JsonLogger.h"
#include "patches/PatchDeployer.h"

#include <pqxx/pqxx>

namespace breeze::server {

PatchScheduler::PatchScheduler(ConnectionPool& pool, AgentDirectory* agents,
                               std::chrono::milliseconds interval, std::chrono::seconds snapshotEvery)
    : m_pool(pool), m_agents(agents), m_interval(interval), m_snapshotEvery(snapshotEvery) {}

PatchScheduler::~PatchScheduler() {
    stop();
}

void PatchScheduler::start() {
    m_thread = std::thread([this] {
        while (true) {
            try {
                runOnce();
            } catch (const std::exception& error) {
                logger().warning("patch scheduling pass failed", {{"error", error.what()}});
            }
            std::unique_lock lock(m_mutex);
            if (m_wake.wait_for(lock, m_interval, [this] { return m_stopping; }))
                return;
        }
    });
}

void PatchScheduler::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void PatchScheduler::openWindows(std::vector<std::string>& queuedDevices) {
    auto lease = m_pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"open maintenance windows and schedule scans"});
    // Today's and yesterday's window start in each site's own time (a window may run past midnight); a
    // deployment per site and window, made while the window is open. It expires with the window unless the
    // policy lets devices that were away install when they return.
    tx.sql().exec(
        "WITH sites_now AS (SELECT s.id AS site_id, s.org_id, s.partner_id, s.timezone, pol.id AS policy_id, "
        "pol.name, pol.window_days, pol.window_start, pol.window_minutes, pol.missed_window, now() AT TIME "
        "ZONE "
        "s.timezone AS local_now FROM sites s JOIN patch_policies pol ON pol.id = "
        "breeze_site_patch_policy(s.org_id, "
        "s.id) WHERE cardinality(pol.window_days) > 0), "
        "open_windows AS (SELECT sn.*, day.start AS local_start FROM sites_now sn CROSS JOIN LATERAL (SELECT "
        "date_trunc('day', sn.local_now) - make_interval(days => k) + sn.window_start AS start FROM "
        "generate_series(0, 1) k) day WHERE extract(dow FROM day.start)::int = ANY(sn.window_days) AND "
        "sn.local_now "
        ">= day.start AND sn.local_now < day.start + make_interval(mins => sn.window_minutes)) "
        "INSERT INTO patch_deployments (partner_id, org_id, targets, device_ids, scheduled_at, policy_id, "
        "window_start, expires_at, requested_by) SELECT w.partner_id, w.org_id, "
        "jsonb_build_object('site_id', "
        "w.site_id), (SELECT coalesce(array_agg(d.id), '{}') FROM devices d WHERE d.site_id = w.site_id AND "
        "d.revoked_at IS NULL), now(), w.policy_id, w.local_start AT TIME ZONE w.timezone, CASE WHEN "
        "w.missed_window = 'next_window' THEN (w.local_start + make_interval(mins => w.window_minutes)) AT "
        "TIME ZONE "
        "w.timezone ELSE now() + interval '7 days' END, 'policy ' || w.name FROM open_windows w ON CONFLICT "
        "DO "
        "NOTHING");
    // Scans as often as the policy asks; a device that could not scan is asked again an hour later at the
    // earliest.
    const auto scans = tx.sql().exec(
        "INSERT INTO device_commands (partner_id, org_id, site_id, device_id, command_type, args, "
        "timeout_seconds, "
        "expires_at, requested_by) SELECT d.partner_id, d.org_id, d.site_id, d.id, 'patch_scan', '{}', 900, "
        "now() + "
        "interval '1 day', 'policy ' || pol.name FROM devices d JOIN patch_policies pol ON pol.id = "
        "breeze_site_patch_policy(d.org_id, d.site_id) WHERE d.revoked_at IS NULL AND d.approval = "
        "'approved' AND "
        "(d.patches_scanned_at IS NULL OR d.patches_scanned_at < now() - make_interval(hours => "
        "pol.scan_interval_hours)) AND NOT EXISTS (SELECT 1 FROM device_commands c WHERE c.device_id = d.id "
        "AND "
        "c.command_type = 'patch_scan' AND (c.status IN ('pending', 'sent', 'running') OR c.created_at > "
        "now() - "
        "interval '1 hour')) RETURNING device_id");
    tx.commit();
    for (const auto& row : scans)
        queuedDevices.push_back(row["device_id"].as<std::string>());
}

void PatchScheduler::snapshotCompliance() {
    auto lease = m_pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"snapshot patch compliance"});
    tx.sql().exec(
        "INSERT INTO patch_compliance_daily (day, partner_id, org_id, site_id, devices, scanned, "
        "fully_patched, "
        "critical_patched, important_patched, moderate_patched, low_patched, security_patched) SELECT (now() "
        "AT TIME "
        "ZONE 'UTC')::date, partner_id, org_id, site_id, devices, scanned, fully_patched, critical_patched, "
        "important_patched, moderate_patched, low_patched, security_patched FROM patch_compliance_now ON "
        "CONFLICT "
        "(site_id, day) DO UPDATE SET devices = EXCLUDED.devices, scanned = EXCLUDED.scanned, fully_patched "
        "= "
        "EXCLUDED.fully_patched, critical_patched = EXCLUDED.critical_patched, important_patched = "
        "EXCLUDED.important_patched, moderate_patched = EXCLUDED.moderate_patched, low_patched = "
        "EXCLUDED.low_patched, "
        "security_patched = EXCLUDED.security_patched, taken_at = now()");
    tx.commit();
}

int PatchScheduler::runOnce() {
    if (!m_lastSnapshot || std::chrono::steady_clock::now() - *m_lastSnapshot >= m_snapshotEvery) {
        snapshotCompliance();
        m_lastSnapshot = std::chrono::steady_clock::now();
    }
    std::vector<std::string> devices;
    openWindows(devices);
    int queued = 0;
    {
        auto lease = m_pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"queue scheduled patch deployments"});
        const auto due =
            tx.sql().exec("SELECT id FROM patch_deployments WHERE status = 'scheduled' AND scheduled_at "
                          "<= now() ORDER BY scheduled_at LIMIT 20 FOR UPDATE SKIP LOCKED");
        for (const auto& row : due) {
            const auto summary = PatchDeployer::queue(tx, row["id"].as<std::string>());
            for (const auto& item : summary["queued"])
                devices.push_back(item["device_id"]);
            ++queued;
        }
        tx.commit();
    }
    if (m_agents)
        for (const auto& device : devices)
            m_agents->commandsQueued(device);
    if (queued > 0)
        logger().info("scheduled patch deployments queued",
                      {{"deployments", queued}, {"devices", devices.size()}});
    return queued;
}

} // namespace breeze::server
