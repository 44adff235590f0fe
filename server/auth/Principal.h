#pragma once

#include "auth/AccessScope.h"
#include "auth/Permission.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace breeze::server {

// One role granted to a user or API key: on the whole partner (no org), an organisation, or some of its
// sites.
struct Grant {
    std::string roleId;
    std::string roleName;
    std::optional<std::string> orgId;
    std::optional<std::vector<std::string>> siteIds;
    std::set<std::string> permissions; // "orgs:read", ...
};

// Who is making a request, and what they may do where.
struct Principal {
    enum class Kind { User, ApiKey };

    Kind kind = Kind::User;
    std::string id;
    std::string partnerId;
    std::string label; // e-mail or key name, for the audit log
    std::string sessionId;
    // An API key's maker (the person a key made by a key leads back to); "" when none is known.
    std::string ownerUserId;
    bool mfaEnrollmentOnly = false;
    std::vector<Grant> grants;

    std::string actorType() const { return kind == Kind::User ? "user" : "api_key"; }
    AccessScope scopeFor(const Permission& permission) const { return scopeForKey(permission.key()); }
    AccessScope scopeForKey(const std::string& permissionKey) const;
    bool holdsAnywhere(const Permission& permission) const;
};

} // namespace breeze::server
