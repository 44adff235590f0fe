#pragma once

#include "auth/AccessScope.h"
#include "auth/Permission.h"

#include <string>

namespace breeze::server {

class RequestContext;
class ScopedTransaction;

struct DeviceRef {
    std::string partnerId;
    std::string orgId;
    std::string siteId;
};

// "d" is the devices alias every device query uses.
std::string deviceScopeSql(const AccessScope& scope);

// 404 unless the caller can read the device; 403 unless `permission` covers its site.
DeviceRef requireDevicePermission(RequestContext& ctx, ScopedTransaction& tx, const std::string& id,
                                  const Permission& permission);

} // namespace breeze::server
