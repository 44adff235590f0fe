#pragma once

#include "auth/Permission.h"
#include "db/SqlParams.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

class RequestContext;
class ScopedTransaction;

// Which devices a request aims at (script runs, patch deployments): a list of ids, a site, a device group or
// an organisation, exactly one. The site, group or organisation must be one the caller holds `permission` on;
// the caller adds its own scope filter over "d" to the condition (and checks that every listed id was found).
struct DeviceTargets {
    std::optional<std::vector<std::string>> deviceIds;
    std::optional<std::string> siteId;
    std::optional<std::string> groupId;
    std::optional<std::string> orgId;

    nlohmann::json targets; // as recorded: {"device_ids": [...]}, {"site_id": ...}, ...
    std::string where;      // a condition over devices "d"
    SqlParams params;       // its parameters
    std::size_t listed = 0; // how many distinct ids were listed (0 for a site, group or organisation)

    // 400 unless exactly one kind of target was given; 404/403 as the tenancy checks answer.
    void resolve(RequestContext& ctx, ScopedTransaction& tx, const Permission& permission);
};

} // namespace breeze::server
