#include "patches/PatchDeployer.h"

#include "db/PgText.h"
#include "db/ScopedTransaction.h"
#include "patches/Installable.h"
#include "protocol/PatchMessages.h"

#include <pqxx/pqxx>
#include <set>

namespace breeze::server {

nlohmann::json PatchDeployer::queue(ScopedTransaction& tx, const std::string& deploymentId) {
    const auto deployment =
        tx.sql().exec_params1("SELECT array_to_string(device_ids, ',') AS device_ids, requested_by, "
                              "coalesce(requested_by_user::text, '') AS requested_by_user FROM "
                              "patch_deployments WHERE id = $1 FOR UPDATE",
                              deploymentId);
    const auto queued = tx.sql().exec_params(
        std::string(
            "WITH wanted AS (SELECT d.id AS device_id, d.partner_id, d.org_id, d.site_id, pd.expires_at, "
            "coalesce(pd.policy_id, breeze_site_patch_policy(d.org_id, d.site_id)) AS policy_id, "
            "jsonb_agg(DISTINCT jsonb_build_object('name', p.name, 'version', p.version)) AS packages "
            "FROM patch_deployments pd JOIN devices d ON d.id = ANY(pd.device_ids) "
            "JOIN device_patches dp ON dp.device_id = d.id JOIN patches p ON p.id = dp.patch_id "
            "WHERE pd.id = $1 AND ") +
            kInstallableRows +
            " GROUP BY d.id, pd.expires_at, pd.policy_id), "
            // The policy's scripts around the updates, as their current versions stand now.
            "steps AS (SELECT w.*, "
            "(SELECT jsonb_build_object('language', v.language, 'content', v.content, 'run_as', v.run_as, "
            "'timeout_seconds', v.timeout_seconds, 'parameters', v.parameters) FROM patch_policies pol "
            "JOIN scripts s ON s.id = pol.pre_script_id AND s.deleted_at IS NULL JOIN script_versions v ON "
            "v.script_id = "
            "s.id AND v.version = s.current_version WHERE pol.id = w.policy_id) AS pre_script, "
            "(SELECT jsonb_build_object('language', v.language, 'content', v.content, 'run_as', v.run_as, "
            "'timeout_seconds', v.timeout_seconds, 'parameters', v.parameters) FROM patch_policies pol "
            "JOIN scripts s ON s.id = pol.post_script_id AND s.deleted_at IS NULL JOIN script_versions v ON "
            "v.script_id = "
            "s.id AND v.version = s.current_version WHERE pol.id = w.policy_id) AS post_script FROM wanted "
            "w) "
            "INSERT INTO device_commands (partner_id, org_id, site_id, device_id, command_type, args, "
            "timeout_seconds, "
            "expires_at, requested_by, requested_by_user, deployment_id) SELECT w.partner_id, w.org_id, "
            "w.site_id, "
            "w.device_id, $2, jsonb_strip_nulls(jsonb_build_object('packages', w.packages, 'pre_script', "
            "w.pre_script, "
            "'post_script', w.post_script)), 3600, coalesce(w.expires_at, now() + interval '1 day'), $3, "
            "NULLIF($4, '')::uuid, $1 FROM steps w RETURNING device_id, id, "
            "jsonb_array_length(args->'packages') "
            "AS "
            "packages",
        deploymentId, protocol::kPatchInstallCommand, deployment["requested_by"].as<std::string>(),
        deployment["requested_by_user"].as<std::string>());
    nlohmann::json items = nlohmann::json::array();
    std::set<std::string> withWork;
    for (const auto& row : queued) {
        withWork.insert(row["device_id"].as<std::string>());
        items.push_back({{"device_id", row["device_id"].as<std::string>()},
                         {"command_id", row["id"].as<std::string>()},
                         {"packages", row["packages"].as<long long>()}});
    }
    nlohmann::json nothing = nlohmann::json::array();
    for (const auto& id : splitCommaList(deployment["device_ids"].as<std::string>()))
        if (!withWork.contains(id))
            nothing.push_back(id);
    nlohmann::json summary{{"queued", items}, {"nothing_to_install", nothing}};
    tx.sql().exec_params(
        "UPDATE patch_deployments SET status = 'queued', queued_at = now(), summary = $2::jsonb "
        "WHERE id = $1",
        deploymentId, summary.dump());
    return summary;
}

} // namespace breeze::server
