#include "tenancy/TenancyRoutes.h"

#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "tenancy/TenantLookup.h"

#include <pqxx/except>

namespace breeze::server {

namespace {
using namespace permissions;

constexpr const char* kOrgJson =
    "json_build_object('id', o.id, 'partner_id', o.partner_id, 'name', o.name, 'require_device_approval', "
    "o.require_device_approval, 'created_at', o.created_at, 'updated_at', o.updated_at)::text";
constexpr const char* kSiteJson =
    "json_build_object('id', s.id, 'org_id', s.org_id, 'name', s.name, 'timezone', s.timezone, 'created_at', "
    "s.created_at, 'updated_at', s.updated_at)::text";
constexpr const char* kGroupJson =
    "json_build_object('id', g.id, 'org_id', g.org_id, 'site_id', g.site_id, 'name', g.name, 'created_at', "
    "g.created_at, 'updated_at', g.updated_at)::text";

std::string likePattern(const std::string& text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    return out + "%";
}

std::optional<std::string> textQuery(const RequestContext& ctx, const std::string& name) {
    auto value = ctx.query(name);
    if (value && value->size() > 200)
        throw ApiError::badRequest(name + " is too long");
    return value;
}

// ---- partner ----

constexpr const char* kPartnerJson =
    "json_build_object('id', p.id, 'name', p.name, 'require_mfa', p.require_mfa, "
    "'created_at', p.created_at)::text";

// A caller belongs to exactly one partner; any other partner id answers 404 like an unknown one.
std::string ownPartnerId(RequestContext& ctx, const AccessScope& scope) {
    const std::string id = ctx.pathId("id", "partner");
    if (id != scope.partnerId())
        throw ApiError::notFound("partner");
    return id;
}

ApiResponse listPartners(RequestContext& ctx) {
    const AccessScope scope = ctx.require(PartnerRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows = tx.sql().exec_params(
        std::string("SELECT ") + kPartnerJson + " FROM partners p WHERE p.id = $1", scope.partnerId());
    return ApiResponse::json({{"items", jsonRows(rows)}, {"next_cursor", nullptr}});
}

ApiResponse getPartner(RequestContext& ctx) {
    const AccessScope scope = ctx.require(PartnerRead);
    const std::string id = ownPartnerId(ctx, scope);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(jsonRow(tx.sql().exec_params1(
        std::string("SELECT ") + kPartnerJson + " FROM partners p WHERE p.id = $1", id)));
}

ApiResponse updatePartner(RequestContext& ctx) {
    const AccessScope scope = ctx.require(PartnerUpdate);
    const std::string id = ownPartnerId(ctx, scope);
    if (!scope.isWholePartner())
        throw ApiError::forbidden("changing the partner needs partner:update across the whole partner");
    auto fields = ctx.fields();
    const auto name = fields.optionalName("name");
    const auto requireMfa = fields.optionalBool("require_mfa");
    fields.finish();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto row =
        tx.sql().exec_params1(std::string("UPDATE partners p SET name = coalesce($2, name), require_mfa = "
                                          "coalesce($3, require_mfa), updated_at = now() WHERE p.id = $1 "
                                          "RETURNING ") +
                                  kPartnerJson,
                              id, name, requireMfa);
    AuditEvent event = ctx.auditEvent("partners.update", "partner", id);
    event.details = ctx.json();
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(jsonRow(row));
}

// ---- organisations ----

ApiResponse listOrgs(RequestContext& ctx) {
    const AccessScope scope = ctx.require(OrgsRead);
    Pagination pagination(ctx);
    SqlParams params;
    std::string sql = std::string("SELECT ") + kOrgJson + ", o.name FROM organizations o WHERE " +
                      scope.sqlOrg("o.partner_id", "o.id");
    if (auto name = textQuery(ctx, "name"))
        sql += " AND o.name ILIKE " + params.add(likePattern(*name));
    sql += pagination.sqlAfter(params, "o.name", "o.id") + " ORDER BY o.name, o.id" + pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
}

ApiResponse createOrg(RequestContext& ctx) {
    const AccessScope scope = ctx.require(OrgsCreate);
    if (!scope.isWholePartner())
        throw ApiError::forbidden("creating organisations needs orgs:create across the whole partner");
    auto fields = ctx.fields();
    const std::string name = fields.requiredName("name");
    const bool approval = fields.optionalBool("require_device_approval").value_or(false);
    fields.finish();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    pqxx::row row;
    try {
        row = tx.sql().exec_params1(
            std::string("INSERT INTO organizations AS o (partner_id, name, require_device_approval) "
                        "VALUES ($1, $2, $3) RETURNING o.id, ") +
                kOrgJson,
            scope.partnerId(), name, approval);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("an organisation named \"" + name + "\" already exists");
    }
    const std::string id = row[0].as<std::string>();
    AuditEvent event = ctx.auditEvent("orgs.create", "org", id);
    event.orgId = id;
    event.details = {{"name", name}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(nlohmann::json::parse(row[1].c_str()), 201);
}

ApiResponse getOrg(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "organisation");
    const AccessScope scope = ctx.require(OrgsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows = tx.sql().exec_params(std::string("SELECT ") + kOrgJson +
                                               " FROM organizations o WHERE o.id = $1 AND " +
                                               scope.sqlOrg("o.partner_id", "o.id"),
                                           id);
    if (rows.empty())
        throw ApiError::notFound("organisation");
    return ApiResponse::json(jsonRow(rows[0]));
}

ApiResponse updateOrg(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "organisation");
    auto fields = ctx.fields();
    const auto name = fields.optionalName("name");
    const auto approval = fields.optionalBool("require_device_approval");
    fields.finish();
    const AccessScope scope = ctx.require(OrgsUpdate);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireOrgPermission(ctx, tx, id, OrgsUpdate);
    pqxx::row row;
    try {
        row = tx.sql().exec_params1(
            std::string("UPDATE organizations o SET name = coalesce($2, name), "
                        "require_device_approval = coalesce($3, require_device_approval), "
                        "updated_at = now() WHERE o.id = $1 AND ") +
                scope.sqlOrg("o.partner_id", "o.id") + " RETURNING " + kOrgJson,
            id, name, approval);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("an organisation with that name already exists");
    }
    AuditEvent event = ctx.auditEvent("orgs.update", "org", id);
    event.orgId = id;
    event.details = ctx.json();
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(jsonRow(row));
}

ApiResponse deleteOrg(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "organisation");
    const AccessScope scope = ctx.require(OrgsDelete);
    const bool cascade = ctx.query("cascade").value_or("") == "true";
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireOrgPermission(ctx, tx, id, OrgsDelete);
    // Sites, groups, keys and the organisation's own users go with it: make the caller say so.
    const auto counts = tx.sql().exec_params1("SELECT (SELECT count(*) FROM sites WHERE org_id = $1), "
                                              "(SELECT count(*) FROM users WHERE home_org_id = $1)",
                                              id);
    const auto sites = counts[0].as<long long>();
    const auto users = counts[1].as<long long>();
    if ((sites > 0 || users > 0) && !cascade)
        throw ApiError::conflict("the organisation still has " + std::to_string(sites) + " site(s) and " +
                                 std::to_string(users) + " user(s); delete them first or pass cascade=true");
    tx.sql().exec_params(
        "DELETE FROM organizations o WHERE o.id = $1 AND " + scope.sqlOrg("o.partner_id", "o.id"), id);
    AuditEvent event = ctx.auditEvent("orgs.delete", "org", id);
    event.details = {{"cascade", cascade}, {"sites", sites}, {"users", users}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}

// ---- sites ----

ApiResponse listSites(RequestContext& ctx) {
    const AccessScope scope = ctx.require(SitesRead);
    Pagination pagination(ctx);
    SqlParams params;
    std::string sql = std::string("SELECT ") + kSiteJson + ", s.name FROM sites s WHERE " +
                      scope.sqlSite("s.partner_id", "s.org_id", "s.id");
    if (auto org = ctx.uuidQuery("org"))
        sql += " AND s.org_id = " + params.add(*org) + "::uuid";
    if (auto name = textQuery(ctx, "name"))
        sql += " AND s.name ILIKE " + params.add(likePattern(*name));
    sql += pagination.sqlAfter(params, "s.name", "s.id") + " ORDER BY s.name, s.id" + pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
}

ApiResponse createSite(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string orgId = fields.requiredUuid("org_id");
    const std::string name = fields.requiredName("name");
    const std::string timezone = fields.optionalString("timezone", 1, 64).value_or("UTC");
    fields.finish();
    const AccessScope scope = ctx.require(SitesCreate);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireOrgPermission(ctx, tx, orgId, SitesCreate);
    if (tx.sql().exec_params("SELECT 1 FROM pg_timezone_names WHERE name = $1", timezone).empty())
        throw ApiError::badRequest("\"timezone\" must be an IANA time zone such as Europe/Berlin");
    pqxx::row row;
    try {
        row = tx.sql().exec_params1(std::string("INSERT INTO sites AS s (partner_id, org_id, name, timezone) "
                                                "VALUES ($1, $2, $3, $4) RETURNING s.id, ") +
                                        kSiteJson,
                                    scope.partnerId(), orgId, name, timezone);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("the organisation already has a site named \"" + name + "\"");
    }
    const std::string id = row[0].as<std::string>();
    AuditEvent event = ctx.auditEvent("sites.create", "site", id);
    event.orgId = orgId;
    event.details = {{"name", name}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(nlohmann::json::parse(row[1].c_str()), 201);
}

ApiResponse getSite(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "site");
    const AccessScope scope = ctx.require(SitesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows =
        tx.sql().exec_params(std::string("SELECT ") + kSiteJson + " FROM sites s WHERE s.id = $1 AND " +
                                 scope.sqlSite("s.partner_id", "s.org_id", "s.id"),
                             id);
    if (rows.empty())
        throw ApiError::notFound("site");
    return ApiResponse::json(jsonRow(rows[0]));
}

ApiResponse updateSite(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "site");
    auto fields = ctx.fields();
    const auto name = fields.optionalName("name");
    const auto timezone = fields.optionalString("timezone", 1, 64);
    fields.finish();
    const AccessScope scope = ctx.require(SitesUpdate);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const SiteRef site = requireSitePermission(ctx, tx, id, SitesUpdate);
    if (timezone &&
        tx.sql().exec_params("SELECT 1 FROM pg_timezone_names WHERE name = $1", *timezone).empty())
        throw ApiError::badRequest("\"timezone\" must be an IANA time zone such as Europe/Berlin");
    pqxx::row row;
    try {
        row = tx.sql().exec_params1(
            std::string("UPDATE sites s SET name = coalesce($2, name), timezone = coalesce($3, "
                        "timezone), updated_at = now() WHERE s.id = $1 AND ") +
                scope.sqlSite("s.partner_id", "s.org_id", "s.id") + " RETURNING " + kSiteJson,
            id, name, timezone);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("the organisation already has a site with that name");
    }
    AuditEvent event = ctx.auditEvent("sites.update", "site", id);
    event.orgId = site.orgId;
    event.details = ctx.json();
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(jsonRow(row));
}

ApiResponse deleteSite(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "site");
    const AccessScope scope = ctx.require(SitesDelete);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const SiteRef site = requireSitePermission(ctx, tx, id, SitesDelete);
    tx.sql().exec_params(
        "DELETE FROM sites s WHERE s.id = $1 AND " + scope.sqlSite("s.partner_id", "s.org_id", "s.id"), id);
    AuditEvent event = ctx.auditEvent("sites.delete", "site", id);
    event.orgId = site.orgId;
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}

// ---- device groups ----

ApiResponse listGroups(RequestContext& ctx) {
    const AccessScope scope = ctx.require(GroupsRead);
    Pagination pagination(ctx);
    SqlParams params;
    std::string sql =
        std::string("SELECT ") + kGroupJson + ", g.name FROM device_groups g WHERE " + groupScopeSql(scope);
    if (auto org = ctx.uuidQuery("org"))
        sql += " AND g.org_id = " + params.add(*org) + "::uuid";
    if (auto site = ctx.uuidQuery("site"))
        sql += " AND g.site_id = " + params.add(*site) + "::uuid";
    if (auto name = textQuery(ctx, "name"))
        sql += " AND g.name ILIKE " + params.add(likePattern(*name));
    sql += pagination.sqlAfter(params, "g.name", "g.id") + " ORDER BY g.name, g.id" + pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
}

ApiResponse createGroup(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string orgId = fields.requiredUuid("org_id");
    const auto siteId = fields.optionalUuid("site_id");
    const std::string name = fields.requiredName("name");
    fields.finish();
    const AccessScope scope = ctx.require(GroupsCreate);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    if (siteId) {
        const SiteRef site = requireSitePermission(ctx, tx, *siteId, GroupsCreate);
        if (site.orgId != orgId)
            throw ApiError::badRequest("the site does not belong to that organisation");
    } else {
        requireOrgPermission(ctx, tx, orgId, GroupsCreate);
    }
    pqxx::row row;
    try {
        row = tx.sql().exec_params1(
            std::string("INSERT INTO device_groups AS g (partner_id, org_id, site_id, name) "
                        "VALUES ($1, $2, $3, $4) RETURNING g.id, ") +
                kGroupJson,
            scope.partnerId(), orgId, siteId, name);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("a group named \"" + name + "\" already exists there");
    }
    const std::string id = row[0].as<std::string>();
    AuditEvent event = ctx.auditEvent("groups.create", "group", id);
    event.orgId = orgId;
    event.details = {{"name", name}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(nlohmann::json::parse(row[1].c_str()), 201);
}

ApiResponse getGroup(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device group");
    const AccessScope scope = ctx.require(GroupsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows =
        tx.sql().exec_params(std::string("SELECT ") + kGroupJson +
                                 " FROM device_groups g WHERE g.id = $1 AND " + groupScopeSql(scope),
                             id);
    if (rows.empty())
        throw ApiError::notFound("device group");
    return ApiResponse::json(jsonRow(rows[0]));
}

ApiResponse updateGroup(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device group");
    auto fields = ctx.fields();
    const auto name = fields.optionalName("name");
    fields.finish();
    const AccessScope scope = ctx.require(GroupsUpdate);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const SiteRef group = requireGroupPermission(ctx, tx, id, GroupsUpdate);
    pqxx::row row;
    try {
        row = tx.sql().exec_params1(
            std::string("UPDATE device_groups g SET name = coalesce($2, name), updated_at = now() "
                        "WHERE g.id = $1 RETURNING ") +
                kGroupJson,
            id, name);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("a group with that name already exists there");
    }
    AuditEvent event = ctx.auditEvent("groups.update", "group", id);
    event.orgId = group.orgId;
    event.details = ctx.json();
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(jsonRow(row));
}

ApiResponse deleteGroup(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device group");
    const AccessScope scope = ctx.require(GroupsDelete);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const SiteRef group = requireGroupPermission(ctx, tx, id, GroupsDelete);
    // Its devices stay where they are, now outside any group: consoles hear it like any other change.
    tx.sql().exec_params(
        "INSERT INTO device_events (partner_id, org_id, site_id, device_id, kind, detail) "
        "SELECT d.partner_id, d.org_id, d.site_id, d.id, 'updated', "
        "jsonb_build_object('group_id', NULL, 'by', $2::text) FROM devices d WHERE d.group_id = $1",
        id, ctx.principal().label);
    tx.sql().exec_params("DELETE FROM device_groups g WHERE g.id = $1", id);
    AuditEvent event = ctx.auditEvent("groups.delete", "group", id);
    event.orgId = group.orgId;
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}
} // namespace

void registerTenancyRoutes(Router& router) {
    router.add({"GET", "/api/v1/partners", "", RouteAccess::Authenticated, listPartners});
    router.add({"GET", "/api/v1/partners/{id}", "", RouteAccess::Authenticated, getPartner});
    router.add(
        {"PATCH", "/api/v1/partners/{id}", "partners.update", RouteAccess::Authenticated, updatePartner});
    router.add({"GET", "/api/v1/orgs", "", RouteAccess::Authenticated, listOrgs});
    router.add({"POST", "/api/v1/orgs", "orgs.create", RouteAccess::Authenticated, createOrg});
    router.add({"GET", "/api/v1/orgs/{id}", "", RouteAccess::Authenticated, getOrg});
    router.add({"PATCH", "/api/v1/orgs/{id}", "orgs.update", RouteAccess::Authenticated, updateOrg});
    router.add({"DELETE", "/api/v1/orgs/{id}", "orgs.delete", RouteAccess::Authenticated, deleteOrg});
    router.add({"GET", "/api/v1/sites", "", RouteAccess::Authenticated, listSites});
    router.add({"POST", "/api/v1/sites", "sites.create", RouteAccess::Authenticated, createSite});
    router.add({"GET", "/api/v1/sites/{id}", "", RouteAccess::Authenticated, getSite});
    router.add({"PATCH", "/api/v1/sites/{id}", "sites.update", RouteAccess::Authenticated, updateSite});
    router.add({"DELETE", "/api/v1/sites/{id}", "sites.delete", RouteAccess::Authenticated, deleteSite});
    router.add({"GET", "/api/v1/groups", "", RouteAccess::Authenticated, listGroups});
    router.add({"POST", "/api/v1/groups", "groups.create", RouteAccess::Authenticated, createGroup});
    router.add({"GET", "/api/v1/groups/{id}", "", RouteAccess::Authenticated, getGroup});
    router.add({"PATCH", "/api/v1/groups/{id}", "groups.update", RouteAccess::Authenticated, updateGroup});
    router.add({"DELETE", "/api/v1/groups/{id}", "groups.delete", RouteAccess::Authenticated, deleteGroup});
}

} // namespace breeze::server
