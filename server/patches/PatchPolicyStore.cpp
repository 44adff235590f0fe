#include "patches/PatchPolicyStore.h"

#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "http/ResultJson.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kPolicyJson =
    "json_build_object('id', pol.id, 'org_id', pol.org_id, 'name', pol.name, 'auto_approve_security', "
    "pol.auto_approve_security, 'auto_approve_severities', pol.auto_approve_severities, "
    "'auto_approve_pattern', "
    "pol.auto_approve_pattern, 'window_days', pol.window_days, 'window_start', to_char(pol.window_start, "
    "'HH24:MI'), 'window_minutes', pol.window_minutes, 'scan_interval_hours', pol.scan_interval_hours, "
    "'reboot', pol.reboot, 'reboot_delay_minutes', pol.reboot_delay_minutes, 'missed_window', "
    "pol.missed_window, 'pre_script_id', pol.pre_script_id, 'post_script_id', pol.post_script_id, "
    "'assignments', (SELECT coalesce(json_agg(json_build_object('org_id', a.org_id, 'site_id', a.site_id)), "
    "'[]'::json) FROM patch_policy_assignments a WHERE a.policy_id = pol.id), 'created_by', pol.created_by, "
    "'created_at', pol.created_at, 'updated_at', pol.updated_at)::text";

std::optional<std::optional<std::string>> organisationOf(const pqxx::result& rows) {
    if (rows.empty())
        return std::nullopt;
    const auto field = rows[0]["org_id"];
    return field.is_null() ? std::optional<std::string>() : std::optional(field.as<std::string>());
}
} // namespace

nlohmann::json PatchPolicyStore::list(const std::string& scopeSql) {
    return jsonRows(m_tx.sql().exec(std::string("SELECT ") + kPolicyJson +
                                    " AS item FROM patch_policies pol WHERE " + scopeSql +
                                    " ORDER BY lower(pol.name), pol.id"));
}

nlohmann::json PatchPolicyStore::fetch(const std::string& policyId) {
    return jsonRow(m_tx.sql().exec_params1(std::string("SELECT ") + kPolicyJson +
                                               " AS item FROM patch_policies pol WHERE pol.id = $1",
                                           policyId));
}

std::optional<std::optional<std::string>> PatchPolicyStore::organisation(const std::string& policyId,
                                                                         const std::string& scopeSql) {
    return organisationOf(m_tx.sql().exec_params(
        "SELECT pol.org_id FROM patch_policies pol WHERE pol.id = $1 AND " + scopeSql, policyId));
}

std::optional<std::optional<std::string>> PatchPolicyStore::scriptOrganisation(const std::string& scriptId,
                                                                               const std::string& scopeSql) {
    return organisationOf(m_tx.sql().exec_params(
        "SELECT s.org_id FROM scripts s WHERE s.id = $1 AND s.deleted_at IS NULL AND " + scopeSql, scriptId));
}

std::string PatchPolicyStore::insert(const std::string& partnerId, const std::optional<std::string>& orgId,
                                     const std::string& name, const std::string& createdBy,
                                     const Settings& settings) {
    SqlParams params;
    std::string names = "partner_id, org_id, name, created_by";
    std::string values = params.add(partnerId) + "::uuid, NULLIF(" + params.add(orgId.value_or("")) +
                         ", '')::uuid, " + params.add(name) + ", " + params.add(createdBy);
    for (const auto& [column, value] : settings) {
        names += ", " + column;
        values += ", " + params.add(value);
    }
    return params
        .exec(m_tx.sql(),
              "INSERT INTO patch_policies (" + names + ") VALUES (" + values + ") RETURNING id")[0]["id"]
        .as<std::string>();
}

void PatchPolicyStore::update(const std::string& policyId, const Settings& settings) {
    SqlParams params;
    std::string sets = "updated_at = now()";
    for (const auto& [column, value] : settings)
        sets += ", " + column + " = " + params.add(value);
    params.exec(m_tx.sql(),
                "UPDATE patch_policies SET " + sets + " WHERE id = " + params.add(policyId) + "::uuid");
}

void PatchPolicyStore::remove(const std::string& policyId) {
    m_tx.sql().exec_params("DELETE FROM patch_policies WHERE id = $1", policyId);
}

void PatchPolicyStore::assign(const std::string& policyId, const std::string& partnerId,
                              const std::string& orgId, const std::optional<std::string>& siteId) {
    m_tx.sql().exec_params(
        "DELETE FROM patch_policy_assignments WHERE org_id = $1 AND site_id IS NOT DISTINCT "
        "FROM NULLIF($2, '')::uuid",
        orgId, siteId.value_or(""));
    m_tx.sql().exec_params(
        "INSERT INTO patch_policy_assignments (policy_id, partner_id, org_id, site_id) VALUES "
        "($1, $2, $3, NULLIF($4, '')::uuid)",
        policyId, partnerId, orgId, siteId.value_or(""));
}

} // namespace breeze::server
