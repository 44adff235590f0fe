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
            "role_permissions p WHERE p.role_id = r.id) AS permissions FROM roles r WHERE (r.partner_id IS "
            "NULL OR "
            "r.partner_id = $1) AND ") +
            (byId ? "r.id = $2::uuid" : "r.name = $2"),
        partnerId, idOrName);
    if (rows.empty())
        throw ApiError::badRequest("there is no role \"" + idOrName.substr(0, 64) + "\"");
    const auto permissionList = splitCommaList(rows[0]["permissions"].c_str());
    return {rows[0]["id"].as<std::string>(),
            rows[0]["name"].as<std::string>(),
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
            "role_permissions p WHERE p.role_id = r.id) AS permissions, g.org_id, g.site_ids IS NULL AS "
            "whole_org, "
            "array_to_string(g.site_ids, ',') AS site_ids FROM user_grants g JOIN roles r ON r.id = "
            "g.role_id "
            "WHERE g.user_id = $1",
            userId);
    }
    for (const auto& row : rows) {
        const auto permissionList = splitCommaList(row["permissions"].c_str());
        const RoleRef role{row["id"].as<std::string>(),
                           row["name"].as<std::string>(),
                           {permissionList.begin(), permissionList.end()}};
        std::optional<std::string> orgId;
        if (!row["org_id"].is_null())
            orgId = row["org_id"].as<std::string>();
        std::optional<std::vector<std::string>> siteIds;
        if (!row["whole_org"].as<bool>())
            siteIds = splitCommaList(row["site_ids"].c_str());
        try {
            requireCanDelegate(actor, role, orgId, siteIds);
        } catch (const ApiError&) {
            throw ApiError::forbidden("this user holds the role " + role.name +
                                      " beyond what you hold, so you cannot change, disable or delete them");
        }
    }
}

} // namespace breeze::server
