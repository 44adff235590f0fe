#include "auth/Delegation.h"

#include "db/PgText.h"
#include "http/ApiError.h"
#include "http/JsonFields.h"

#include <pqxx/pqxx>

namespace breeze::server {

RoleRef findRole(ScopedTransaction& tx, const std::string& partnerId, const std::string& idOrName) {
    const bool byId = isUuid(idOrName);
    const auto rows = tx.sql().exec_params(
        std::string(
            "SELECT r.id, r.name, (SELECT coalesce(string_agg(p.resource || ':' || p.action, ','), '') FROM "
            "role_permissions p WHERE p.role_id = r.id) FROM roles r WHERE (r.partner_id IS NULL OR "
            "r.partner_id = $1) AND ") +
            (byId ? "r.id = $2::uuid" : "r.name = $2"),
        partnerId, idOrName);
    if (rows.empty())
        throw ApiError::badRequest("there is no role \"" + idOrName.substr(0, 64) + "\"");
    const auto permissionList = splitCommaList(rows[0][2].c_str());
    return {rows[0][0].as<std::string>(),
            rows[0][1].as<std::string>(),
            {permissionList.begin(), permissionList.end()}};
}

void requireCanDelegate(const Principal& actor, const RoleRef& role, const std::optional<std::string>& orgId,
                        const std::optional<std::vector<std::string>>& siteIds) {
    for (const auto& permission : role.permissions) {
        const AccessScope scope = actor.scopeForKey(permission);
        bool covered = false;
        if (!orgId) {
            covered = scope.isWholePartner();
        } else if (!siteIds) {
            covered = scope.allowsWholeOrg(*orgId);
        } else {
            // A site list, even an empty one, still gives what lives at the organisation's own level.
            covered = scope.allowsOrg(*orgId);
            for (const auto& site : *siteIds)
                covered = covered && scope.allowsSite(*orgId, site);
        }
        if (!covered)
            throw ApiError::forbidden("you cannot grant the role " + role.name + ": it includes " +
                                      permission + ", which you do not hold over that scope");
    }
}

void requireCanManage(ScopedTransaction& tx, const Principal& actor, const std::string& userId) {
    pqxx::result rows;
    {
        ScopedTransaction::SystemSection system(tx, SystemAccess{"read every grant of a user being managed"});
        rows = tx.sql().exec_params(
            "SELECT r.id, r.name, (SELECT coalesce(string_agg(p.resource || ':' || p.action, ','), '') FROM "
            "role_permissions p WHERE p.role_id = r.id), g.org_id, g.site_ids IS NULL, "
            "array_to_string(g.site_ids, ',') FROM user_grants g JOIN roles r ON r.id = g.role_id "
            "WHERE g.user_id = $1",
            userId);
    }
    for (const auto& row : rows) {
        const auto permissionList = splitCommaList(row[2].c_str());
        const RoleRef role{row[0].as<std::string>(),
                           row[1].as<std::string>(),
                           {permissionList.begin(), permissionList.end()}};
        std::optional<std::string> orgId;
        if (!row[3].is_null())
            orgId = row[3].as<std::string>();
        std::optional<std::vector<std::string>> siteIds;
        if (!row[4].as<bool>())
            siteIds = splitCommaList(row[5].c_str());
        try {
            requireCanDelegate(actor, role, orgId, siteIds);
        } catch (const ApiError&) {
            throw ApiError::forbidden("this user holds the role " + role.name +
                                      " beyond what you hold, so you cannot change, disable or delete them");
        }
    }
}

} // namespace breeze::server
