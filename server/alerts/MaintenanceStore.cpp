#include "alerts/MaintenanceStore.h"

#include "db/ScopedTransaction.h"
#include "http/ResultJson.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kWindowJson =
    "json_build_object('id', w.id, 'org_id', w.org_id, 'scope', w.scope, 'target_id', w.target_id, "
    "'target_name', CASE w.scope WHEN 'org' THEN (SELECT name FROM organizations WHERE id = w.target_id) "
    "WHEN "
    "'site' THEN (SELECT name FROM sites WHERE id = w.target_id) WHEN 'group' THEN (SELECT name FROM "
    "device_groups WHERE id = w.target_id) ELSE (SELECT hostname FROM devices WHERE id = w.target_id) END, "
    "'starts_at', w.starts_at, 'ends_at', w.ends_at, 'repeat', w.repeat, 'reason', w.reason, 'active', CASE "
    "WHEN w.repeat = 'none' THEN now() >= w.starts_at AND now() < w.ends_at ELSE now() >= w.starts_at AND "
    "(extract(epoch FROM now() - w.starts_at)::bigint % (CASE w.repeat WHEN 'daily' THEN 86400 ELSE 604800 "
    "END)) < extract(epoch FROM w.ends_at - w.starts_at) END, 'created_by', w.created_by_label, "
    "'created_at', "
    "w.created_at)";
} // namespace

nlohmann::json MaintenanceStore::insert(const NewWindow& window) {
    return jsonRow(m_tx.sql().exec_params1(
        std::string(
            "WITH w AS (INSERT INTO maintenance_windows (partner_id, org_id, scope, target_id, starts_at, "
            "ends_at, repeat, reason, created_by_label) VALUES ($1, $2, $3, $4, $5::timestamptz, "
            "$6::timestamptz, $7, $8, $9) RETURNING *) SELECT ") +
            kWindowJson + "::text AS item FROM w",
        window.partnerId, window.orgId, window.scope, window.targetId, window.startsAt, window.endsAt,
        window.repeat, window.reason, window.createdBy));
}

nlohmann::json MaintenanceStore::list(const std::string& scopeSql, const std::optional<std::string>& orgId) {
    return {{"items",
             jsonRows(m_tx.sql().exec_params(
                 std::string("SELECT ") + kWindowJson + "::text AS item FROM maintenance_windows w WHERE " +
                     scopeSql +
                     " AND ($1::uuid IS NULL OR w.org_id = $1::uuid) AND (w.repeat <> 'none' OR w.ends_at "
                     "> now() - interval '7 days') ORDER BY w.starts_at, w.id LIMIT 1000",
                 orgId))}};
}

std::optional<nlohmann::json> MaintenanceStore::find(const std::string& id, const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params(
        std::string("SELECT ") + kWindowJson +
            "::text AS item FROM maintenance_windows w WHERE w.id = $1 AND " + scopeSql,
        id);
    if (rows.empty())
        return std::nullopt;
    return jsonRow(rows[0]);
}

std::optional<std::string> MaintenanceStore::siteOfDevice(const std::string& deviceId) {
    const auto rows =
        m_tx.sql().exec_params("SELECT site_id::text AS site FROM devices WHERE id = $1", deviceId);
    if (rows.empty())
        return std::nullopt;
    return rows[0]["site"].as<std::string>();
}

void MaintenanceStore::remove(const std::string& id) {
    m_tx.sql().exec_params("DELETE FROM maintenance_windows WHERE id = $1", id);
}

long long MaintenanceStore::count(const std::string& partnerId) {
    ScopedTransaction::SystemSection system(m_tx,
                                            SystemAccess{"maintenance windows are bounded per partner"});
    return m_tx.sql()
        .exec_params1(
            "SELECT count(*) AS n FROM maintenance_windows WHERE partner_id = $1 AND (repeat <> 'none' "
            "OR ends_at > now())",
            partnerId)["n"]
        .as<long long>();
}

} // namespace breeze::server
