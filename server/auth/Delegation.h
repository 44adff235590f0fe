#pragma once

#include "auth/Principal.h"
#include "db/ScopedTransaction.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace breeze::server {

struct RoleRef {
    std::string id;
    std::string name;
    std::set<std::string> permissions;
};

// Finds a role by id or name among the built-in roles and the partner's own; 400 when there is none.
RoleRef findRole(ScopedTransaction& tx, const std::string& partnerId, const std::string& idOrName);

// Nobody hands out more than they hold: every permission of the role must be the caller's own over the whole
// target (the partner, an organisation, or the listed sites). 403 naming the first missing permission
// otherwise.
void requireCanDelegate(const Principal& actor, const RoleRef& role, const std::optional<std::string>& orgId,
                        const std::optional<std::vector<std::string>>& siteIds);

// Nobody manages someone who outranks them: to change, reset, disable or delete a user, the actor must be
// able to grant every role the user holds, where the user holds it (read with system access, so grants in
// places the actor cannot see count too). 403 naming the first grant beyond the actor otherwise.
void requireCanManage(ScopedTransaction& tx, const Principal& actor, const std::string& userId);

} // namespace breeze::server
