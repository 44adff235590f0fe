#include "users/UserRoutes.h"

#include "auth/Delegation.h"
#include "auth/PasswordPolicy.h"
#include "db/PgText.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "tenancy/TenantLookup.h"
#include "users/RoleStore.h"
#include "users/UserStore.h"

#include <pqxx/except>

namespace breeze::server {

namespace {
using namespace permissions;

bool coversHome(const AccessScope& scope, const std::optional<std::string>& homeOrg) {
    return homeOrg ? scope.allowsWholeOrg(*homeOrg) : scope.isWholePartner();
}

UserStore::Home requireUserPermission(RequestContext& ctx, ScopedTransaction& tx, const std::string& userId,
                                      const Permission& permission) {
    const AccessScope readScope = ctx.principal().scopeFor(UsersRead);
    const auto home = UserStore(tx).findHome(userId, UserStore::scopeSql(readScope));
    if (readScope.isEmpty() || !home)
        throw ApiError::notFound("user");
    if (!coversHome(ctx.principal().scopeFor(permission), home->orgId))
        throw ApiError::forbidden("this needs the " + permission.key() +
                                  " permission over the user's organisation");
    return *home;
}

// The grant's site list as a PostgreSQL array, after checking every site belongs to the organisation.
std::optional<std::string> siteArrayOf(ScopedTransaction& tx, const std::optional<std::string>& orgId,
                                       const std::optional<std::vector<std::string>>& siteIds) {
    if (!siteIds)
        return std::nullopt;
    UserStore users(tx);
    for (const auto& site : *siteIds) {
        if (!users.siteInOrg(site, *orgId))
            throw ApiError::badRequest("site " + site + " is not a site of that organisation");
    }
    return uuidArrayLiteral(*siteIds);
}

ApiResponse listUsers(RequestContext& ctx) {
    const AccessScope scope = ctx.require(UsersRead);
    Pagination pagination(ctx);
    const auto org = ctx.uuidQuery("org");
    auto email = ctx.query("email");
    if (email)
        email = email->substr(0, 254);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(UserStore(tx).list(org, email, pagination, UserStore::scopeSql(scope)));
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
    UserStore users(tx);
    std::string id;
    try {
        id = users.insert({scope.partnerId(), homeOrg, email, displayName, passwordHash, mfaRequired});
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("a user with that e-mail address already exists");
    }
    users.insertGrant(id, scope.partnerId(), role.id, homeOrg, siteArray);
    AuditEvent event = ctx.auditEvent("users.create", "user", id);
    event.orgId = homeOrg;
    event.details = {{"email", email}, {"role", role.name}};
    ctx.audit(tx, event);
    const nlohmann::json user = users.user(id);
    tx.commit();
    return ApiResponse::json(user, 201);
}

ApiResponse getUser(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "user");
    const AccessScope scope = ctx.require(UsersRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    auto user = UserStore(tx).find(id, UserStore::scopeSql(scope));
    if (!user)
        throw ApiError::notFound("user");
    return ApiResponse::json(*user);
}

ApiResponse updateUser(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "user");
    auto fields = ctx.fields();
    UserStore::Change change;
    change.displayName = fields.optionalName("display_name");
    change.disabled = fields.optionalBool("disabled");
    change.mfaRequired = fields.optionalBool("mfa_required");
    const auto password = fields.optionalString("password", 1, 1024);
    fields.finish();
    const AccessScope scope = ctx.require(UsersUpdate);
    if (password)
        change.passwordHash = ctx.server.hasher.hash(*password);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto home = requireUserPermission(ctx, tx, id, UsersUpdate);
    requireCanManage(tx, ctx.principal(), id);
    const bool disabling = change.disabled.value_or(false);
    if (id == ctx.principal().id && disabling)
        throw ApiError::conflict("you cannot disable your own account");
    UserStore users(tx);
    if (password)
        checkNewPassword(*password, users.email(id), ctx.server.config.passwordMinLength);
    users.update(id, change);
    // Disabled, an account keeps nothing that still works; a reset password ends the sessions of the old one.
    if (disabling)
        users.endAccess(id, "disabled");
    else if (password)
        users.endSessions(id, "changed_by_admin");
    AuditEvent event = ctx.auditEvent("users.update", "user", id);
    event.orgId = home.orgId;
    const auto orNull = [](const auto& value) {
        return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
    };
    event.details = {{"display_name", orNull(change.displayName)},
                     {"disabled", orNull(change.disabled)},
                     {"mfa_required", orNull(change.mfaRequired)},
                     {"password_reset", password.has_value()}};
    ctx.audit(tx, event);
    const nlohmann::json body = users.user(id);
    tx.commit();
    return ApiResponse::json(body);
}

ApiResponse deleteUser(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "user");
    const AccessScope scope = ctx.require(UsersDelete);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto home = requireUserPermission(ctx, tx, id, UsersDelete);
    requireCanManage(tx, ctx.principal(), id);
    if (id == ctx.principal().id)
        throw ApiError::conflict("you cannot delete your own account");
    UserStore users(tx);
    users.endAccess(id, "deleted");
    users.remove(id);
    AuditEvent event = ctx.auditEvent("users.delete", "user", id);
    event.orgId = home.orgId;
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
    const auto home = requireUserPermission(ctx, tx, id, UsersUpdate);
    requireCanManage(tx, ctx.principal(), id);
    if (home.orgId && orgId != home.orgId)
        throw ApiError::badRequest("users of an organisation can only be granted roles in that organisation");
    if (orgId)
        requireOrgPermission(ctx, tx, *orgId, UsersUpdate);
    const RoleRef role = findRole(tx, scope.partnerId(), roleName);
    requireCanDelegate(ctx.principal(), role, orgId, siteIds);
    const auto siteArray = siteArrayOf(tx, orgId, siteIds);
    UserStore users(tx);
    std::string grantId;
    try {
        grantId = users.insertGrant(id, scope.partnerId(), role.id, orgId, siteArray);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("the user already has that role there");
    }
    AuditEvent event = ctx.auditEvent("users.grant", "user", id);
    event.orgId = orgId;
    event.details = {{"grant_id", grantId}, {"role", role.name}};
    ctx.audit(tx, event);
    const nlohmann::json body = users.user(id);
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
    UserStore users(tx);
    const auto grant = users.findGrant(grantId, id);
    if (!grant)
        throw ApiError::notFound("grant");
    // Taking a role away needs the same standing as giving it (the role the grant holds, by id: a custom
    // role may share a built-in one's name).
    const RoleRef role = findRole(tx, scope.partnerId(), grant->roleId);
    requireCanDelegate(ctx.principal(), role, grant->orgId, std::nullopt);
    users.removeGrant(grantId);
    AuditEvent event = ctx.auditEvent("users.revoke_grant", "user", id);
    event.orgId = grant->orgId;
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
    return ApiResponse::json({{"items", RoleStore(tx).list(scope.partnerId())}, {"next_cursor", nullptr}});
}

ApiResponse getRole(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "role");
    const AccessScope scope = ctx.require(RolesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    auto role = RoleStore(tx).find(id, scope.partnerId());
    if (!role)
        throw ApiError::notFound("role");
    return ApiResponse::json(*role);
}

ApiResponse createRole(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string name = fields.requiredString("name", 1, 64);
    const std::string description = fields.optionalString("description", 0, 500).value_or("");
    const auto permissionList = fields.optionalStringList("permissions", 200, 64);
    const auto filesRoot = fields.optionalString("files_root", 1, 1024);
    if (filesRoot && (!filesRoot->starts_with('/') || filesRoot->find("..") != std::string::npos))
        throw ApiError::badRequest("\"files_root\" must be an absolute folder without \"..\"");
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
    RoleStore roles(tx);
    try {
        role.id = roles.insert(scope.partnerId(), name, description, filesRoot);
    } catch (const pqxx::check_violation&) {
        throw ApiError::badRequest(
            "\"name\" must be lower-case letters, digits and '-', starting with a letter");
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("a role named \"" + name + "\" already exists");
    }
    for (const auto& permission : role.permissions)
        roles.addPermission(role.id, permission);
    AuditEvent event = ctx.auditEvent("roles.create", "role", role.id);
    event.details = {{"name", name}, {"permissions", role.permissions}};
    if (filesRoot)
        event.details["files_root"] = *filesRoot;
    ctx.audit(tx, event);
    const auto body = roles.find(role.id, scope.partnerId());
    tx.commit();
    return ApiResponse::json(*body, 201);
}

ApiResponse deleteRole(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "role");
    const AccessScope scope = ctx.require(RolesDelete);
    if (!scope.isWholePartner())
        throw ApiError::forbidden("deleting roles needs roles:delete across the whole partner");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    RoleStore roles(tx);
    const auto builtin = roles.isBuiltin(id, scope.partnerId());
    if (!builtin)
        throw ApiError::notFound("role");
    if (*builtin)
        throw ApiError::conflict("built-in roles cannot be deleted");
    try {
        roles.remove(id, scope.partnerId());
    } catch (const pqxx::foreign_key_violation&) {
        throw ApiError::conflict("the role is still granted to users or API keys");
    }
    ctx.audit(tx, ctx.auditEvent("roles.delete", "role", id));
    tx.commit();
    return ApiResponse::noContent();
}
} // namespace

void registerUserRoutes(Router& router) {
    router.add({HttpMethod::Get, "/api/v1/users", "", RouteAccess::Authenticated, listUsers});
    router.add({HttpMethod::Post, "/api/v1/users", "users.create", RouteAccess::Authenticated, createUser});
    router.add({HttpMethod::Get, "/api/v1/users/{id}", "", RouteAccess::Authenticated, getUser});
    router.add(
        {HttpMethod::Patch, "/api/v1/users/{id}", "users.update", RouteAccess::Authenticated, updateUser});
    router.add(
        {HttpMethod::Delete, "/api/v1/users/{id}", "users.delete", RouteAccess::Authenticated, deleteUser});
    router.add(
        {HttpMethod::Post, "/api/v1/users/{id}/grants", "users.grant", RouteAccess::Authenticated, addGrant});
    router.add({HttpMethod::Delete, "/api/v1/users/{id}/grants/{grant}", "users.revoke_grant",
                RouteAccess::Authenticated, removeGrant});
    router.add({HttpMethod::Get, "/api/v1/roles", "", RouteAccess::Authenticated, listRoles});
    router.add({HttpMethod::Post, "/api/v1/roles", "roles.create", RouteAccess::Authenticated, createRole});
    router.add({HttpMethod::Get, "/api/v1/roles/{id}", "", RouteAccess::Authenticated, getRole});
    router.add(
        {HttpMethod::Delete, "/api/v1/roles/{id}", "roles.delete", RouteAccess::Authenticated, deleteRole});
}

} // namespace breeze::server
