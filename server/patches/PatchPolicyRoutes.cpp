#include "patches/PatchPolicyRoutes.h"

#include "db/PgText.h"
#include "db/SqlParams.h"
#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "scripts/ScriptAccess.h"
#include "tenancy/TenantLookup.h"

#include <regex>
#include <set>

namespace breeze::server {

namespace {
using namespace permissions;

constexpr const char* kPolicyJson =
    "json_build_object('id', pol.id, 'org_id', pol.org_id, 'name', pol.name, 'auto_approve_security', "
    "pol.auto_approve_security, 'auto_approve_severities', pol.auto_approve_severities, "
    "'auto_approve_pattern', "
    "pol.auto_approve_pattern, 'window_days', pol.window_days, 'window_start', to_char(pol.window_start, "
    "'HH24:MI'), "
    "'window_minutes', pol.window_minutes, 'scan_interval_hours', pol.scan_interval_hours, 'reboot', "
    "pol.reboot, "
    "'reboot_delay_minutes', pol.reboot_delay_minutes, 'missed_window', pol.missed_window, 'pre_script_id', "
    "pol.pre_script_id, 'post_script_id', pol.post_script_id, 'assignments', "
    "(SELECT "
    "coalesce(json_agg(json_build_object('org_id', a.org_id, 'site_id', a.site_id)), '[]'::json) FROM "
    "patch_policy_assignments a WHERE a.policy_id = pol.id), 'created_by', pol.created_by, 'created_at', "
    "pol.created_at, 'updated_at', pol.updated_at)::text";

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
            const auto rows = tx.sql().exec_params(
                "SELECT s.org_id FROM scripts s WHERE s.id = $1 AND s.deleted_at IS NULL AND " +
                    scriptScopeSql(read),
                *id);
            if (read.isEmpty() || rows.empty())
                throw ApiError::notFound("script");
            if (!rows[0][0].is_null() && rows[0][0].as<std::string>() != policyOrg.value_or(""))
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
    const auto rows = tx.sql().exec_params(
        "SELECT pol.org_id FROM patch_policies pol WHERE pol.id = $1 AND " + policyScopeSql(read), id);
    if (read.isEmpty() || rows.empty())
        throw ApiError::notFound("patch policy");
    const std::optional<std::string> org =
        rows[0][0].is_null() ? std::nullopt : std::optional(rows[0][0].as<std::string>());
    const AccessScope write = ctx.principal().scopeFor(PatchesApprove);
    if (change && (org ? !write.allowsWholeOrg(*org) : !write.isWholePartner()))
        throw ApiError::forbidden("changing this policy needs patches:approve on " +
                                  std::string(org ? "its whole organisation" : "the whole partner"));
    return org;
}

nlohmann::json fetchPolicy(ScopedTransaction& tx, const std::string& id) {
    return jsonRow(tx.sql().exec_params1(
        std::string("SELECT ") + kPolicyJson + " FROM patch_policies pol WHERE pol.id = $1", id));
}

ApiResponse listPolicies(RequestContext& ctx) {
    const AccessScope scope = ctx.require(PatchesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(
        {{"items",
          jsonRows(tx.sql().exec(std::string("SELECT ") + kPolicyJson + " FROM patch_policies pol WHERE " +
                                 policyScopeSql(scope) + " ORDER BY lower(pol.name), pol.id"))}});
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
    SqlParams params;
    std::string names = "partner_id, org_id, name, created_by";
    std::string values = params.add(scope.partnerId()) + "::uuid, NULLIF(" + params.add(orgId.value_or("")) +
                         ", '')::uuid, " + params.add(name) + ", " + params.add(event.actorLabel);
    for (const auto& [column, value] : columns) {
        names += ", " + column;
        values += ", " + params.add(value);
    }
    std::string id;
    try {
        id = params
                 .exec(tx.sql(), "INSERT INTO patch_policies (" + names + ") VALUES (" + values +
                                     ") RETURNING id")[0][0]
                 .as<std::string>();
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
    SqlParams params;
    std::string sets = "updated_at = now()";
    for (const auto& [column, value] : columns)
        sets += ", " + column + " = " + params.add(value);
    try {
        params.exec(tx.sql(),
                    "UPDATE patch_policies SET " + sets + " WHERE id = " + params.add(id) + "::uuid");
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
    tx.sql().exec_params("DELETE FROM patch_policies WHERE id = $1", id);
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
    tx.sql().exec_params(
        "DELETE FROM patch_policy_assignments WHERE org_id = $1 AND site_id IS NOT DISTINCT FROM "
        "NULLIF($2, '')::uuid",
        org, siteId.value_or(""));
    tx.sql().exec_params(
        "INSERT INTO patch_policy_assignments (policy_id, partner_id, org_id, site_id) VALUES ($1, $2, "
        "$3, NULLIF($4, '')::uuid)",
        id, scope.partnerId(), org, siteId.value_or(""));
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
    router.add({"GET", "/api/v1/patch-policies", "", RouteAccess::Authenticated, listPolicies});
    router.add({"POST", "/api/v1/patch-policies", "patch_policies.create", RouteAccess::Authenticated,
                createPolicy});
    router.add({"GET", "/api/v1/patch-policies/{id}", "", RouteAccess::Authenticated, getPolicy});
    router.add({"PATCH", "/api/v1/patch-policies/{id}", "patch_policies.update", RouteAccess::Authenticated,
                updatePolicy});
    router.add({"DELETE", "/api/v1/patch-policies/{id}", "patch_policies.delete", RouteAccess::Authenticated,
                deletePolicy});
    router.add({"POST", "/api/v1/patch-policies/{id}/assignments", "patch_policies.assign",
                RouteAccess::Authenticated, assignPolicy});
}

} // namespace breeze::server
