#include "patches/PatchRoutes.h"

#include "commands/CommandQueue.h"
#include "db/PgText.h"
#include "devices/DeviceAccess.h"
#include "devices/DeviceTargets.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "patches/PatchDeployer.h"
#include "protocol/PatchMessages.h"
#include "tenancy/TenantLookup.h"

#include <cmath>
#include <set>

namespace breeze::server {

namespace {
using namespace permissions;

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

std::string devicePatchScopeSql(const AccessScope& scope) {
    return scope.sqlSite("dp.partner_id", "dp.org_id", "dp.site_id");
}

// 404 unless the patch is in the caller's catalog and one of the caller's devices has met it.
void requirePatch(RequestContext& ctx, ScopedTransaction& tx, const std::string& id) {
    const AccessScope scope = ctx.principal().scopeFor(PatchesRead);
    if (scope.isEmpty() || tx.sql()
                               .exec_params("SELECT 1 FROM device_patches dp WHERE dp.patch_id = $1 AND " +
                                                devicePatchScopeSql(scope) + " LIMIT 1",
                                            id)
                               .empty())
        throw ApiError::notFound("patch");
}

ApiResponse scanDevice(RequestContext& ctx) {
    const std::string deviceId = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(PatchesDeploy);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, deviceId, PatchesDeploy);
    AuditEvent event = ctx.auditEvent("patches.scan", "device", deviceId);
    const std::string id = queueDeviceCommand(tx, event, deviceId, device,
                                              {protocol::kPatchScanCommand, nlohmann::json::object(), 900,
                                               ctx.server.config.commandDefaultExpirySeconds});
    event.orgId = device.orgId;
    event.details = {{"command_id", id}};
    ctx.audit(tx, event);
    tx.commit();
    if (ctx.server.agents)
        ctx.server.agents->commandsQueued(deviceId);
    return ApiResponse::json({{"command_id", id}, {"device_id", deviceId}, {"status", "pending"}}, 201);
}

// The catalog as the caller's devices see it: each update with how many devices miss it, have it, failed it
// or wait for a reboot after it, and the partner-wide decision.
ApiResponse listPatches(RequestContext& ctx) {
    const AccessScope scope = ctx.require(PatchesRead);
    Pagination pagination(ctx);
    SqlParams params;
    std::string where = devicePatchScopeSql(scope);
    for (const auto& [name, column] : {std::pair<std::string, std::string>{"org", "dp.org_id"},
                                       {"site", "dp.site_id"},
                                       {"device", "dp.device_id"}})
        if (auto value = ctx.uuidQuery(name))
            where += " AND " + column + " = " + params.add(*value) + "::uuid";
    std::vector<std::string> conditions; // on the classification, which is known per group of rows
    if (const auto security = ctx.query("security")) {
        if (*security != "true" && *security != "false")
            throw ApiError::badRequest("security must be true or false");
        conditions.push_back(*security == "true" ? "coalesce(bool_or(dp.security), false)"
                                                 : "NOT coalesce(bool_or(dp.security), false)");
    }
    if (const auto severity = ctx.query("severity"))
        conditions.push_back(std::string("(") + kSeverityOfRows +
                             ") = " + params.add(severity->substr(0, 16)));
    if (const auto search = ctx.query("q"))
        where += " AND strpos(lower(p.name), lower(" + params.add(search->substr(0, 128)) + ")) > 0";
    std::string having;
    if (const auto state = ctx.query("state")) {
        static const std::set<std::string> states{"missing", "installed", "failed", "pending_reboot"};
        if (!states.contains(*state))
            throw ApiError::badRequest("state must be missing, installed, failed or pending_reboot");
        conditions.push_back("count(*) FILTER (WHERE dp.state = " + params.add(*state) + ") > 0");
    }
    for (const auto& condition : conditions)
        having += (having.empty() ? " HAVING " : " AND ") + condition;
    const std::string sql = std::string("SELECT json_build_object(") + kPatchFields + classificationOfRows() +
                            ", 'missing', count(*) FILTER (WHERE dp.state = 'missing'), 'installed', "
                            "count(*) FILTER (WHERE dp.state = "
                            "'installed'), 'failed', count(*) FILTER (WHERE dp.state = 'failed'), "
                            "'pending_reboot', count(*) FILTER "
                            "(WHERE dp.state = 'pending_reboot'), 'decision', coalesce((SELECT a.decision "
                            "FROM patch_decisions a WHERE "
                            "a.patch_id = p.id AND a.scope = 'partner'), 'none'))::text, " +
                            kPatchSortKey +
                            " FROM patches p JOIN device_patches dp ON dp.patch_id = p.id WHERE " + where +
                            pagination.sqlAfter(params, kPatchSortKey, "p.id") + " GROUP BY p.id" + having +
                            " ORDER BY " + kPatchSortKey + pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
}

ApiResponse getPatch(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "patch");
    const AccessScope scope = ctx.require(PatchesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requirePatch(ctx, tx, id);
    // Classified by the caller's own devices (row-level security limits `dp` to them).
    auto body = jsonRow(tx.sql().exec_params1(
        std::string("SELECT json_build_object(") + kPatchFields + classificationOfRows() +
            ")::text FROM patches p JOIN device_patches dp ON dp.patch_id "
            "= p.id WHERE p.id = $1 AND " +
            devicePatchScopeSql(scope) + " GROUP BY p.id",
        id));
    body["decisions"] = jsonRows(tx.sql().exec_params(
        "SELECT json_build_object('id', a.id, 'scope', a.scope, 'org_id', a.org_id, 'site_id', a.site_id, "
        "'device_id', a.device_id, 'policy_id', a.policy_id, 'decision', a.decision, 'defer_until', "
        "a.defer_until, 'defer_days', "
        "a.defer_days, 'decided_by', a.decided_by, 'decided_at', a.decided_at)::text FROM patch_decisions a "
        "WHERE "
        "a.patch_id = $1 ORDER BY a.decided_at",
        id));
    return ApiResponse::json(std::move(body));
}

ApiResponse devicePatches(RequestContext& ctx) {
    const std::string deviceId = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(PatchesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireDevicePermission(ctx, tx, deviceId, PatchesRead);
    const auto rows = tx.sql().exec_params(
        std::string("SELECT json_build_object(") + kPatchFields + kClassificationOfRow +
            ", 'state', dp.state, 'installed_version', dp.installed_version, 'last_error', dp.last_error, "
            "'found_at', dp.first_seen_at, 'updated_at', dp.updated_at, 'decision', "
            "breeze_patch_decision(p.id, "
            "dp.org_id, dp.site_id, dp.device_id, dp.first_seen_at))::text FROM device_patches dp JOIN "
            "patches p ON "
            "p.id = dp.patch_id WHERE dp.device_id = $1 ORDER BY lower(p.name), p.version",
        deviceId);
    const auto device = tx.sql().exec_params1(
        "SELECT reboot_required, patches_scanned_at FROM devices WHERE id = $1", deviceId);
    return ApiResponse::json(
        {{"items", jsonRows(rows)},
         {"reboot_required", device[0].as<bool>()},
         {"scanned_at",
          device[1].is_null() ? nlohmann::json() : nlohmann::json(device[1].as<std::string>())}});
}

// Approve, reject or defer at one level: the partner (no id given), an organisation, a site or a device.
ApiResponse decide(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "patch");
    auto fields = ctx.fields();
    const std::string decision = fields.requiredString("decision", 1, 16);
    const auto orgId = fields.optionalUuid("org_id");
    const auto siteId = fields.optionalUuid("site_id");
    const auto deviceId = fields.optionalUuid("device_id");
    const auto policyId = fields.optionalUuid("policy_id");
    const auto deferUntil = fields.optionalString("defer_until", 1, 64);
    const auto deferDays = fields.optionalInteger("defer_days", 1, 365);
    fields.finish();
    if (decision != "approved" && decision != "rejected" && decision != "deferred" && decision != "none")
        throw ApiError::badRequest("\"decision\" must be approved, rejected, deferred or none (to clear it)");
    if (decision == "deferred" && deferUntil.has_value() == deferDays.has_value())
        throw ApiError::badRequest("a deferral needs either \"defer_until\" (a date) or \"defer_days\"");
    if (decision != "deferred" && (deferUntil || deferDays))
        throw ApiError::badRequest("\"defer_until\" and \"defer_days\" belong to deferrals");
    if ((orgId ? 1 : 0) + (siteId ? 1 : 0) + (deviceId ? 1 : 0) + (policyId ? 1 : 0) > 1)
        throw ApiError::badRequest(
            "give at most one of \"org_id\", \"site_id\", \"device_id\" and \"policy_id\"");

    const AccessScope scope = ctx.require(PatchesApprove);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requirePatch(ctx, tx, id);
    std::string level = "partner", org, site, device, policy;
    if (policyId) {
        // A policy's decision: for every device whose site follows the policy.
        const auto rows = tx.sql().exec_params(
            "SELECT coalesce(org_id::text, '') FROM patch_policies WHERE id = $1 AND partner_id = $2",
            *policyId, scope.partnerId());
        if (rows.empty())
            throw ApiError::notFound("patch policy");
        org = rows[0][0].as<std::string>();
        if (!org.empty())
            requireOrgPermission(ctx, tx, org, PatchesApprove);
        else if (!scope.isWholePartner())
            throw ApiError::forbidden(
                "deciding in a partner-wide policy needs a partner-wide patches:approve grant");
        level = "policy", policy = *policyId;
    } else if (deviceId) {
        const DeviceRef ref = requireDevicePermission(ctx, tx, *deviceId, PatchesApprove);
        level = "device", org = ref.orgId, site = ref.siteId, device = *deviceId;
    } else if (siteId) {
        org = requireSitePermission(ctx, tx, *siteId, PatchesApprove).orgId;
        level = "site", site = *siteId;
    } else if (orgId) {
        requireOrgPermission(ctx, tx, *orgId, PatchesApprove);
        level = "org", org = *orgId;
    } else if (!scope.isWholePartner()) {
        throw ApiError::forbidden("a partner-wide decision needs a partner-wide patches:approve grant; give "
                                  "\"org_id\", \"site_id\" or \"device_id\"");
    }
    AuditEvent event = ctx.auditEvent("patches.decide", "patch", id);
    tx.sql().exec_params(
        "DELETE FROM patch_decisions WHERE patch_id = $1 AND scope = $2 AND org_id IS NOT DISTINCT "
        "FROM NULLIF($3, '')::uuid AND site_id IS NOT DISTINCT FROM NULLIF($4, '')::uuid AND "
        "device_id IS NOT DISTINCT FROM NULLIF($5, '')::uuid AND policy_id IS NOT DISTINCT FROM NULLIF($6, "
        "'')::uuid",
        id, level, org, site, device, policy);
    if (decision != "none") {
        try {
            tx.sql().exec_params(
                "INSERT INTO patch_decisions (partner_id, patch_id, scope, org_id, site_id, device_id, "
                "policy_id, "
                "decision, defer_until, defer_days, decided_by) VALUES ($1, $2, $3, NULLIF($4, '')::uuid, "
                "NULLIF($5, '')::uuid, NULLIF($6, '')::uuid, NULLIF($7, '')::uuid, $8, $9::timestamptz, $10, "
                "$11)",
                scope.partnerId(), id, level, org, site, device, policy, decision, deferUntil,
                deferDays ? std::optional(std::to_string(*deferDays)) : std::nullopt, event.actorLabel);
        } catch (const pqxx::data_exception&) {
            throw ApiError::badRequest(
                "\"defer_until\" must be a date such as 2026-12-31 or 2026-12-31T18:00:00Z");
        }
    }
    event.orgId = org.empty() ? std::nullopt : std::optional(org);
    event.details = {{"decision", decision},
                     {"scope", level},
                     {"org_id", org},
                     {"site_id", site},
                     {"device_id", device},
                     {"policy_id", policy},
                     {"defer_until", deferUntil.value_or("")},
                     {"defer_days", deferDays.value_or(0)}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json({{"patch_id", id}, {"scope", level}, {"decision", decision}});
}

constexpr const char* kDeploymentJson =
    "json_build_object('id', pd.id, 'org_id', pd.org_id, 'targets', pd.targets, 'device_count', "
    "cardinality(pd.device_ids), 'scheduled_at', pd.scheduled_at, 'status', pd.status, 'queued_at', "
    "pd.queued_at, 'summary', pd.summary, 'requested_by', pd.requested_by, 'created_at', pd.created_at, "
    "'policy_id', pd.policy_id, 'window_start', pd.window_start, 'expires_at', pd.expires_at, "
    "'statuses', (SELECT coalesce(json_object_agg(status, n), '{}'::json) FROM (SELECT c.status, count(*) AS "
    "n "
    "FROM device_commands c WHERE c.deployment_id = pd.id GROUP BY c.status) counts))::text";
constexpr const char* kDeploymentKey =
    "lpad((9223372036854775807 - (extract(epoch FROM pd.created_at) * 1000000)::bigint)::text, 19, '0')";

std::string deploymentScopeSql(const AccessScope& scope) {
    return "(pd.partner_id = '" + scope.partnerId() + "'::uuid AND " +
           (scope.isWholePartner()
                ? std::string("true")
                : "pd.org_id IS NOT NULL AND " + scope.sqlOrg("pd.partner_id", "pd.org_id")) +
           ")";
}

ApiResponse createDeployment(RequestContext& ctx) {
    auto fields = ctx.fields();
    DeviceTargets aim;
    aim.deviceIds = fields.optionalUuidList("device_ids", 10'000);
    aim.siteId = fields.optionalUuid("site_id");
    aim.orgId = fields.optionalUuid("org_id");
    const auto at = fields.optionalString("scheduled_at", 1, 64);
    fields.finish();
    const AccessScope scope = ctx.require(PatchesDeploy);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    aim.resolve(ctx, tx, PatchesDeploy);
    const nlohmann::json& targets = aim.targets;
    const auto devices =
        aim.params.exec(tx.sql(), "SELECT d.id, d.org_id FROM devices d WHERE " + aim.where + " AND " +
                                      deviceScopeSql(scope) + " AND d.revoked_at IS NULL");
    if (aim.listed > 0 && devices.size() != aim.listed)
        throw ApiError::notFound(std::to_string(aim.listed - devices.size()) + " of the devices");
    if (devices.empty())
        throw ApiError(409, "no_devices", "the target holds no devices");
    std::vector<std::string> ids;
    std::set<std::string> orgs;
    for (const auto& row : devices) {
        ids.push_back(row[0].as<std::string>());
        orgs.insert(row[1].as<std::string>());
    }
    if (orgs.size() > 1 && !scope.isWholePartner())
        throw ApiError::badRequest("these devices are in several organisations; deploy to each on its own");
    AuditEvent event = ctx.auditEvent("patches.deploy", "patch_deployment", "");
    std::string id;
    try {
        id = tx.sql()
                 .exec_params1(
                     "INSERT INTO patch_deployments (partner_id, org_id, targets, device_ids, scheduled_at, "
                     "requested_by, requested_by_user) VALUES ($1, NULLIF($2, '')::uuid, $3::jsonb, "
                     "$4::uuid[], coalesce($5::timestamptz, now()), $6, NULLIF($7, '')::uuid) RETURNING id",
                     scope.partnerId(), orgs.size() == 1 ? *orgs.begin() : std::string(), targets.dump(),
                     uuidArrayLiteral(ids), at, event.actorLabel,
                     event.actorType == "user" ? event.actorId.value_or("") : std::string())[0]
                 .as<std::string>();
    } catch (const pqxx::data_exception&) {
        throw ApiError::badRequest("\"scheduled_at\" must be a time such as 2026-12-31T22:00:00Z");
    }
    // Due now: queued at once, with the decisions as they stand; later: the scheduler queues it when due.
    const bool now =
        tx.sql()
            .exec_params1("SELECT scheduled_at <= now() FROM patch_deployments WHERE id = $1", id)[0]
            .as<bool>();
    nlohmann::json summary = nlohmann::json::object();
    if (now)
        summary = PatchDeployer::queue(tx, id);
    event.resourceId = id;
    event.orgId = orgs.size() == 1 ? std::optional(*orgs.begin()) : std::nullopt;
    event.details = {
        {"targets", targets}, {"device_count", ids.size()}, {"scheduled_at", at.value_or("now")}};
    ctx.audit(tx, event);
    const auto body = jsonRow(tx.sql().exec_params1(
        std::string("SELECT ") + kDeploymentJson + " FROM patch_deployments pd WHERE pd.id = $1", id));
    tx.commit();
    if (ctx.server.agents && now)
        for (const auto& item : summary["queued"])
            ctx.server.agents->commandsQueued(item["device_id"]);
    return ApiResponse::json(body, 201);
}

ApiResponse listDeployments(RequestContext& ctx) {
    const AccessScope scope = ctx.require(PatchesRead);
    Pagination pagination(ctx);
    SqlParams params;
    std::string sql = std::string("SELECT ") + kDeploymentJson + ", " + kDeploymentKey +
                      " FROM patch_deployments pd WHERE " + deploymentScopeSql(scope);
    if (const auto device = ctx.uuidQuery("device"))
        sql += " AND " + params.add(*device) + "::uuid = ANY(pd.device_ids)";
    sql += pagination.sqlAfter(params, kDeploymentKey, "pd.id") + " ORDER BY " + kDeploymentKey + ", pd.id" +
           pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
}

ApiResponse getDeployment(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "patch deployment");
    const AccessScope scope = ctx.require(PatchesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows = tx.sql().exec_params(std::string("SELECT ") + kDeploymentJson +
                                               " FROM patch_deployments pd WHERE pd.id = $1 AND " +
                                               deploymentScopeSql(scope),
                                           id);
    if (rows.empty())
        throw ApiError::notFound("patch deployment");
    auto body = jsonRow(rows[0]);
    body["devices"] = jsonRows(tx.sql().exec_params(
        "SELECT json_build_object('device_id', c.device_id, 'hostname', d.hostname, 'command_id', c.id, "
        "'status', "
        "c.status, 'error', c.error, 'results', (SELECT coalesce(json_agg(json_build_object('name', r.name, "
        "'version', r.version, 'status', r.status, 'installed_version', r.installed_version) ORDER BY "
        "r.name), "
        "'[]'::json) FROM patch_results r WHERE r.command_id = c.id))::text FROM device_commands c JOIN "
        "devices d "
        "ON d.id = c.device_id WHERE c.deployment_id = $1 AND " +
            scope.sqlSite("c.partner_id", "c.org_id", "c.site_id") + " ORDER BY d.hostname",
        id));
    return ApiResponse::json(std::move(body));
}

ApiResponse cancelDeployment(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "patch deployment");
    const AccessScope scope = ctx.require(PatchesDeploy);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows =
        tx.sql().exec_params("SELECT pd.status FROM patch_deployments pd WHERE pd.id = $1 AND " +
                                 deploymentScopeSql(scope) + " FOR UPDATE",
                             id);
    if (rows.empty())
        throw ApiError::notFound("patch deployment");
    if (rows[0][0].as<std::string>() != "scheduled")
        throw ApiError(409, "deployment_queued",
                       "the deployment has already been queued; cancel its commands one by one instead");
    tx.sql().exec_params("UPDATE patch_deployments SET status = 'cancelled' WHERE id = $1", id);
    AuditEvent event = ctx.auditEvent("patch_deployments.cancel", "patch_deployment", id);
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json({{"id", id}, {"status", "cancelled"}});
}

ApiResponse deviceResults(RequestContext& ctx) {
    const std::string deviceId = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(PatchesRead);
    Pagination pagination(ctx);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireDevicePermission(ctx, tx, deviceId, PatchesRead);
    SqlParams params;
    const std::string key = "lpad((9223372036854775807 - r.id)::text, 19, '0')";
    const std::string sql =
        "SELECT json_build_object('id', r.id, 'command_id', r.command_id, 'deployment_id', r.deployment_id, "
        "'patch_id', r.patch_id, 'kind', r.kind, 'name', r.name, 'version', r.version, 'status', r.status, "
        "'installed_version', r.installed_version, 'log', r.log, 'at', r.created_at)::text, " +
        key + " FROM patch_results r WHERE r.device_id = " + params.add(deviceId) + "::uuid" +
        pagination.sqlAfter(params, key, "r.id", "bigint") + " ORDER BY " + key + pagination.sqlLimit();
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
}

// Back to the version the device had before the update, when its repositories still offer it.
ApiResponse rollback(RequestContext& ctx) {
    const std::string deviceId = ctx.pathId("id", "device");
    const std::string patchId = ctx.pathId("patch", "patch");
    const AccessScope scope = ctx.require(PatchesDeploy);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, deviceId, PatchesDeploy);
    const auto rows = tx.sql().exec_params("SELECT p.name, dp.installed_version, dp.state FROM "
                                           "device_patches dp JOIN patches p ON p.id = dp.patch_id "
                                           "WHERE dp.device_id = $1 AND dp.patch_id = $2",
                                           deviceId, patchId);
    if (rows.empty())
        throw ApiError::notFound("patch");
    const std::string state = rows[0][2].as<std::string>();
    if (state != "installed" && state != "pending_reboot")
        throw ApiError(409, "not_installed",
                       "this update is not installed on the device (it is " + state + ")");
    const protocol::PackageVersion previous{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
    if (!protocol::isValidPackageVersion(previous.version))
        throw ApiError(409, "no_previous_version", "the version before this update is not known");
    AuditEvent event = ctx.auditEvent("patches.rollback", "patch", patchId);
    const std::string id =
        queueDeviceCommand(tx, event, deviceId, device,
                           {protocol::kPatchRollbackCommand, protocol::rollbackArgs(previous), 3600,
                            ctx.server.config.commandDefaultExpirySeconds});
    event.orgId = device.orgId;
    event.details = {{"device_id", deviceId},
                     {"package", previous.name},
                     {"to_version", previous.version},
                     {"command_id", id}};
    ctx.audit(tx, event);
    tx.commit();
    if (ctx.server.agents)
        ctx.server.agents->commandsQueued(deviceId);
    return ApiResponse::json({{"command_id", id},
                              {"device_id", deviceId},
                              {"name", previous.name},
                              {"to_version", previous.version}},
                             201);
}
// Shares of fully patched devices, overall and per class; null where no device has been scanned.
nlohmann::json complianceFigures(const pqxx::row& row, int first) {
    const auto scanned = row[first + 1].as<long long>();
    const auto share = [scanned](long long patched) {
        return scanned == 0 ? nlohmann::json()
                            : nlohmann::json(std::round(1000.0 * patched / scanned) / 1000.0);
    };
    nlohmann::json bySeverity = nlohmann::json::object();
    const char* classes[] = {"critical", "important", "moderate", "low", "security"};
    for (int i = 0; i < 5; ++i) {
        const auto patched = row[first + 3 + i].as<long long>();
        bySeverity[classes[i]] = {{"patched", patched}, {"share", share(patched)}};
    }
    const auto fully = row[first + 2].as<long long>();
    return {{"devices", row[first].as<long long>()},
            {"scanned", scanned},
            {"fully_patched", fully},
            {"share", share(fully)},
            {"by_severity", bySeverity}};
}

ApiResponse compliance(RequestContext& ctx) {
    const AccessScope scope = ctx.require(PatchesRead);
    const auto daysText = ctx.query("days").value_or("30");
    if (daysText.empty() || daysText.size() > 3 ||
        daysText.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError::badRequest("days must be a number of days, at most 999");
    SqlParams params;
    std::string filter;
    if (const auto org = ctx.uuidQuery("org"))
        filter += " AND c.org_id = " + params.add(*org) + "::uuid";
    if (const auto site = ctx.uuidQuery("site"))
        filter += " AND c.site_id = " + params.add(*site) + "::uuid";
    const std::string where = scope.sqlSite("c.partner_id", "c.org_id", "c.site_id") + filter;
    constexpr const char* kSums =
        "sum(c.devices), sum(c.scanned), sum(c.fully_patched), sum(c.critical_patched), "
        "sum(c.important_patched), sum(c.moderate_patched), sum(c.low_patched), "
        "sum(c.security_patched)";
    constexpr const char* kColumns =
        "c.devices, c.scanned, c.fully_patched, c.critical_patched, c.important_patched, "
        "c.moderate_patched, c.low_patched, c.security_patched";
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto total = params.exec(
        tx.sql(), std::string("SELECT ") +
                      "coalesce(sum(c.devices), 0), coalesce(sum(c.scanned), 0), "
                      "coalesce(sum(c.fully_patched), 0), coalesce(sum(c.critical_patched), 0), "
                      "coalesce(sum(c.important_patched), 0), coalesce(sum(c.moderate_patched), 0), "
                      "coalesce(sum(c.low_patched), 0), coalesce(sum(c.security_patched), 0) "
                      "FROM patch_compliance_now c WHERE " +
                      where);
    nlohmann::json sites = nlohmann::json::array();
    for (const auto& row :
         params.exec(tx.sql(), std::string("SELECT c.org_id, o.name, c.site_id, s.name, ") + kColumns +
                                   " FROM patch_compliance_now c JOIN organizations o ON o.id = "
                                   "c.org_id JOIN sites s ON s.id = c.site_id WHERE " +
                                   where + " ORDER BY o.name, s.name")) {
        auto figures = complianceFigures(row, 4);
        figures["org_id"] = row[0].as<std::string>();
        figures["org_name"] = row[1].as<std::string>();
        figures["site_id"] = row[2].as<std::string>();
        figures["site_name"] = row[3].as<std::string>();
        sites.push_back(std::move(figures));
    }
    nlohmann::json history = nlohmann::json::array();
    for (const auto& row : params.exec(tx.sql(), std::string("SELECT c.day::text, ") + kSums +
                                                     " FROM patch_compliance_daily c WHERE " + where +
                                                     " AND c.day >= current_date - " + daysText +
                                                     " GROUP BY c.day ORDER BY c.day")) {
        auto figures = complianceFigures(row, 1);
        figures["day"] = row[0].as<std::string>();
        history.push_back(std::move(figures));
    }
    return ApiResponse::json(
        {{"total", complianceFigures(total[0], 0)}, {"sites", sites}, {"history", history}});
}
} // namespace

void registerPatchRoutes(Router& router) {
    router.add({"GET", "/api/v1/patch-compliance", "", RouteAccess::Authenticated, compliance});
    router.add(
        {"POST", "/api/v1/devices/{id}/patch-scan", "patches.scan", RouteAccess::Authenticated, scanDevice});
    router.add({"GET", "/api/v1/devices/{id}/patches", "", RouteAccess::Authenticated, devicePatches});
    router.add({"GET", "/api/v1/devices/{id}/patch-results", "", RouteAccess::Authenticated, deviceResults});
    router.add({"POST", "/api/v1/devices/{id}/patches/{patch}/rollback", "patches.rollback",
                RouteAccess::Authenticated, rollback});
    router.add({"GET", "/api/v1/patches", "", RouteAccess::Authenticated, listPatches});
    router.add({"GET", "/api/v1/patches/{id}", "", RouteAccess::Authenticated, getPatch});
    router.add(
        {"POST", "/api/v1/patches/{id}/decision", "patches.decide", RouteAccess::Authenticated, decide});
    router.add({"POST", "/api/v1/patch-deployments", "patches.deploy", RouteAccess::Authenticated,
                createDeployment});
    router.add({"GET", "/api/v1/patch-deployments", "", RouteAccess::Authenticated, listDeployments});
    router.add({"GET", "/api/v1/patch-deployments/{id}", "", RouteAccess::Authenticated, getDeployment});
    router.add({"POST", "/api/v1/patch-deployments/{id}/cancel", "patch_deployments.cancel",
                RouteAccess::Authenticated, cancelDeployment});
}

} // namespace breeze::server
