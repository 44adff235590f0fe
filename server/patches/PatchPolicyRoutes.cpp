#include "patches/PatchPolicyRoutes.h"

#include "db/PgText.h"
#include "db/SqlParams.h"
#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "patches/PatchPolicyStore.h"
#include "scripts/ScriptAccess.h"
#include "tenancy/TenantLookup.h"

#include <regex>
#include <set>

namespace breeze::server {

namespace {
using namespace permissions;

std::string policyScopeSql(const AccessScope& scope) {
    return "(pol.partner_id = '" + scope.partnerId() + "'::uuid AND (pol.org_id IS NULL OR " +
           scope.sqlOrg("pol.partner_id", "pol.org_id") + "))";
}

// The settings of a policy a body gives (all of them when creating), as column = value pairs.
std::vector<std::pair<std::string, std::optional<std::string>>> readSettings(JsonFields& fields) {
    std::vector<std::pair<std::string, std::optional<std::string>>> columns;
    const auto add = [&](const char* column, std::optional<std::string> value) {
        if (value)
            columns.emplace_back(column, std::move(value));
    };
    if (const auto security = fields.optionalBool("auto_approve_security"))
        add("auto_approve_security", *security ? "true" : "false");
    if (const auto severities = fields.optionalStringList("auto_approve_severities", 4, 16)) {
        static const std::set<std::string> known{"critical", "important", "moderate", "low"};
        for (const auto& severity : *severities)
            if (!known.contains(severity))
                throw ApiError::badRequest(
                    "\"auto_approve_severities\" may hold critical, important, moderate and low");
        add("auto_approve_severities", textArrayLiteral(*severities));
    }
    if (const auto pattern = fields.optionalString("auto_approve_pattern", 0, 128)) {
        if (!std::regex_match(*pattern, std::regex("[a-z0-9+.*_-]*")))
            throw ApiError::badRequest(
                "\"auto_approve_pattern\" is a package name with * wildcards, such as openssl*");
        add("auto_approve_pattern", *pattern);
    }
    if (const auto days = fields.optionalArray("window_days")) {
        std::set<int> unique;
        for (const auto& day : *days) {
            if (!day.is_number_integer() || day.get<int>() < 0 || day.get<int>() > 6)
                throw ApiError::badRequest(
                    "\"window_days\" holds days of the week, 0 (Sunday) to 6 (Saturday)");
            unique.insert(day.get<int>());
        }
        std::string literal = "{";
        for (int day : unique)
            literal += (literal.size() > 1 ? "," : "") + std::to_string(day);
        add("window_days", literal + "}");
    }
    if (const auto start = fields.optionalString("window_start", 5, 5)) {
        if (!std::regex_match(*start, std::regex("([01][0-9]|2[0-3]):[0-5][0-9]")))
            throw ApiError::badRequest(
                "\"window_start\" is a time of day such as 02:00 (the site's own time)");
        add("window_start", *start);
    }
    if (const auto minutes = fields.optionalInteger("window_minutes", 15, 1440))
        add("window_minutes", std::to_string(*minutes));
    if (const auto hours = fields.optionalInteger("scan_interval_hours", 1, 720))
        add("scan_interval_hours", std::to_string(*hours));
    if (const auto reboot = fields.optionalString("reboot", 1, 16)) {
        if (*reboot != "never" && *reboot != "if_required" && *reboot != "always")
            throw ApiError::badRequest("\"reboot\" must be never, if_required or always");
        add("reboot", *reboot);
    }
    if (const auto delay = fields.optionalInteger("reboot_delay_minutes", 0, 1440))
        add("reboot_delay_minutes", std::to_string(*delay));
    if (const auto missed = fields.optionalString("missed_window", 1, 16)) {
        if (*missed != "next_window" && *missed != "when_online")
            throw ApiError::badRequest("\"missed_window\" must be next_window or when_online");
        add("missed_window", *missed);
    }
    return columns;
}

// pre_script_id / post_script_id: a script the policy's scope may use (the partner-wide library, or the
// policy's own organisation's scripts), or null to run none.
void addScriptColumns(RequestContext& ctx, ScopedTransaction& tx, JsonFields& fields,
                      const std::optional<std::string>& policyOrg,
                      std::vector<std::pair<std::string, std::optional<std::string>>>& columns) {
    for (const char* key : {"pre_script_id", "post_script_id"}) {
        const auto id = fields.optionalUuidOrNull(key);
        if (!id)
            continue;
        if (!id->empty()) {
            const AccessScope read = ctx.principal().scopeFor(ScriptsRead);
            const auto scriptOrg = PatchPolicyStore(tx).scriptOrganisation(*id, scriptScopeSql(read));
            if (read.isEmpty() || !scriptOrg)
                throw ApiError::notFound("script");
            if (*scriptOrg && **scriptOrg != policyOrg.value_or(""))
                throw ApiError::badRequest(
                    std::string("\"") + key +
                    "\" must be a partner-wide script or one of the policy's organisation");
        }
        columns.emplace_back(key, id->empty() ? std::nullopt : std::optional(*id));
    }
}

// 404 unless visible; 403 unless the caller may change it (partner-wide: a partner-wide grant).
std::optional<std::string> requirePolicy(RequestContext& ctx, ScopedTransaction& tx, const std::string& id,
                                         bool change) {
    const AccessScope read = ctx.principal().scopeFor(PatchesRead);
    const auto found = PatchPolicyStore(tx).organisation(id, policyScopeSql(read));
    if (read.isEmpty() || !found)
        throw ApiError::notFound("patch policy");
    std::optional<std::string> org = *found;
    const AccessScope write = ctx.principal().scopeFor(PatchesApprove);
    if (change && (org ? !write.allowsWholeOrg(*org) : !write.isWholePartner()))
        throw ApiError::forbidden("changing this policy needs patches:approve on " +
                                  std::string(org ? "its whole organisation" : "the whole partner"));
    return org;
}

nlohmann::json fetchPolicy(ScopedTransaction& tx, const std::string& id) {
    return PatchPolicyStore(tx).fetch(id);
}

ApiResponse listPolicies(RequestContext& ctx) {
    const AccessScope scope = ctx.require(PatchesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json({{"items", PatchPolicyStore(tx).list(policyScopeSql(scope))}});
}

ApiResponse createPolicy(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string name = fields.requiredName("name");
    const auto orgId = fields.optionalUuid("org_id");
    auto columns = readSettings(fields);
    const AccessScope scope = ctx.require(PatchesApprove);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    if (orgId)
        requireOrgPermission(ctx, tx, *orgId, PatchesApprove);
    else if (!scope.isWholePartner())
        throw ApiError::forbidden(
            "a partner-wide policy needs a partner-wide patches:approve grant; give \"org_id\"");
    addScriptColumns(ctx, tx, fields, orgId, columns);
    fields.finish();
    AuditEvent event = ctx.auditEvent("patch_policies.create", "patch_policy", "");
    std::string id;
    try {
        id = PatchPolicyStore(tx).insert(scope.partnerId(), orgId, name, event.actorLabel, columns);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("a patch policy named \"" + name + "\" already exists there");
    }
    event.resourceId = id;
    event.orgId = orgId;
    event.details = {{"name", name}};
    ctx.audit(tx, event);
    auto body = fetchPolicy(tx, id);
    tx.commit();
    return ApiResponse::json(std::move(body), 201);
}

ApiResponse getPolicy(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "patch policy");
    const AccessScope scope = ctx.require(PatchesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requirePolicy(ctx, tx, id, false);
    return ApiResponse::json(fetchPolicy(tx, id));
}

ApiResponse updatePolicy(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "patch policy");
    auto fields = ctx.fields();
    const auto name = fields.optionalName("name");
    auto columns = readSettings(fields);
    if (name)
        columns.emplace_back("name", *name);
    const AccessScope scope = ctx.require(PatchesApprove);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto org = requirePolicy(ctx, tx, id, true);
    addScriptColumns(ctx, tx, fields, org, columns);
    fields.finish();
    if (columns.empty())
        throw ApiError::badRequest("nothing to change");
    try {
        PatchPolicyStore(tx).update(id, columns);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("a patch policy of that name already exists there");
    }
    AuditEvent event = ctx.auditEvent("patch_policies.update", "patch_policy", id);
    event.orgId = org;
    nlohmann::json changed = nlohmann::json::object();
    for (const auto& [column, value] : columns)
        changed[column] = value.value_or("");
    event.details = {{"changed", changed}};
    ctx.audit(tx, event);
    auto body = fetchPolicy(tx, id);
    tx.commit();
    return ApiResponse::json(std::move(body));
}

ApiResponse deletePolicy(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "patch policy");
    const AccessScope scope = ctx.require(PatchesApprove);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto org = requirePolicy(ctx, tx, id, true);
    PatchPolicyStore(tx).remove(id);
    AuditEvent event = ctx.auditEvent("patch_policies.delete", "patch_policy", id);
    event.orgId = org;
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}

// Assigns the policy to an organisation (all its sites) or to one site, replacing what that level had.
ApiResponse assignPolicy(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "patch policy");
    auto fields = ctx.fields();
    const auto orgId = fields.optionalUuid("org_id");
    const auto siteId = fields.optionalUuid("site_id");
    fields.finish();
    if (orgId.has_value() == siteId.has_value())
        throw ApiError::badRequest("give either \"org_id\" or \"site_id\"");
    const AccessScope scope = ctx.require(PatchesApprove);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto policyOrg = requirePolicy(ctx, tx, id, false);
    std::string org = orgId.value_or("");
    if (siteId)
        org = requireSitePermission(ctx, tx, *siteId, PatchesApprove).orgId;
    else
        requireOrgPermission(ctx, tx, org, PatchesApprove);
    if (policyOrg && *policyOrg != org)
        throw ApiError(409, "other_organisation", "this policy belongs to another organisation");
    PatchPolicyStore(tx).assign(id, scope.partnerId(), org, siteId);
    AuditEvent event = ctx.auditEvent("patch_policies.assign", "patch_policy", id);
    event.orgId = org;
    event.details = {{"org_id", org}, {"site_id", siteId.value_or("")}};
    ctx.audit(tx, event);
    auto body = fetchPolicy(tx, id);
    tx.commit();
    return ApiResponse::json(std::move(body));
}
} // namespace

void registerPatchPolicyRoutes(Router& router) {
    router.add({HttpMethod::Get, "/api/v1/patch-policies", "", RouteAccess::Authenticated, listPolicies});
    router.add({HttpMethod::Post, "/api/v1/patch-policies", "patch_policies.create",
                RouteAccess::Authenticated, createPolicy});
    router.add({HttpMethod::Get, "/api/v1/patch-policies/{id}", "", RouteAccess::Authenticated, getPolicy});
    router.add({HttpMethod::Patch, "/api/v1/patch-policies/{id}", "patch_policies.update",
                RouteAccess::Authenticated, updatePolicy});
    router.add({HttpMethod::Delete, "/api/v1/patch-policies/{id}", "patch_policies.delete",
                RouteAccess::Authenticated, deletePolicy});
    router.add({HttpMethod::Post, "/api/v1/patch-policies/{id}/assignments", "patch_policies.assign",
                RouteAccess::Authenticated, assignPolicy});
}

} // namespace breeze::server
