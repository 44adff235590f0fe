#include "patches/PatchDeploymentStore.h"

#include "auth/AccessScope.h"
#include "db/PgText.h"
#include "db/ScopedTransaction.h"
#include "devices/DeviceTargets.h"
#include "http/Pagination.h"
#include "patches/Installable.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kDeploymentJson =
    "json_build_object('id', pd.id, 'org_id', pd.org_id, 'targets', pd.targets, 'device_count', "
    "cardinality(pd.device_ids), 'scheduled_at', pd.scheduled_at, 'status', pd.status, 'queued_at', "
    "pd.queued_at, 'summary', pd.summary, 'requested_by', pd.requested_by, 'created_at', pd.created_at, "
    "'policy_id', pd.policy_id, 'window_start', pd.window_start, 'expires_at', pd.expires_at, 'reboot', "
    "pd.reboot, "
    "'statuses', (SELECT coalesce(json_object_agg(status, n), '{}'::json) FROM (SELECT c.status, count(*) AS "
    "n "
    "FROM device_commands c WHERE c.deployment_id = pd.id GROUP BY c.status) counts))::text";
constexpr const char* kDeploymentKey =
    "lpad((9223372036854775807 - (extract(epoch FROM pd.created_at) * 1000000)::bigint)::text, 19, '0')";

nlohmann::json parse(const pqxx::field& field) {
    return nlohmann::json::parse(field.c_str());
}
} // namespace

std::string PatchDeploymentStore::scopeSql(const AccessScope& scope) {
    return "(pd.partner_id = '" + scope.partnerId() + "'::uuid AND " +
           (scope.isWholePartner()
                ? std::string("true")
                : "pd.org_id IS NOT NULL AND " + scope.sqlOrg("pd.partner_id", "pd.org_id")) +
           ")";
}

std::vector<PatchDeploymentStore::Target> PatchDeploymentStore::targets(const DeviceTargets& aim,
                                                                        const std::string& deviceScopeSql) {
    std::vector<Target> out;
    for (const auto& row :
         aim.params.exec(m_tx.sql(), "SELECT d.id, d.org_id FROM devices d WHERE " + aim.where + " AND " +
                                         deviceScopeSql + " AND d.revoked_at IS NULL"))
        out.push_back({row["id"].as<std::string>(), row["org_id"].as<std::string>()});
    return out;
}

std::string PatchDeploymentStore::insert(const NewDeployment& d) {
    return m_tx.sql()
        .exec_params1(
            "INSERT INTO patch_deployments (partner_id, org_id, targets, device_ids, scheduled_at, "
            "requested_by, requested_by_user, reboot) VALUES ($1, NULLIF($2, '')::uuid, $3::jsonb, "
            "$4::uuid[], coalesce($5::timestamptz, now()), $6, NULLIF($7, '')::uuid, $8) RETURNING id",
            d.partnerId, d.orgId, d.targets.dump(), uuidArrayLiteral(d.deviceIds), d.scheduledAt,
            d.requestedBy, d.requestedByUser, d.reboot)["id"]
        .as<std::string>();
}

nlohmann::json PatchDeploymentStore::preview(const std::vector<std::string>& deviceIds) {
    nlohmann::json devices = nlohmann::json::array();
    for (const auto& row : m_tx.sql().exec_params(
             std::string(
                 "SELECT json_build_object('device_id', d.id, 'hostname', coalesce(nullif(d.hostname, ''), "
                 "d.identity), 'site_id', d.site_id, 'packages', (SELECT coalesce(json_agg(json_build_object("
                 "'name', p.name, 'version', p.version, 'severity', dp.severity, 'security', dp.security) "
                 "ORDER BY lower(p.name)), '[]') FROM device_patches dp JOIN patches p ON p.id = dp.patch_id "
                 "WHERE dp.device_id = d.id AND ") +
                 kInstallableRows +
                 "), 'policy', (SELECT json_build_object('name', pol.name, 'window_days', pol.window_days, "
                 "'window_start', pol.window_start, 'window_minutes', pol.window_minutes, 'reboot', "
                 "pol.reboot, "
                 "'reboot_delay_minutes', pol.reboot_delay_minutes, 'timezone', s.timezone) FROM "
                 "patch_policies "
                 "pol JOIN sites s ON s.id = d.site_id WHERE pol.id = breeze_site_patch_policy(d.org_id, "
                 "d.site_id)))::text AS item FROM devices d WHERE d.id = ANY($1::uuid[]) AND d.revoked_at IS "
                 "NULL ORDER BY lower(coalesce(nullif(d.hostname, ''), d.identity)), d.id",
             uuidArrayLiteral(deviceIds)))
        devices.push_back(nlohmann::json::parse(row["item"].c_str()));
    return devices;
}

bool PatchDeploymentStore::isDue(const std::string& id) {
    return m_tx.sql()
        .exec_params1("SELECT scheduled_at <= now() AS due FROM patch_deployments WHERE id = $1", id)["due"]
        .as<bool>();
}

nlohmann::json PatchDeploymentStore::deployment(const std::string& id) {
    return parse(m_tx.sql().exec_params1(std::string("SELECT ") + kDeploymentJson +
                                             " AS deployment FROM patch_deployments pd WHERE pd.id = $1",
                                         id)["deployment"]);
}

std::optional<nlohmann::json> PatchDeploymentStore::find(const std::string& id, const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params(
        std::string("SELECT ") + kDeploymentJson +
            " AS deployment FROM patch_deployments pd WHERE pd.id = $1 AND " + scopeSql,
        id);
    if (rows.empty())
        return std::nullopt;
    return parse(rows[0]["deployment"]);
}

nlohmann::json PatchDeploymentStore::devices(const std::string& id, const std::string& commandScopeSql) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : m_tx.sql().exec_params(
             "SELECT json_build_object('device_id', c.device_id, 'hostname', d.hostname, 'command_id', c.id, "
             "'status', c.status, 'error', c.error, 'results', (SELECT coalesce(json_agg(json_build_object("
             "'name', r.name, 'version', r.version, 'status', r.status, 'installed_version', "
             "r.installed_version) "
             "ORDER BY r.name), '[]'::json) FROM patch_results r WHERE r.command_id = c.id))::text AS device "
             "FROM device_commands c JOIN devices d ON d.id = c.device_id WHERE c.deployment_id = $1 AND " +
                 commandScopeSql + " ORDER BY d.hostname",
             id))
        out.push_back(parse(row["device"]));
    return out;
}

nlohmann::json PatchDeploymentStore::list(const std::optional<std::string>& deviceId,
                                          const Pagination& pagination, const std::string& scopeSql) {
    SqlParams params;
    std::string sql = std::string("SELECT ") + kDeploymentJson + " AS item, " + kDeploymentKey +
                      " AS sort_key" + " FROM patch_deployments pd WHERE " + scopeSql;
    if (deviceId)
        sql += " AND " + params.add(*deviceId) + "::uuid = ANY(pd.device_ids)";
    sql += pagination.sqlAfter(params, kDeploymentKey, "pd.id") + " ORDER BY " + kDeploymentKey + ", pd.id" +
           pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

std::optional<std::string> PatchDeploymentStore::lockStatus(const std::string& id,
                                                            const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT pd.status FROM patch_deployments pd WHERE pd.id = $1 AND " + scopeSql + " FOR UPDATE", id);
    if (rows.empty())
        return std::nullopt;
    return rows[0]["status"].as<std::string>();
}

void PatchDeploymentStore::cancel(const std::string& id) {
    m_tx.sql().exec_params("UPDATE patch_deployments SET status = 'cancelled' WHERE id = $1", id);
}

} // namespace breeze::server
