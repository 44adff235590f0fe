#include "tenancy/TenantLookup.h"

#include "http/ApiError.h"
#include "http/RequestContext.h"

namespace breeze::server {

void requireOrgPermission(RequestContext& ctx, ScopedTransaction& tx, const std::string& orgId,
                          const Permission& permission) {
    const Principal& principal = ctx.principal();
    const AccessScope readScope = principal.scopeFor(permissions::OrgsRead);
    const AccessScope scope = principal.scopeFor(permission);
    const bool visible = (readScope.allowsOrg(orgId) || scope.allowsOrg(orgId)) &&
                         !tx.sql()
                              .exec_params("SELECT 1 FROM organizations WHERE id = $1 AND partner_id = $2",
                                           orgId, principal.partnerId)
                              .empty();
    if (!visible)
        throw ApiError::notFound("organisation");
    if (!scope.allowsWholeOrg(orgId))
        throw ApiError::forbidden("this needs the " + permission.key() +
                                  " permission on the whole organisation");
}

SiteRef requireSitePermission(RequestContext& ctx, ScopedTransaction& tx, const std::string& siteId,
                              const Permission& permission) {
    const Principal& principal = ctx.principal();
    const auto rows = tx.sql().exec_params("SELECT org_id FROM sites WHERE id = $1 AND partner_id = $2",
                                           siteId, principal.partnerId);
    if (rows.empty())
        throw ApiError::notFound("site");
    SiteRef site{rows[0]["org_id"].as<std::string>()};
    const AccessScope scope = principal.scopeFor(permission);
    if (!principal.scopeFor(permissions::SitesRead).allowsSite(site.orgId, siteId) &&
        !scope.allowsSite(site.orgId, siteId))
        throw ApiError::notFound("site");
    if (!scope.allowsSite(site.orgId, siteId))
        throw ApiError::forbidden("this needs the " + permission.key() + " permission on the site");
    return site;
}

std::string groupScopeSql(const AccessScope& scope) {
    return "(" + scope.sqlSite("g.partner_id", "g.org_id", "g.site_id") + " OR (g.site_id IS NULL AND " +
           scope.sqlOrg("g.partner_id", "g.org_id") + "))";
}

SiteRef requireGroupPermission(RequestContext& ctx, ScopedTransaction& tx, const std::string& groupId,
                               const Permission& permission) {
    const AccessScope readScope = ctx.principal().scopeFor(permissions::GroupsRead);
    const auto rows = tx.sql().exec_params(
        "SELECT g.org_id, g.site_id FROM device_groups g WHERE g.id = $1 AND " + groupScopeSql(readScope),
        groupId);
    if (readScope.isEmpty() || rows.empty())
        throw ApiError::notFound("device group");
    const std::string orgId = rows[0]["org_id"].as<std::string>();
    const AccessScope scope = ctx.principal().scopeFor(permission);
    const auto site = rows[0]["site_id"];
    const bool allowed =
        site.is_null() ? scope.allowsWholeOrg(orgId) : scope.allowsSite(orgId, site.as<std::string>());
    if (!allowed)
        throw ApiError::forbidden("this needs the " + permission.key() + " permission on the group");
    return {orgId};
}

} // namespace breeze::server
