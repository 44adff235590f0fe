#include "users/UserRoutes.h"

#include "auth/Delegation.h"
#include "auth/PasswordPolicy.h"
#include "db/PgText.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "tenancy/TenantLookup.h"

#include <pqxx/except>

namespace breeze::server {

namespace {
using namespace permissions;

constexpr const char* kUserJson =
    "json_build_object('id', u.id, 'email', u.email, 'display_name', u.display_name, 'partner_id', "
    "u.partner_id, "
    "'home_org_id', u.home_org_id, 'mfa_enabled', u.totp_secret_sealed IS NOT NULL, 'mfa_required', "
    "u.mfa_required, "
    "'disabled', u.disabled_at IS NOT NULL, 'last_login_at', u.last_login_at, 'created_at', u.created_at, "
    "'grants', (SELECT coalesce(json_agg(json_build_object('id', g.id, 'role_id', g.role_id, 'role', r.name, "
    "'org_id', g.org_id, 'site_ids', g.site_ids) ORDER BY g.created_at), '[]'::json) FROM user_grants g "
    "JOIN roles r ON r.id = g.role_id WHERE g.user_id = u.id))::text";

constexpr const char* kRoleJson =
    "json_build_object('id', r.id, 'name', r.name, 'description', r.description, 'builtin', r.builtin, "
    "'permissions', (SELECT coalesce(json_agg(p.resource || ':' || p.action ORDER BY p.resource, p.action), "
    "'[]'::json) FROM role_permissions p WHERE p.role_id = r.id))::text";

std::string userScopeSql(const AccessScope& scope) {
    return "((u.home_org_id IS NULL AND " + scope.sqlPartnerWide("u.partner_id") +
           ") OR (u.home_org_id IS NOT NULL AND " + scope.sqlOrg("u.partner_id", "u.home_org_id") + "))";
}

bool coversHome(const AccessScope& scope, const std::optional<std::string>& homeOrg) {
    return homeOrg ? scope.allowsWholeOrg(*homeOrg) : scope.isWholePartner();
}

struct UserRef {
    std::optional<std::string> homeOrg;
};

UserRef requireUserPermission(RequestContext& ctx, ScopedTransaction& tx, const std::string& userId,
                              const Permission& permission) {
    const AccessScope readScope = ctx.principal().scopeFor(UsersRead);
    const auto rows = tx.sql().exec_params(
        "SELECT u.home_org_id FROM users u WHERE u.id = $1 AND " + userScopeSql(readScope), userId);
    if (readScope.isEmpty() || rows.empty())
        throw ApiError::notFound("user");
    UserRef user;
    if (!rows[0][0].is_null())
        user.homeOrg = rows[0][0].as<std::string>();
    if (!coversHome(ctx.principal().scopeFor(permission), user.homeOrg))
        throw ApiError::forbidden("this needs the " + permission.key() +
                                  " permission over the user's organisation");
    return user;
}

// The grant's site list as a PostgreSQL array, after checking every site belongs to the organisation.
std::optional<std::string> siteArrayOf(ScopedTransaction& tx, const std::optional<std::string>& orgId,
                                       const std::optional<std::vector<std::string>>& siteIds) {
    if (!siteIds)
        return std::nullopt;
    for (const auto& site : *siteIds) {
        if (tx.sql().exec_params("SELECT 1 FROM sites WHERE id = $1 AND org_id = $2", site, *orgId).empty())
            throw ApiError::badRequest("site " + site + " is not a site of that organisation");
    }
    return uuidArrayLiteral(*siteIds);
}

nlohmann::json fetchUser(ScopedTransaction& tx, const std::string& id) {
    return jsonRow(
        tx.sql().exec_params1(std::string("SELECT ") + kUserJson + " FROM users u WHERE u.id = $1", id));
}

ApiResponse listUsers(RequestContext& ctx) {
    const AccessScope scope = ctx.require(UsersRead);
    Pagination pagination(ctx);
    SqlParams params;
    std::string sql =
        std::string("SELECT ") + kUserJson + ", lower(u.email) FROM users u WHERE " + userScopeSql(scope);
    if (auto org = ctx.uuidQuery("org")) {
        sql += " AND u.home_org_id = " + params.add(*org) + "::uuid";
    }
    if (auto email = ctx.query("email"))
        sql += " AND lower(u.email) = lower(" + params.add(email->substr(0, 254)) + ")";
    sql += pagination.sqlAfter(params, "lower(u.email)", "u.id") + " ORDER BY lower(u.email), u.id" +
           pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
}

ApiResponse createUser(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string email = fields.requiredString("email", 3, 254);
    const std::string password = fields.requiredString("password", 1, 1024);
    const std::string displayName = fields.optionalName("display_name").value_or("");
    const auto homeOrg = fields.optionalUuid("org_id");
    const std::string roleName = fields.requiredString("role", 1, 64);
    const auto siteIds = fields.optionalUuidList("site_ids", 1000);
    const bool mfaRequired = fields.optionalBool("mfa_required").value_or(false);
    fields.finish();
    if (email.find('@') == std::string::npos || email.find_first_of(" \t\r\n") != std::string::npos)
        throw ApiError::badRequest("\"email\" must be an e-mail address");
    if (siteIds && !homeOrg)
        throw ApiError::badRequest("\"site_ids\" needs \"org_id\"");
    checkNewPassword(password, email, ctx.server.config.passwordMinLength);

    const AccessScope scope = ctx.require(UsersCreate);
    const std::string passwordHash = ctx.server.hasher.hash(password);
    if (!coversHome(scope, homeOrg))
        throw ApiError::forbidden(
            homeOrg ? "you cannot create users in that organisation"
                    : "creating partner-wide users needs users:create across the whole partner");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    if (homeOrg)
        requireOrgPermission(ctx, tx, *homeOrg, UsersCreate);
    const RoleRef role = findRole(tx, scope.partnerId(), roleName);
    requireCanDelegate(ctx.principal(), role, homeOrg, siteIds);
    const auto siteArray = siteArrayOf(tx, homeOrg, siteIds);
    std::string id;
    try {
        id = tx.sql()
                 .exec_params1(
                     "INSERT INTO users (partner_id, home_org_id, email, display_name, password_hash, "
                     "mfa_required) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                     scope.partnerId(), homeOrg, email, displayName, passwordHash, mfaRequired)[0]
                 .as<std::string>();
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("a user with that e-mail address already exists");
    }
    tx.sql().exec_params("INSERT INTO user_grants (user_id, partner_id, role_id, org_id, site_ids) "
                         "VALUES ($1, $2, $3, $4, $5::uuid[])",
                         id, scope.partnerId(), role.id, homeOrg, siteArray);
    AuditEvent event = ctx.auditEvent("users.create", "user", id);
    event.orgId = homeOrg;
    event.details = {{"email", email}, {"role", role.name}};
    ctx.audit(tx, event);
    const nlohmann::json user = fetchUser(tx, id);
    tx.commit();
    return ApiResponse::json(user, 201);
}

ApiResponse getUser(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "user");
    const AccessScope scope = ctx.require(UsersRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows = tx.sql().exec_params(
        std::string("SELECT ") + kUserJson + " FROM users u WHERE u.id = $1 AND " + userScopeSql(scope), id);
    if (rows.empty())
        throw ApiError::notFound("user");
    return ApiResponse::json(jsonRow(rows[0]));
}

// Disabled or deleted, an account keeps nothing that still works: its sessions end and the API keys it
// made are revoked (a key outliving its maker is how access lingers after someone leaves).
void endAccessOf(ScopedTransaction& tx, const std::string& userId, const std::string& reason) {
    ScopedTransaction::SystemSection system(tx, SystemAccess{"end the access of a disabled or removed user"});
    tx.sql().exec_params("UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $2 "
                         "WHERE user_id = $1 AND revoked_at IS NULL",
                         userId, reason);
    tx.sql().exec_params(
        "UPDATE api_keys SET revoked_at = now() WHERE created_by = $1 AND revoked_at IS NULL", userId);
}

ApiResponse updateUser(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "user");
    auto fields = ctx.fields();
    const auto displayName = fields.optionalName("display_name");
    const auto disabled = fields.optionalBool("disabled");
    const auto mfaRequired = fields.optionalBool("mfa_required");
    const auto password = fields.optionalString("password", 1, 1024);
    fields.finish();
    const AccessScope scope = ctx.require(UsersUpdate);
    std::optional<std::string> hash;
    if (password)
        hash = ctx.server.hasher.hash(*password);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const UserRef user = requireUserPermission(ctx, tx, id, UsersUpdate);
    requireCanManage(tx, ctx.principal(), id);
    if (id == ctx.principal().id && disabled.value_or(false))
        throw ApiError::conflict("you cannot disable your own account");
    if (password) {
        const auto email =
            tx.sql().exec_params1("SELECT email FROM users WHERE id = $1", id)[0].as<std::string>();
        checkNewPassword(*password, email, ctx.server.config.passwordMinLength);
    }
    tx.sql().exec_params("UPDATE users SET display_name = coalesce($2, display_name), mfa_required = "
                         "coalesce($3, mfa_required), "
                         "disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at WHEN $4::boolean THEN "
                         "coalesce(disabled_at, now()) "
                         "ELSE NULL END, password_hash = coalesce($5, password_hash), "
                         "password_changed_at = CASE WHEN $5::text IS NULL THEN password_changed_at ELSE "
                         "now() END, updated_at = now() "
                         "WHERE id = $1",
                         id, displayName, mfaRequired, disabled, hash);
    if (disabled.value_or(false)) {
        endAccessOf(tx, id, "disabled");
    } else if (password) {
        ScopedTransaction::SystemSection system(
            tx, SystemAccess{"end sessions of a user whose password was reset"});
        tx.sql().exec_params(
            "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'changed_by_admin' "
            "WHERE user_id = $1 AND revoked_at IS NULL",
            id);
    }
    AuditEvent event = ctx.auditEvent("users.update", "user", id);
    event.orgId = user.homeOrg;
    event.details = {{"display_name", displayName ? nlohmann::json(*displayName) : nlohmann::json(nullptr)},
                     {"disabled", disabled ? nlohmann::json(*disabled) : nlohmann::json(nullptr)},
                     {"mfa_required", mfaRequired ? nlohmann::json(*mfaRequired) : nlohmann::json(nullptr)},
                     {"password_reset", password.has_value()}};
    ctx.audit(tx, event);
    const nlohmann::json body = fetchUser(tx, id);
    tx.commit();
    return ApiResponse::json(body);
}

ApiResponse deleteUser(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "user");
    const AccessScope scope = ctx.require(UsersDelete);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const UserRef user = requireUserPermission(ctx, tx, id, UsersDelete);
    requireCanManage(tx, ctx.principal(), id);
    if (id == ctx.principal().id)
        throw ApiError::conflict("you cannot delete your own account");
    endAccessOf(tx, id, "deleted");
    tx.sql().exec_params("DELETE FROM users WHERE id = $1", id);
    AuditEvent event = ctx.auditEvent("users.delete", "user", id);
    event.orgId = user.homeOrg;
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}

ApiResponse addGrant(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "user");
    auto fields = ctx.fields();
    const std::string roleName = fields.requiredString("role", 1, 64);
    const auto orgId = fields.optionalUuid("org_id");
    const auto siteIds = fields.optionalUuidList("site_ids", 1000);
    fields.finish();
    if (siteIds && !orgId)
        throw ApiError::badRequest("\"site_ids\" needs \"org_id\"");
    const AccessScope scope = ctx.require(UsersUpdate);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const UserRef user = requireUserPermission(ctx, tx, id, UsersUpdate);
    requireCanManage(tx, ctx.principal(), id);
    if (user.homeOrg && orgId != user.homeOrg)
        throw ApiError::badRequest("users of an organisation can only be granted roles in that organisation");
    if (orgId)
        requireOrgPermission(ctx, tx, *orgId, UsersUpdate);
    const RoleRef role = findRole(tx, scope.partnerId(), roleName);
    requireCanDelegate(ctx.principal(), role, orgId, siteIds);
    const auto siteArray = siteArrayOf(tx, orgId, siteIds);
    std::string grantId;
    try {
        grantId =
            tx.sql()
                .exec_params1("INSERT INTO user_grants (user_id, partner_id, role_id, org_id, site_ids) "
                              "VALUES ($1, $2, $3, $4, $5::uuid[]) RETURNING id",
                              id, scope.partnerId(), role.id, orgId, siteArray)[0]
                .as<std::string>();
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("the user already has that role there");
    }
    AuditEvent event = ctx.auditEvent("users.grant", "user", id);
    event.orgId = orgId;
    event.details = {{"grant_id", grantId}, {"role", role.name}};
    ctx.audit(tx, event);
    const nlohmann::json body = fetchUser(tx, id);
    tx.commit();
    return ApiResponse::json(body, 201);
}

ApiResponse removeGrant(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "user");
    const std::string grantId = ctx.pathId("grant", "grant");
    const AccessScope scope = ctx.require(UsersUpdate);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireUserPermission(ctx, tx, id, UsersUpdate);
    requireCanManage(tx, ctx.principal(), id);
    const auto rows = tx.sql().exec_params(
        "SELECT g.org_id, g.site_ids IS NULL, g.role_id, array_to_string(g.site_ids, ',') FROM user_grants g "
        "WHERE g.id = $1 AND g.user_id = $2",
        grantId, id);
    if (rows.empty())
        throw ApiError::notFound("grant");
    std::optional<std::string> orgId;
    if (!rows[0][0].is_null())
        orgId = rows[0][0].as<std::string>();
    // Taking a role away needs the same standing as giving it (the role the grant holds, by id: a custom
    // role may share a built-in one's name).
    const RoleRef role = findRole(tx, scope.partnerId(), rows[0][2].as<std::string>());
    requireCanDelegate(ctx.principal(), role, orgId, std::nullopt);
    tx.sql().exec_params("DELETE FROM user_grants WHERE id = $1", grantId);
    AuditEvent event = ctx.auditEvent("users.revoke_grant", "user", id);
    event.orgId = orgId;
    event.details = {{"grant_id", grantId}, {"role", role.name}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}

// ---- roles ----

ApiResponse listRoles(RequestContext& ctx) {
    const AccessScope scope = ctx.require(RolesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows =
        tx.sql().exec_params(std::string("SELECT ") + kRoleJson +
                                 " FROM roles r WHERE r.partner_id IS NULL OR r.partner_id = $1 "
                                 "ORDER BY r.builtin DESC, r.name",
                             scope.partnerId());
    return ApiResponse::json({{"items", jsonRows(rows)}, {"next_cursor", nullptr}});
}

ApiResponse getRole(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "role");
    const AccessScope scope = ctx.require(RolesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows = tx.sql().exec_params(
        std::string("SELECT ") + kRoleJson +
            " FROM roles r WHERE r.id = $1 AND (r.partner_id IS NULL OR r.partner_id = $2)",
        id, scope.partnerId());
    if (rows.empty())
        throw ApiError::notFound("role");
    return ApiResponse::json(jsonRow(rows[0]));
}

ApiResponse createRole(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string name = fields.requiredString("name", 1, 64);
    const std::string description = fields.optionalString("description", 0, 500).value_or("");
    const auto permissionList = fields.optionalStringList("permissions", 200, 64);
    if (!permissionList)
        throw ApiError::badRequest("\"permissions\" is required: a list such as [\"orgs:read\"]");
    fields.finish();
    const AccessScope scope = ctx.require(RolesCreate);
    if (!scope.isWholePartner())
        throw ApiError::forbidden("creating roles needs roles:create across the whole partner");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    // Every permission that exists is one some built-in role holds: partner-admin holds them all.
    const RoleRef all = findRole(tx, scope.partnerId(), "partner-admin");
    RoleRef role{"", name, {}};
    for (const auto& item : *permissionList) {
        if (!all.permissions.contains(item))
            throw ApiError::badRequest("unknown permission \"" + item + "\"");
        role.permissions.insert(item);
    }
    requireCanDelegate(ctx.principal(), role, std::nullopt, std::nullopt);
    try {
        role.id =
            tx.sql()
                .exec_params1(
                    "INSERT INTO roles (partner_id, name, description) VALUES ($1, $2, $3) RETURNING id",
                    scope.partnerId(), name, description)[0]
                .as<std::string>();
    } catch (const pqxx::check_violation&) {
        throw ApiError::badRequest(
            "\"name\" must be lower-case letters, digits and '-', starting with a letter");
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("a role named \"" + name + "\" already exists");
    }
    for (const auto& permission : role.permissions) {
        const auto colon = permission.find(':');
        tx.sql().exec_params("INSERT INTO role_permissions (role_id, resource, action) VALUES ($1, $2, $3)",
                             role.id, permission.substr(0, colon), permission.substr(colon + 1));
    }
    AuditEvent event = ctx.auditEvent("roles.create", "role", role.id);
    event.details = {{"name", name}, {"permissions", role.permissions}};
    ctx.audit(tx, event);
    const auto row =
        tx.sql().exec_params1(std::string("SELECT ") + kRoleJson + " FROM roles r WHERE r.id = $1", role.id);
    tx.commit();
    return ApiResponse::json(jsonRow(row), 201);
}

ApiResponse deleteRole(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "role");
    const AccessScope scope = ctx.require(RolesDelete);
    if (!scope.isWholePartner())
        throw ApiError::forbidden("deleting roles needs roles:delete across the whole partner");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows =
        tx.sql().exec_params("SELECT builtin FROM roles WHERE id = $1 AND (partner_id IS NULL OR "
                             "partner_id = $2)",
                             id, scope.partnerId());
    if (rows.empty())
        throw ApiError::notFound("role");
    if (rows[0][0].as<bool>())
        throw ApiError::conflict("built-in roles cannot be deleted");
    try {
        tx.sql().exec_params("DELETE FROM roles WHERE id = $1 AND partner_id = $2", id, scope.partnerId());
    } catch (const pqxx::foreign_key_violation&) {
        throw ApiError::conflict("the role is still granted to users or API keys");
    }
    ctx.audit(tx, ctx.auditEvent("roles.delete", "role", id));
    tx.commit();
    return ApiResponse::noContent();
}
} // namespace

void registerUserRoutes(Router& router) {
    router.add({"GET", "/api/v1/users", "", RouteAccess::Authenticated, listUsers});
    router.add({"POST", "/api/v1/users", "users.create", RouteAccess::Authenticated, createUser});
    router.add({"GET", "/api/v1/users/{id}", "", RouteAccess::Authenticated, getUser});
    router.add({"PATCH", "/api/v1/users/{id}", "users.update", RouteAccess::Authenticated, updateUser});
    router.add({"DELETE", "/api/v1/users/{id}", "users.delete", RouteAccess::Authenticated, deleteUser});
    router.add({"POST", "/api/v1/users/{id}/grants", "users.grant", RouteAccess::Authenticated, addGrant});
    router.add({"DELETE", "/api/v1/users/{id}/grants/{grant}", "users.revoke_grant",
                RouteAccess::Authenticated, removeGrant});
    router.add({"GET", "/api/v1/roles", "", RouteAccess::Authenticated, listRoles});
    router.add({"POST", "/api/v1/roles", "roles.create", RouteAccess::Authenticated, createRole});
    router.add({"GET", "/api/v1/roles/{id}", "", RouteAccess::Authenticated, getRole});
    router.add({"DELETE", "/api/v1/roles/{id}", "roles.delete", RouteAccess::Authenticated, deleteRole});
}

} // namespace breeze::server
