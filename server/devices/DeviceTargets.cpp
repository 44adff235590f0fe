#include "devices/DeviceTargets.h"

#include "db/PgText.h"
#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "tenancy/TenantLookup.h"

#include <set>

namespace breeze::server {

void DeviceTargets::resolve(RequestContext& ctx, ScopedTransaction& tx, const Permission& permission) {
    const int given = (deviceIds ? 1 : 0) + (siteId ? 1 : 0) + (groupId ? 1 : 0) + (orgId ? 1 : 0);
    if (given != 1)
        throw ApiError::badRequest(
            "give exactly one target: a list of device ids, a site, a device group or an "
            "organisation");
    if (deviceIds) {
        if (deviceIds->empty())
            throw ApiError::badRequest("\"device_ids\" must name at least one device");
        const std::set<std::string> unique(deviceIds->begin(), deviceIds->end());
        listed = unique.size();
        targets = {{"device_ids", unique}};
        where = "d.id = ANY(" + params.add(uuidArrayLiteral(unique)) + "::uuid[])";
    } else if (siteId) {
        requireSitePermission(ctx, tx, *siteId, permission);
        targets = {{"site_id", *siteId}};
        where = "d.site_id = " + params.add(*siteId) + "::uuid";
    } else if (groupId) {
        requireGroupPermission(ctx, tx, *groupId, permission);
        targets = {{"group_id", *groupId}};
        where = "d.group_id = " + params.add(*groupId) + "::uuid";
    } else {
        requireOrgPermission(ctx, tx, *orgId, permission);
        targets = {{"org_id", *orgId}};
        where = "d.org_id = " + params.add(*orgId) + "::uuid";
    }
}

} // namespace breeze::server
