#pragma once

#include "auth/AccessScope.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

// Records owned by a partner as a whole or by one of its organisations (alert rules, notification channels):
// partner-wide ones are seen and changed by partner-wide scopes only, an organisation's by those reaching it
// (changed by those reaching all of it).
class OwnerScope {
public:
    // The SQL condition over `alias`.partner_id and `alias`.org_id.
    static std::string sql(const AccessScope& scope, const std::string& alias);
    static bool mayManage(const AccessScope& scope, const std::optional<std::string>& orgId);
    // A record's owner as the API shows it: its "org_id", none when partner-wide.
    static std::optional<std::string> ownerOf(const nlohmann::json& record);
};

} // namespace breeze::server
