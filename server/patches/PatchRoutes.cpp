#include "patches/PatchRoutes.h"

#include "commands/CommandQueue.h"
#include "devices/DeviceAccess.h"
#include "devices/DeviceTargets.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "patches/PatchCatalogStore.h"
#include "patches/PatchComplianceStore.h"
#include "patches/PatchDeployer.h"
#include "patches/PatchDeploymentStore.h"
#include "protocol/PatchMessages.h"
#include "tenancy/TenantLookup.h"

#include <pqxx/except>
#include <set>

namespace breeze::server {

namespace {
using namespace permissions;

std::string devicePatchScopeSql(const AccessScope& scope) {
    return scope.sqlSite("dp.partner_id", "dp.org_id", "dp.site_id");
}

// 404 unless the patch is in the caller's catalog and one of the caller's devices has met it.
void requirePatch(RequestContext& ctx, ScopedTransaction& tx, const std::string& id) {
    const AccessScope scope = ctx.principal().scopeFor(PatchesRead);
    if (scope.isEmpty() || !PatchCatalogStore(tx).visible(id, devicePatchScopeSql(scope)))
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
    PatchCatalogStore::Filter filter;
    filter.orgId = ctx.uuidQuery("org");
    filter.siteId = ctx.uuidQuery("site");
    filter.deviceId = ctx.uuidQuery("device");
    if (const auto security = ctx.query("security")) {
        if (*security != "true" && *security != "false")
            throw ApiError::badRequest("security must be true or false");
        filter.security = *security == "true";
    }
    if (const auto severity = ctx.query("severity"))
        filter.severity = severity->substr(0, 16);
    if (const auto search = ctx.query("q"))
        filter.search = search->substr(0, 128);
    if (const auto state = ctx.query("state")) {
        static const std::set<std::string> states{"missing", "installed", "failed", "pending_reboot"};
        if (!states.contains(*state))
            throw ApiError::badRequest("state must be missing, installed, failed or pending_reboot");
        filter.state = *state;
    }
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(PatchCatalogStore(tx).list(filter, pagination, devicePatchScopeSql(scope)));
}

ApiResponse getPatch(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "patch");
    const AccessScope scope = ctx.require(PatchesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requirePatch(ctx, tx, id);
    return ApiResponse::json(PatchCatalogStore(tx).patch(id, devicePatchScopeSql(scope)));
}

ApiResponse devicePatches(RequestContext& ctx) {
    const std::string deviceId = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(PatchesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireDevicePermission(ctx, tx, deviceId, PatchesRead);
    return ApiResponse::json(PatchCatalogStore(tx).forDevice(deviceId));
}

// Where a decision applies, after checking the caller may decide there.
struct DecisionLevel {
    std::string level = "partner", org, site, device, policy;
};

DecisionLevel decisionLevel(RequestContext& ctx, ScopedTransaction& tx, const AccessScope& scope,
                            const std::optional<std::string>& orgId, const std::optional<std::string>& siteId,
                            const std::optional<std::string>& deviceId,
                            const std::optional<std::string>& policyId) {
    DecisionLevel at;
    if (policyId) {
        // A policy's decision: for every device whose site follows the policy.
        const auto org = PatchCatalogStore(tx).policyOrganisation(*policyId, scope.partnerId());
        if (!org)
            throw ApiError::notFound("patch policy");
        if (!org->empty())
            requireOrgPermission(ctx, tx, *org, PatchesApprove);
        else if (!scope.isWholePartner())
            throw ApiError::forbidden(
                "deciding in a partner-wide policy needs a partner-wide patches:approve grant");
        at.level = "policy", at.org = *org, at.policy = *policyId;
    } else if (deviceId) {
        const DeviceRef ref = requireDevicePermission(ctx, tx, *deviceId, PatchesApprove);
        at.level = "device", at.org = ref.orgId, at.site = ref.siteId, at.device = *deviceId;
    } else if (siteId) {
        at.org = requireSitePermission(ctx, tx, *siteId, PatchesApprove).orgId;
        at.level = "site", at.site = *siteId;
    } else if (orgId) {
        requireOrgPermission(ctx, tx, *orgId, PatchesApprove);
        at.level = "org", at.org = *orgId;
    } else if (!scope.isWholePartner()) {
        throw ApiError::forbidden("a partner-wide decision needs a partner-wide patches:approve grant; give "
                                  "\"org_id\", \"site_id\" or \"device_id\"");
    }
    return at;
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
    const DecisionLevel at = decisionLevel(ctx, tx, scope, orgId, siteId, deviceId, policyId);
    AuditEvent event = ctx.auditEvent("patches.decide", "patch", id);
    try {
        PatchCatalogStore(tx).decide({scope.partnerId(), id, at.level, at.org, at.site, at.device, at.policy,
                                      decision, event.actorLabel, deferUntil, deferDays});
    } catch (const pqxx::data_exception&) {
        throw ApiError::badRequest(
            "\"defer_until\" must be a date such as 2026-12-31 or 2026-12-31T18:00:00Z");
    }
    event.orgId = at.org.empty() ? std::nullopt : std::optional(at.org);
    event.details = {{"decision", decision},
                     {"scope", at.level},
                     {"org_id", at.org},
                     {"site_id", at.site},
                     {"device_id", at.device},
                     {"policy_id", at.policy},
                     {"defer_until", deferUntil.value_or("")},
                     {"defer_days", deferDays.value_or(0)}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json({{"patch_id", id}, {"scope", at.level}, {"decision", decision}});
}

// A deployment's target as its body names it: devices, a site or an organisation.
DeviceTargets deploymentAim(JsonFields& fields) {
    DeviceTargets aim;
    aim.deviceIds = fields.optionalUuidList("device_ids", 10'000);
    aim.siteId = fields.optionalUuid("site_id");
    aim.orgId = fields.optionalUuid("org_id");
    return aim;
}

// The enrolled devices `aim` holds that the caller may deploy to; 404 when some it lists are not among them.
std::vector<PatchDeploymentStore::Target> deploymentDevices(RequestContext& ctx, ScopedTransaction& tx,
                                                            DeviceTargets& aim, const AccessScope& scope) {
    aim.resolve(ctx, tx, PatchesDeploy);
    auto devices = PatchDeploymentStore(tx).targets(aim, deviceScopeSql(scope));
    if (aim.listed > 0 && devices.size() != aim.listed)
        throw ApiError::notFound(std::to_string(aim.listed - devices.size()) + " of the devices");
    return devices;
}

ApiResponse createDeployment(RequestContext& ctx) {
    auto fields = ctx.fields();
    DeviceTargets aim = deploymentAim(fields);
    const auto at = fields.optionalString("scheduled_at", 1, 64);
    auto reboot = fields.optionalString("reboot", 1, 16);
    fields.finish();
    if (reboot && *reboot != "policy" && *reboot != "never" && *reboot != "if_required" &&
        *reboot != "always")
        throw ApiError::badRequest("\"reboot\" must be policy, never, if_required or always");
    if (reboot == "policy")
        reboot.reset();
    const AccessScope scope = ctx.require(PatchesDeploy);
    // Choosing how devices restart is a restart of one's own: it needs the right to send commands there.
    const AccessScope commandScope = reboot ? ctx.require(CommandsCreate) : scope;
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    PatchDeploymentStore deployments(tx);
    const auto devices = deploymentDevices(ctx, tx, aim, scope);
    if (devices.empty())
        throw ApiError(409, "no_devices", "the target holds no devices");
    std::vector<std::string> ids;
    std::set<std::string> orgs;
    for (const auto& device : devices) {
        ids.push_back(device.deviceId);
        orgs.insert(device.orgId);
    }
    if (orgs.size() > 1 && !scope.isWholePartner())
        throw ApiError::badRequest("these devices are in several organisations; deploy to each on its own");
    for (const auto& org : orgs)
        if (reboot && !commandScope.allowsWholeOrg(org))
            throw ApiError::forbidden(
                "choosing how devices restart needs commands:create on the whole organisation");
    AuditEvent event = ctx.auditEvent("patches.deploy", "patch_deployment", "");
    std::string id;
    try {
        id = deployments.insert({scope.partnerId(), orgs.size() == 1 ? *orgs.begin() : std::string(),
                                 aim.targets, ids, at, event.actorLabel,
                                 event.actorType == "user" ? event.actorId.value_or("") : std::string(),
                                 reboot});
    } catch (const pqxx::data_exception&) {
        throw ApiError::badRequest("\"scheduled_at\" must be a time such as 2026-12-31T22:00:00Z");
    }
    // Due now: queued at once, with the decisions as they stand; later: the scheduler queues it when due.
    const bool now = deployments.isDue(id);
    nlohmann::json summary = nlohmann::json::object();
    if (now)
        summary = PatchDeployer::queue(tx, id);
    event.resourceId = id;
    event.orgId = orgs.size() == 1 ? std::optional(*orgs.begin()) : std::nullopt;
    event.details = {{"targets", aim.targets},
                     {"device_count", ids.size()},
                     {"scheduled_at", at.value_or("now")},
                     {"reboot", reboot.value_or("policy")}};
    ctx.audit(tx, event);
    const auto body = deployments.deployment(id);
    tx.commit();
    if (ctx.server.agents && now)
        for (const auto& item : summary["queued"])
            ctx.server.agents->commandsQueued(item["device_id"]);
    return ApiResponse::json(body, 201);
}

// What a deployment to these devices would install now (the same body as a deployment; nothing is queued).
ApiResponse previewDeployment(RequestContext& ctx) {
    auto fields = ctx.fields();
    DeviceTargets aim = deploymentAim(fields);
    fields.finish();
    const AccessScope scope = ctx.require(PatchesDeploy);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto targets = deploymentDevices(ctx, tx, aim, scope);
    PatchDeploymentStore deployments(tx);
    std::vector<std::string> ids;
    ids.reserve(targets.size());
    for (const auto& target : targets)
        ids.push_back(target.deviceId);
    const auto devices = deployments.preview(ids);
    std::size_t installs = 0;
    for (const auto& device : devices)
        installs += device["packages"].size();
    return ApiResponse::json(
        {{"devices", devices}, {"device_count", devices.size()}, {"install_count", installs}});
}

ApiResponse listDeployments(RequestContext& ctx) {
    const AccessScope scope = ctx.require(PatchesRead);
    Pagination pagination(ctx);
    const auto device = ctx.uuidQuery("device");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(
        PatchDeploymentStore(tx).list(device, pagination, PatchDeploymentStore::scopeSql(scope)));
}

ApiResponse getDeployment(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "patch deployment");
    const AccessScope scope = ctx.require(PatchesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    PatchDeploymentStore deployments(tx);
    auto body = deployments.find(id, PatchDeploymentStore::scopeSql(scope));
    if (!body)
        throw ApiError::notFound("patch deployment");
    (*body)["devices"] = deployments.devices(id, scope.sqlSite("c.partner_id", "c.org_id", "c.site_id"));
    return ApiResponse::json(std::move(*body));
}

ApiResponse cancelDeployment(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "patch deployment");
    const AccessScope scope = ctx.require(PatchesDeploy);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    PatchDeploymentStore deployments(tx);
    const auto status = deployments.lockStatus(id, PatchDeploymentStore::scopeSql(scope));
    if (!status)
        throw ApiError::notFound("patch deployment");
    if (*status != "scheduled")
        throw ApiError(409, "deployment_queued",
                       "the deployment has already been queued; cancel its commands one by one instead");
    deployments.cancel(id);
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
    return ApiResponse::json(PatchCatalogStore(tx).results(deviceId, pagination));
}

// Back to the version the device had before the update, when its repositories still offer it.
ApiResponse rollback(RequestContext& ctx) {
    const std::string deviceId = ctx.pathId("id", "device");
    const std::string patchId = ctx.pathId("patch", "patch");
    const AccessScope scope = ctx.require(PatchesDeploy);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, deviceId, PatchesDeploy);
    const auto installed = PatchCatalogStore(tx).installed(deviceId, patchId);
    if (!installed)
        throw ApiError::notFound("patch");
    if (installed->state != "installed" && installed->state != "pending_reboot")
        throw ApiError(409, "not_installed",
                       "this update is not installed on the device (it is " + installed->state + ")");
    const protocol::PackageVersion previous{installed->name, installed->installedVersion};
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

ApiResponse compliance(RequestContext& ctx) {
    const AccessScope scope = ctx.require(PatchesRead);
    const auto daysText = ctx.query("days").value_or("30");
    if (daysText.empty() || daysText.size() > 3 ||
        daysText.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError::badRequest("days must be a number of days, at most 999");
    const auto org = ctx.uuidQuery("org");
    const auto site = ctx.uuidQuery("site");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(PatchComplianceStore(tx).report(
        org, site, std::stoi(daysText), scope.sqlSite("c.partner_id", "c.org_id", "c.site_id")));
}
} // namespace

void registerPatchRoutes(Router& router) {
    router.add({HttpMethod::Get, "/api/v1/patch-compliance", "", RouteAccess::Authenticated, compliance});
    router.add({HttpMethod::Post, "/api/v1/devices/{id}/patch-scan", "patches.scan",
                RouteAccess::Authenticated, scanDevice});
    router.add(
        {HttpMethod::Get, "/api/v1/devices/{id}/patches", "", RouteAccess::Authenticated, devicePatches});
    router.add({HttpMethod::Get, "/api/v1/devices/{id}/patch-results", "", RouteAccess::Authenticated,
                deviceResults});
    router.add({HttpMethod::Post, "/api/v1/devices/{id}/patches/{patch}/rollback", "patches.rollback",
                RouteAccess::Authenticated, rollback});
    router.add({HttpMethod::Get, "/api/v1/patches", "", RouteAccess::Authenticated, listPatches});
    router.add({HttpMethod::Get, "/api/v1/patches/{id}", "", RouteAccess::Authenticated, getPatch});
    router.add({HttpMethod::Post, "/api/v1/patches/{id}/decision", "patches.decide",
                RouteAccess::Authenticated, decide});
    router.add({HttpMethod::Post, "/api/v1/patch-deployments", "patches.deploy", RouteAccess::Authenticated,
                createDeployment});
    router.add(
        {HttpMethod::Get, "/api/v1/patch-deployments", "", RouteAccess::Authenticated, listDeployments});
    router.add({HttpMethod::Post, "/api/v1/patch-deployments/preview", "", RouteAccess::Authenticated,
                previewDeployment});
    router.add(
        {HttpMethod::Get, "/api/v1/patch-deployments/{id}", "", RouteAccess::Authenticated, getDeployment});
    router.add({HttpMethod::Post, "/api/v1/patch-deployments/{id}/cancel", "patch_deployments.cancel",
                RouteAccess::Authenticated, cancelDeployment});
}

} // namespace breeze::server
