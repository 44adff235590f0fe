#pragma once

#include "auth/Permission.h"
#include "db/ScopedTransaction.h"

#include <string>

namespace breeze::server {

class RequestContext;

struct SiteRef {
    std::string orgId;
};

// Checks that an organisation or site named by a request exists inside the caller's partner and is one the
// caller can see (404 otherwise, so other tenants' ids reveal nothing), then that `permission` covers it
// (403). A whole-partner scope "allows" any id, so this existence check is what keeps ids of other partners
// out.
void requireOrgPermission(RequestContext& ctx, ScopedTransaction& tx, const std::string& orgId,
                          const Permission& permission);
SiteRef requireSitePermission(RequestContext& ctx, ScopedTransaction& tx, const std::string& siteId,
                              const Permission& permission);

// Device groups ("g"): visible by their site, or by their organisation when they span it.
std::string groupScopeSql(const AccessScope& scope);
// 404 unless the caller can read the group; 403 unless `permission` covers its site (or whole organisation).
SiteRef requireGroupPermission(RequestContext& ctx, ScopedTransaction& tx, const std::string& groupId,
                               const Permission& permission);

} // namespace breeze::server
