#include "patches/PatchCatalogStore.h"

#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "http/Pagination.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
// What identifies an update, from the shared catalog.
constexpr const char* kPatchFields =
    "'id', p.id, 'manager', p.manager, 'name', p.name, 'arch', p.arch, 'version', p.version, 'size_bytes', "
    "p.size_bytes, 'reboot_hint', p.reboot_hint, 'first_seen_at', p.first_seen_at";
// How it is classified: each device says so for itself only (a device's word never reaches another
// organisation). Over several devices (rows `dp`, already limited to what the caller may see): the gravest
// severity, security when any says so.
constexpr const char* kSeverityOfRows =
    "CASE min(CASE dp.severity WHEN 'critical' THEN 1 WHEN 'important' THEN 2 WHEN 'moderate' THEN 3 "
    "WHEN 'low' THEN 4 ELSE 5 END) WHEN 1 THEN 'critical' WHEN 2 THEN 'important' WHEN 3 THEN 'moderate' "
    "WHEN 4 THEN 'low' ELSE '' END";
std::string classificationOfRows() {
    return std::string(", 'repository', coalesce(max(dp.repository), ''), 'security', coalesce(bool_or("
                       "dp.security), false), 'severity', ") +
           kSeverityOfRows;
}
constexpr const char* kClassificationOfRow =
    ", 'repository', dp.repository, 'security', dp.security, 'severity', dp.severity";
constexpr const char* kPatchSortKey = "lower(p.name) || '/' || p.version || '/' || p.id";

nlohmann::json items(const pqxx::result& rows, const char* column) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : rows)
        out.push_back(nlohmann::json::parse(row[column].c_str()));
    return out;
}
} // namespace

nlohmann::json PatchCatalogStore::list(const Filter& filter, const Pagination& pagination,
                                       const std::string& scopeSql) {
    SqlParams params;
    std::string where = scopeSql;
    for (const auto& [value, column] :
         {std::pair{&filter.orgId, "dp.org_id"}, std::pair{&filter.siteId, "dp.site_id"},
          std::pair{&filter.deviceId, "dp.device_id"}})
        if (*value)
            where += std::string(" AND ") + column + " = " + params.add(**value) + "::uuid";
    std::vector<std::string> conditions; // on the classification, which is known per group of rows
    if (filter.security)
        conditions.emplace_back(*filter.security ? "coalesce(bool_or(dp.security), false)"
                                                 : "NOT coalesce(bool_or(dp.security), false)");
    if (filter.severity)
        conditions.push_back(std::string("(") + kSeverityOfRows + ") = " + params.add(*filter.severity));
    if (filter.search)
        where += " AND strpos(lower(p.name), lower(" + params.add(*filter.search) + ")) > 0";
    if (filter.state)
        conditions.push_back("count(*) FILTER (WHERE dp.state = " + params.add(*filter.state) + ") > 0");
    std::string having;
    for (const auto& condition : conditions)
        having += (having.empty() ? " HAVING " : " AND ") + condition;
    // What applies where the caller looks: the organisation or site filtered on (their rows share it), else
    // the partner as a whole; a device's own decision shows on that device.
    const std::string decisionOrg =
        filter.orgId || filter.siteId ? std::string("(array_agg(dp.org_id))[1]") : std::string("NULL::uuid");
    const std::string decisionSite = filter.siteId ? params.add(*filter.siteId) + "::uuid" : "NULL::uuid";
    const std::string effective =
        ", 'effective', (SELECT row_to_json(e) FROM breeze_patch_decision_explained(p.id, " + decisionOrg +
        ", " + decisionSite + ", NULL, min(dp.first_seen_at)) e)";
    const std::string sql =
        std::string("SELECT json_build_object(") + kPatchFields + classificationOfRows() +
        ", 'missing', count(*) FILTER (WHERE dp.state = 'missing'), 'installed', count(*) FILTER (WHERE "
        "dp.state = 'installed'), 'failed', count(*) FILTER (WHERE dp.state = 'failed'), 'pending_reboot', "
        "count(*) FILTER (WHERE dp.state = 'pending_reboot'), 'decision', coalesce((SELECT a.decision FROM "
        "patch_decisions a WHERE a.patch_id = p.id AND a.scope = 'partner'), 'none')" +
        effective + ")::text AS item, " + kPatchSortKey +
        " AS sort_key FROM patches p JOIN device_patches dp ON dp.patch_id = p.id WHERE " + where +
        pagination.sqlAfter(params, kPatchSortKey, "p.id") + " GROUP BY p.id" + having + " ORDER BY " +
        kPatchSortKey + pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

bool PatchCatalogStore::visible(const std::string& patchId, const std::string& scopeSql) {
    return !m_tx.sql()
                .exec_params("SELECT 1 FROM device_patches dp WHERE dp.patch_id = $1 AND " + scopeSql +
                                 " LIMIT 1",
                             patchId)
                .empty();
}

nlohmann::json PatchCatalogStore::patch(const std::string& patchId, const std::string& scopeSql) {
    // Classified by the caller's own devices (row-level security limits `dp` to them).
    auto body = nlohmann::json::parse(
        m_tx.sql()
            .exec_params1(std::string("SELECT json_build_object(") + kPatchFields + classificationOfRows() +
                              ")::text AS patch FROM patches p JOIN device_patches dp ON dp.patch_id = p.id "
                              "WHERE p.id = $1 AND " +
                              scopeSql + " GROUP BY p.id",
                          patchId)["patch"]
            .c_str());
    body["decisions"] = items(
        m_tx.sql().exec_params(
            "SELECT json_build_object('id', a.id, 'scope', a.scope, 'org_id', a.org_id, 'site_id', "
            "a.site_id, "
            "'device_id', a.device_id, 'policy_id', a.policy_id, 'decision', a.decision, 'defer_until', "
            "a.defer_until, 'defer_days', a.defer_days, 'decided_by', a.decided_by, 'decided_at', "
            "a.decided_at)::text AS decision FROM patch_decisions a WHERE a.patch_id = $1 ORDER BY "
            "a.decided_at",
            patchId),
        "decision");
    return body;
}

nlohmann::json PatchCatalogStore::forDevice(const std::string& deviceId) {
    const auto rows = m_tx.sql().exec_params(
        std::string("SELECT json_build_object(") + kPatchFields + kClassificationOfRow +
            ", 'state', dp.state, 'installed_version', dp.installed_version, 'last_error', dp.last_error, "
            "'found_at', dp.first_seen_at, 'updated_at', dp.updated_at, 'decision', e.decision, "
            "'decision_source', e.source)::text AS patch FROM device_patches dp JOIN patches p ON p.id = "
            "dp.patch_id CROSS JOIN LATERAL breeze_patch_decision_explained(p.id, dp.org_id, dp.site_id, "
            "dp.device_id, dp.first_seen_at) e WHERE dp.device_id = $1 ORDER BY lower(p.name), p.version",
        deviceId);
    const auto device = m_tx.sql().exec_params1(
        "SELECT reboot_required, patches_scanned_at FROM devices WHERE id = $1", deviceId);
    const auto scanned = device["patches_scanned_at"];
    return {{"items", items(rows, "patch")},
            {"reboot_required", device["reboot_required"].as<bool>()},
            {"scanned_at", scanned.is_null() ? nlohmann::json() : nlohmann::json(scanned.as<std::string>())}};
}

nlohmann::json PatchCatalogStore::results(const std::string& deviceId, const Pagination& pagination) {
    SqlParams params;
    const std::string key = "lpad((9223372036854775807 - r.id)::text, 19, '0')";
    const std::string sql =
        "SELECT json_build_object('id', r.id, 'command_id', r.command_id, 'deployment_id', r.deployment_id, "
        "'patch_id', r.patch_id, 'kind', r.kind, 'name', r.name, 'version', r.version, 'status', r.status, "
        "'installed_version', r.installed_version, 'log', r.log, 'at', r.created_at)::text AS item, " +
        key + " AS sort_key FROM patch_results r WHERE r.device_id = " + params.add(deviceId) + "::uuid" +
        pagination.sqlAfter(params, key, "r.id", "bigint") + " ORDER BY " + key + pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

std::optional<PatchCatalogStore::Installed> PatchCatalogStore::installed(const std::string& deviceId,
                                                                         const std::string& patchId) {
    const auto rows = m_tx.sql().exec_params("SELECT p.name, dp.installed_version, dp.state FROM "
                                             "device_patches dp JOIN patches p ON p.id = dp.patch_id "
                                             "WHERE dp.device_id = $1 AND dp.patch_id = $2",
                                             deviceId, patchId);
    if (rows.empty())
        return std::nullopt;
    return Installed{rows[0]["name"].as<std::string>(), rows[0]["installed_version"].c_str(),
                     rows[0]["state"].as<std::string>()};
}

std::optional<std::string> PatchCatalogStore::policyOrganisation(const std::string& policyId,
                                                                 const std::string& partnerId) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT coalesce(org_id::text, '') AS org_id FROM patch_policies WHERE id = $1 AND partner_id = $2",
        policyId, partnerId);
    if (rows.empty())
        return std::nullopt;
    return rows[0]["org_id"].as<std::string>();
}

void PatchCatalogStore::decide(const Decision& d) {
    m_tx.sql().exec_params(
        "DELETE FROM patch_decisions WHERE patch_id = $1 AND scope = $2 AND org_id IS NOT DISTINCT "
        "FROM NULLIF($3, '')::uuid AND site_id IS NOT DISTINCT FROM NULLIF($4, '')::uuid AND "
        "device_id IS NOT DISTINCT FROM NULLIF($5, '')::uuid AND policy_id IS NOT DISTINCT FROM NULLIF($6, "
        "'')::uuid",
        d.patchId, d.level, d.orgId, d.siteId, d.deviceId, d.policyId);
    if (d.decision == "none")
        return;
    m_tx.sql().exec_params(
        "INSERT INTO patch_decisions (partner_id, patch_id, scope, org_id, site_id, device_id, policy_id, "
        "decision, defer_until, defer_days, decided_by) VALUES ($1, $2, $3, NULLIF($4, '')::uuid, "
        "NULLIF($5, '')::uuid, NULLIF($6, '')::uuid, NULLIF($7, '')::uuid, $8, $9::timestamptz, $10, $11)",
        d.partnerId, d.patchId, d.level, d.orgId, d.siteId, d.deviceId, d.policyId, d.decision, d.deferUntil,
        d.deferDays ? std::optional(std::to_string(*d.deferDays)) : std::nullopt, d.decidedBy);
}

} // namespace breeze::server
