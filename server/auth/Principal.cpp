#include "auth/Principal.h"

namespace breeze::server {

AccessScope Principal::scopeForKey(const std::string& key) const {
    AccessScope scope(partnerId);
    for (const auto& grant : grants) {
        if (!grant.permissions.contains(key))
            continue;
        if (!grant.orgId)
            scope.grantWholePartner();
        else if (!grant.siteIds)
            scope.grantOrg(*grant.orgId);
        else
            scope.grantSites(*grant.orgId, *grant.siteIds);
    }
    return scope;
}

bool Principal::holdsAnywhere(const Permission& permission) const {
    const std::string key = permission.key();
    for (const auto& grant : grants) {
        if (grant.permissions.contains(key))
            return true;
    }
    return false;
}

} // namespace breeze::server
