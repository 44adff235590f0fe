#include "patches/PatchStore.h"

#include "db/PgText.h"
#include "db/ScopedTransaction.h"
#include "ops/JsonLogger.h"
#include "protocol/MessageFields.h"
#include "protocol/PatchMessages.h"

#include <pqxx/pqxx>

namespace breeze::server {

void PatchStore::applyScan(ScopedTransaction& tx, const AgentSession& session,
                           const protocol::CommandUpdate& update) {
    if (update.status != protocol::kCommandCompleted)
        return;
    protocol::ScanReport report;
    try {
        report = protocol::ScanReport::fromJson(update.output);
    } catch (const protocol::MessageError& error) {
        logger().warning("patch scan report ignored",
                         {{"device_id", session.deviceId}, {"error", error.what()}});
        return;
    }
    std::vector<std::string> seen;
    for (const auto& item : report.updates) {
        // The catalog entry is shared by the partner's devices; what this device says about the update
        // (repository, security, severity) is stored on its own row only.
        const std::string patchId =
            tx.sql()
                .exec_params1(
                    "INSERT INTO patches (partner_id, manager, name, arch, version, size_bytes, "
                    "reboot_hint) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                    "ON CONFLICT (partner_id, manager, name, arch, version) DO UPDATE SET "
                    "last_seen_at = now(), size_bytes = greatest(patches.size_bytes, "
                    "EXCLUDED.size_bytes), reboot_hint = patches.reboot_hint OR EXCLUDED.reboot_hint "
                    "RETURNING id",
                    session.partnerId, report.manager, item.name, item.arch, item.availableVersion,
                    static_cast<long long>(item.sizeBytes), item.rebootHint)[0]
                .as<std::string>();
        seen.push_back(patchId);
        // Missing (again): a failed patch stays failed until it installs, with its last error.
        tx.sql().exec_params(
            "INSERT INTO device_patches (device_id, patch_id, partner_id, org_id, site_id, state, "
            "installed_version, repository, security, severity) "
            "VALUES ($1, $2, $3, $4, $5, 'missing', $6, $7, $8, $9) ON CONFLICT (device_id, patch_id) DO "
            "UPDATE "
            "SET state = CASE WHEN device_patches.state = 'failed' THEN 'failed' ELSE 'missing' END, "
            "installed_version = EXCLUDED.installed_version, repository = EXCLUDED.repository, "
            "security = EXCLUDED.security, severity = EXCLUDED.severity, updated_at = now()",
            session.deviceId, patchId, session.partnerId, session.orgId, session.siteId,
            item.installedVersion, item.repository, item.security, item.severity);
    }
    // What the device no longer lacks (installed by other means, or replaced by a newer update) leaves its
    // list; installed patches stay as history, and a pending reboot ends when the device says none is
    // pending.
    tx.sql().exec_params(
        "DELETE FROM device_patches WHERE device_id = $1 AND state IN ('missing', 'failed') AND "
        "NOT (patch_id = ANY($2::uuid[]))",
        session.deviceId, uuidArrayLiteral(seen));
    if (!report.rebootRequired)
        tx.sql().exec_params(
            "UPDATE device_patches SET state = 'installed', updated_at = now() WHERE device_id = $1 "
            "AND state = 'pending_reboot'",
            session.deviceId);
    tx.sql().exec_params("UPDATE devices SET reboot_required = $2, patches_scanned_at = now() WHERE id = $1",
                         session.deviceId, report.rebootRequired);
}

bool PatchStore::applyInstall(ScopedTransaction& tx, const AgentSession& session,
                              const protocol::CommandUpdate& update, const std::string& commandType,
                              const std::string& deploymentId) {
    protocol::InstallReport report;
    try {
        report = protocol::InstallReport::fromJson(update.output);
    } catch (const protocol::MessageError& error) {
        logger().warning("patch install report ignored",
                         {{"device_id", session.deviceId}, {"error", error.what()}});
        return false;
    }
    const bool rollback = commandType == protocol::kPatchRollbackCommand;
    for (const auto& result : report.results) {
        // The catalog entry this result is about: the update installed, or (for a rollback) the update
        // undone.
        const auto rows = tx.sql().exec_params(
            rollback
                ? "SELECT p.id FROM device_patches dp JOIN patches p ON p.id = dp.patch_id WHERE "
                  "dp.device_id "
                  "= $1 AND p.name = $2 AND dp.installed_version = $3 ORDER BY dp.updated_at DESC LIMIT 1"
                : "SELECT p.id FROM device_patches dp JOIN patches p ON p.id = dp.patch_id WHERE "
                  "dp.device_id "
                  "= $1 AND p.name = $2 AND p.version = $3 LIMIT 1",
            session.deviceId, result.name, result.version);
        const std::string patchId = rows.empty() ? std::string() : rows[0]["id"].as<std::string>();
        tx.sql().exec_params(
            "INSERT INTO patch_results (command_id, deployment_id, device_id, patch_id, partner_id, org_id, "
            "site_id, "
            "kind, name, version, status, installed_version, log) VALUES ($1, NULLIF($2, '')::uuid, $3, "
            "NULLIF($4, '')::uuid, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            update.commandId, deploymentId, session.deviceId, patchId, session.partnerId, session.orgId,
            session.siteId, rollback ? "rollback" : "install", result.name, result.version, result.status,
            result.installedVersion, result.log);
        if (patchId.empty())
            continue;
        const bool installed = result.status == "installed";
        const char* state = rollback    ? (installed ? "missing" : "installed")
                            : installed ? (report.rebootRequired ? "pending_reboot" : "installed")
                                        : "failed";
        tx.sql().exec_params(
            "UPDATE device_patches SET state = $3, last_error = NULLIF($4, ''), updated_at = now() "
            "WHERE device_id = $1 AND patch_id = $2",
            session.deviceId, patchId, state, installed ? std::string() : result.log);
    }
    tx.sql().exec_params("UPDATE devices SET reboot_required = $2 WHERE id = $1", session.deviceId,
                         report.rebootRequired);
    if (rollback)
        return false;
    bool installedAny = false;
    for (const auto& result : report.results)
        installedAny = installedAny || result.status == "installed";
    // The deployment's own choice, else its policy's, or (for a deployment started by hand) that of the
    // policy the device's site follows.
    const auto policy = tx.sql().exec_params(
        "SELECT coalesce(pd.reboot, pol.reboot, 'never') AS reboot, coalesce(pol.reboot_delay_minutes, 15) "
        "AS "
        "reboot_delay_minutes, coalesce(pol.name, 'deployment') AS name FROM (SELECT 1) one LEFT JOIN "
        "patch_deployments pd ON pd.id = NULLIF($1, '')::uuid LEFT JOIN patch_policies pol ON pol.id = "
        "coalesce(pd.policy_id, breeze_site_patch_policy($2, $3))",
        deploymentId, session.orgId, session.siteId);
    if (policy.empty() || !installedAny)
        return false;
    const std::string reboot = policy[0]["reboot"].as<std::string>();
    if (reboot == "never" || (reboot == "if_required" && !report.rebootRequired))
        return false;
    tx.sql().exec_params("INSERT INTO device_commands (partner_id, org_id, site_id, device_id, command_type, "
                         "args, timeout_seconds, "
                         "expires_at, requested_by, deployment_id) VALUES ($1, $2, $3, $4, 'reboot', "
                         "jsonb_build_object('delay_seconds', "
                         "$5::int), 120, now() + interval '1 day', 'policy ' || $6, NULLIF($7, '')::uuid)",
                         session.partnerId, session.orgId, session.siteId, session.deviceId,
                         policy[0]["reboot_delay_minutes"].as<int>() * 60,
                         policy[0]["name"].as<std::string>(), deploymentId);
    return true;
}

} // namespace breeze::server
