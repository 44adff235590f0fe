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
    SiteRef site{rows[0][0].as<std::string>()};
    const AccessScope scope = principal.scopeFor(permission);
    if (!principal.scopeFor(permissions::SitesRead).allowsSite(site.orgId, siteId) &&
        !scope.allowsSite(site.orgId, siteId))
        throw ApiError::notFound("site");
    if (!scope.allowsSite(site.orgId, siteId))
        throw ApiError::forbidden("this needs the " + permission.key() + " permission on the site");
    return site;
}

} // namespace breeze::server
