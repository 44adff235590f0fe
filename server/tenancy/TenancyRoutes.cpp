#include "tenancy/TenancyRoutes.h"

#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "tenancy/TenancyStore.h"
#include "tenancy/TenantLookup.h"

#include <pqxx/except>

namespace breeze::server {

namespace {
using namespace permissions;

std::optional<std::string> textQuery(const RequestContext& ctx, const std::string& name) {
    auto value = ctx.query(name);
    if (value && value->size() > 200)
        throw ApiError::badRequest(name + " is too long");
    return value;
}

std::string orgScopeSql(const AccessScope& scope) {
    return scope.sqlOrg("o.partner_id", "o.id");
}
std::string siteScopeSql(const AccessScope& scope) {
    return scope.sqlSite("s.partner_id", "s.org_id", "s.id");
}

void requireKnownTimezone(TenancyStore& store, const std::string& timezone) {
    if (!store.timezoneExists(timezone))
        throw ApiError::badRequest("\"timezone\" must be an IANA time zone such as Europe/Berlin");
}

// ---- partner ----

// A caller belongs to exactly one partner; any other partner id answers 404 like an unknown one.
std::string ownPartnerId(RequestContext& ctx, const AccessScope& scope) {
    std::string id = ctx.pathId("id", "partner");
    if (id != scope.partnerId())
        throw ApiError::notFound("partner");
    return id;
}

ApiResponse listPartners(RequestContext& ctx) {
    const AccessScope scope = ctx.require(PartnerRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    nlohmann::json items = nlohmann::json::array();
    if (auto partner = TenancyStore(tx).findPartner(scope.partnerId()))
        items.push_back(std::move(*partner));
    return ApiResponse::json({{"items", std::move(items)}, {"next_cursor", nullptr}});
}

ApiResponse getPartner(RequestContext& ctx) {
    const AccessScope scope = ctx.require(PartnerRead);
    const std::string id = ownPartnerId(ctx, scope);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    auto partner = TenancyStore(tx).findPartner(id);
    if (!partner)
        throw ApiError::notFound("partner");
    return ApiResponse::json(*partner);
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
    auto partner = TenancyStore(tx).updatePartner(id, name, requireMfa);
    AuditEvent event = ctx.auditEvent("partners.update", "partner", id);
    event.details = ctx.json();
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(partner);
}

// ---- organisations ----

ApiResponse listOrgs(RequestContext& ctx) {
    const AccessScope scope = ctx.require(OrgsRead);
    Pagination pagination(ctx);
    const auto name = textQuery(ctx, "name");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(TenancyStore(tx).listOrgs(name, pagination, orgScopeSql(scope)));
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
    nlohmann::json org;
    try {
        org = TenancyStore(tx).insertOrg(scope.partnerId(), name, approval);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("an organisation named \"" + name + "\" already exists");
    }
    const std::string id = org["id"];
    AuditEvent event = ctx.auditEvent("orgs.create", "org", id);
    event.orgId = id;
    event.details = {{"name", name}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(org, 201);
}

ApiResponse getOrg(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "organisation");
    const AccessScope scope = ctx.require(OrgsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    auto org = TenancyStore(tx).findOrg(id, orgScopeSql(scope));
    if (!org)
        throw ApiError::notFound("organisation");
    return ApiResponse::json(*org);
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
    nlohmann::json org;
    try {
        org = TenancyStore(tx).updateOrg(id, name, approval, orgScopeSql(scope));
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("an organisation with that name already exists");
    }
    AuditEvent event = ctx.auditEvent("orgs.update", "org", id);
    event.orgId = id;
    event.details = ctx.json();
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(org);
}

ApiResponse deleteOrg(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "organisation");
    const AccessScope scope = ctx.require(OrgsDelete);
    const bool cascade = ctx.query("cascade").value_or("") == "true";
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireOrgPermission(ctx, tx, id, OrgsDelete);
    TenancyStore store(tx);
    // Sites, groups, keys and the organisation's own users go with it: make the caller say so.
    const auto contents = store.orgContents(id);
    if ((contents.sites > 0 || contents.users > 0) && !cascade)
        throw ApiError::conflict("the organisation still has " + std::to_string(contents.sites) +
                                 " site(s) and " + std::to_string(contents.users) +
                                 " user(s); delete them first or pass cascade=true");
    store.deleteOrg(id, orgScopeSql(scope));
    AuditEvent event = ctx.auditEvent("orgs.delete", "org", id);
    event.details = {{"cascade", cascade}, {"sites", contents.sites}, {"users", contents.users}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}

// ---- sites ----

ApiResponse listSites(RequestContext& ctx) {
    const AccessScope scope = ctx.require(SitesRead);
    Pagination pagination(ctx);
    const auto org = ctx.uuidQuery("org");
    const auto name = textQuery(ctx, "name");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(TenancyStore(tx).listSites(org, name, pagination, siteScopeSql(scope)));
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
    TenancyStore store(tx);
    requireKnownTimezone(store, timezone);
    nlohmann::json site;
    try {
        site = store.insertSite(scope.partnerId(), orgId, name, timezone);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("the organisation already has a site named \"" + name + "\"");
    }
    const std::string id = site["id"];
    AuditEvent event = ctx.auditEvent("sites.create", "site", id);
    event.orgId = orgId;
    event.details = {{"name", name}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(site, 201);
}

ApiResponse getSite(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "site");
    const AccessScope scope = ctx.require(SitesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    auto site = TenancyStore(tx).findSite(id, siteScopeSql(scope));
    if (!site)
        throw ApiError::notFound("site");
    return ApiResponse::json(*site);
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
    const SiteRef ref = requireSitePermission(ctx, tx, id, SitesUpdate);
    TenancyStore store(tx);
    if (timezone)
        requireKnownTimezone(store, *timezone);
    nlohmann::json site;
    try {
        site = store.updateSite(id, name, timezone, siteScopeSql(scope));
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("the organisation already has a site with that name");
    }
    AuditEvent event = ctx.auditEvent("sites.update", "site", id);
    event.orgId = ref.orgId;
    event.details = ctx.json();
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(site);
}

ApiResponse deleteSite(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "site");
    const AccessScope scope = ctx.require(SitesDelete);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const SiteRef site = requireSitePermission(ctx, tx, id, SitesDelete);
    TenancyStore(tx).deleteSite(id, siteScopeSql(scope));
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
    const auto org = ctx.uuidQuery("org");
    const auto site = ctx.uuidQuery("site");
    const auto name = textQuery(ctx, "name");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(TenancyStore(tx).listGroups(org, site, name, pagination, groupScopeSql(scope)));
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
    nlohmann::json group;
    try {
        group = TenancyStore(tx).insertGroup(scope.partnerId(), orgId, siteId, name);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("a group named \"" + name + "\" already exists there");
    }
    const std::string id = group["id"];
    AuditEvent event = ctx.auditEvent("groups.create", "group", id);
    event.orgId = orgId;
    event.details = {{"name", name}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(group, 201);
}

ApiResponse getGroup(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device group");
    const AccessScope scope = ctx.require(GroupsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    auto group = TenancyStore(tx).findGroup(id, groupScopeSql(scope));
    if (!group)
        throw ApiError::notFound("device group");
    return ApiResponse::json(*group);
}

ApiResponse updateGroup(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device group");
    auto fields = ctx.fields();
    const auto name = fields.optionalName("name");
    fields.finish();
    const AccessScope scope = ctx.require(GroupsUpdate);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const SiteRef ref = requireGroupPermission(ctx, tx, id, GroupsUpdate);
    nlohmann::json group;
    try {
        group = TenancyStore(tx).updateGroup(id, name);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("a group with that name already exists there");
    }
    AuditEvent event = ctx.auditEvent("groups.update", "group", id);
    event.orgId = ref.orgId;
    event.details = ctx.json();
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(group);
}

ApiResponse deleteGroup(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device group");
    const AccessScope scope = ctx.require(GroupsDelete);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const SiteRef group = requireGroupPermission(ctx, tx, id, GroupsDelete);
    TenancyStore(tx).deleteGroup(id, ctx.principal().label);
    AuditEvent event = ctx.auditEvent("groups.delete", "group", id);
    event.orgId = group.orgId;
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}
} // namespace

void registerTenancyRoutes(Router& router) {
    router.add({HttpMethod::Get, "/api/v1/partners", "", RouteAccess::Authenticated, listPartners});
    router.add({HttpMethod::Get, "/api/v1/partners/{id}", "", RouteAccess::Authenticated, getPartner});
    router.add({HttpMethod::Patch, "/api/v1/partners/{id}", "partners.update", RouteAccess::Authenticated,
                updatePartner});
    router.add({HttpMethod::Get, "/api/v1/orgs", "", RouteAccess::Authenticated, listOrgs});
    router.add({HttpMethod::Post, "/api/v1/orgs", "orgs.create", RouteAccess::Authenticated, createOrg});
    router.add({HttpMethod::Get, "/api/v1/orgs/{id}", "", RouteAccess::Authenticated, getOrg});
    router.add(
        {HttpMethod::Patch, "/api/v1/orgs/{id}", "orgs.update", RouteAccess::Authenticated, updateOrg});
    router.add(
        {HttpMethod::Delete, "/api/v1/orgs/{id}", "orgs.delete", RouteAccess::Authenticated, deleteOrg});
    router.add({HttpMethod::Get, "/api/v1/sites", "", RouteAccess::Authenticated, listSites});
    router.add({HttpMethod::Post, "/api/v1/sites", "sites.create", RouteAccess::Authenticated, createSite});
    router.add({HttpMethod::Get, "/api/v1/sites/{id}", "", RouteAccess::Authenticated, getSite});
    router.add(
        {HttpMethod::Patch, "/api/v1/sites/{id}", "sites.update", RouteAccess::Authenticated, updateSite});
    router.add(
        {HttpMethod::Delete, "/api/v1/sites/{id}", "sites.delete", RouteAccess::Authenticated, deleteSite});
    router.add({HttpMethod::Get, "/api/v1/groups", "", RouteAccess::Authenticated, listGroups});
    router.add(
        {HttpMethod::Post, "/api/v1/groups", "groups.create", RouteAccess::Authenticated, createGroup});
    router.add({HttpMethod::Get, "/api/v1/groups/{id}", "", RouteAccess::Authenticated, getGroup});
    router.add(
        {HttpMethod::Patch, "/api/v1/groups/{id}", "groups.update", RouteAccess::Authenticated, updateGroup});
    router.add({HttpMethod::Delete, "/api/v1/groups/{id}", "groups.delete", RouteAccess::Authenticated,
                deleteGroup});
}

} // namespace breeze::server
