#include "devices/DeviceAccess.h"

#include "http/ApiError.h"
#include "http/RequestContext.h"

#include <pqxx/pqxx>

namespace breeze::server {

std::string deviceScopeSql(const AccessScope& scope) {
    return scope.sqlSite("d.partner_id", "d.org_id", "d.site_id");
}

DeviceRef requireDevicePermission(RequestContext& ctx, ScopedTransaction& tx, const std::string& id,
                                  const Permission& permission) {
    const AccessScope readScope = ctx.principal().scopeFor(permissions::DevicesRead);
    const auto rows =
        tx.sql().exec_params("SELECT d.partner_id, d.org_id, d.site_id FROM devices d WHERE d.id = $1 AND " +
                                 deviceScopeSql(readScope),
                             id);
    if (readScope.isEmpty() || rows.empty())
        throw ApiError::notFound("device");
    DeviceRef device{rows[0]["partner_id"].as<std::string>(), rows[0]["org_id"].as<std::string>(),
                     rows[0]["site_id"].as<std::string>()};
    if (!ctx.principal().scopeFor(permission).allowsSite(device.orgId, device.siteId))
        throw ApiError::forbidden("this needs the " + permission.key() + " permission on the device's site");
    return device;
}

} // namespace breeze::server
