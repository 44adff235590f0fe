#include "keys/KeyRoutes.h"

#include "auth/Authenticator.h"
#include "auth/Delegation.h"
#include "crypto/Digest.h"
#include "crypto/SecureRandom.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "keys/KeyStore.h"
#include "tenancy/TenantLookup.h"

#include <pqxx/except>

namespace breeze::server {

namespace {
using namespace permissions;

// The person behind a new key: a key made by an API key belongs to that key's maker, so disabling or removing
// the person revokes every key that leads back to them.
std::optional<std::string> createdBy(const RequestContext& ctx) {
    const auto& principal = ctx.principal();
    if (principal.kind == Principal::Kind::User)
        return principal.id;
    if (!principal.ownerUserId.empty())
        return principal.ownerUserId;
    return std::nullopt;
}

// ---- API keys ----

// API keys act on a whole organisation, so a scope limited to some sites does not reach them.
std::string apiKeyScopeSql(const AccessScope& scope) {
    return scope.sqlSite("k.partner_id", "k.org_id", "NULL::uuid");
}

ApiResponse listApiKeys(RequestContext& ctx) {
    const AccessScope scope = ctx.require(ApiKeysRead);
    Pagination pagination(ctx);
    const auto orgId = ctx.uuidQuery("org");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(KeyStore(tx).listApiKeys(orgId, pagination, apiKeyScopeSql(scope)));
}

ApiResponse createApiKey(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string name = fields.requiredName("name");
    const std::string orgId = fields.requiredUuid("org_id");
    const std::string roleName = fields.requiredString("role", 1, 64);
    const auto expiresInDays = fields.optionalInteger("expires_in_days", 1, 3650);
    fields.finish();
    const AccessScope scope = ctx.require(ApiKeysCreate);
    if (!ctx.principal().scopeFor(OrgsRead).allowsOrg(orgId) && !scope.allowsOrg(orgId))
        throw ApiError::notFound("organisation");
    if (!scope.allowsWholeOrg(orgId))
        throw ApiError::forbidden("this needs the api_keys:create permission on the whole organisation");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    KeyStore keys(tx);
    if (!keys.organisationVisible(orgId, scope.sqlOrg("o.partner_id", "o.id")))
        throw ApiError::notFound("organisation");
    const RoleRef role = findRole(tx, scope.partnerId(), roleName);
    requireCanDelegate(ctx.principal(), role, orgId, std::nullopt);
    const std::string secret = std::string(Authenticator::kApiKeyPrefix) + crypto::SecureRandom::token(32);
    const auto created =
        keys.insertApiKey({scope.partnerId(), orgId, role.id, name, secret.substr(0, 12),
                           crypto::Digest::sha256Hex(secret), createdBy(ctx), expiresInDays});
    const std::string id = created.key["id"];
    AuditEvent event = ctx.auditEvent("api_keys.create", "api_key", id);
    event.orgId = orgId;
    event.details = {{"name", name}, {"role", role.name}};
    ctx.audit(tx, event);
    tx.commit();
    nlohmann::json body = created.key;
    body["key"] = secret;
    return ApiResponse::json(body, 201);
}

KeyStore::Found findApiKey(ScopedTransaction& tx, const AccessScope& scope, const std::string& id) {
    auto found = KeyStore(tx).findApiKey(id, apiKeyScopeSql(scope));
    if (!found)
        throw ApiError::notFound("API key");
    return *found;
}

ApiResponse getApiKey(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "API key");
    const AccessScope scope = ctx.require(ApiKeysRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(findApiKey(tx, scope, id).key);
}

ApiResponse revokeApiKey(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "API key");
    const AccessScope readScope = ctx.require(ApiKeysRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, readScope);
    const std::string orgId = findApiKey(tx, readScope, id).orgId;
    if (!ctx.principal().scopeFor(ApiKeysDelete).allowsWholeOrg(orgId))
        throw ApiError::forbidden("this needs the api_keys:delete permission on the key's organisation");
    KeyStore(tx).revokeApiKey(id);
    AuditEvent event = ctx.auditEvent("api_keys.revoke", "api_key", id);
    event.orgId = orgId;
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}

// ---- enrollment keys ----

ApiResponse listEnrollmentKeys(RequestContext& ctx) {
    const AccessScope scope = ctx.require(EnrollmentKeysRead);
    Pagination pagination(ctx);
    const auto orgId = ctx.uuidQuery("org");
    const auto siteId = ctx.uuidQuery("site");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(KeyStore(tx).listEnrollmentKeys(
        orgId, siteId, pagination, scope.sqlSite("e.partner_id", "e.org_id", "e.site_id")));
}

ApiResponse createEnrollmentKey(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string siteId = fields.requiredUuid("site_id");
    const std::string name = fields.optionalName("name").value_or("Enrollment key");
    const auto expiresIn = fields.optionalInteger("expires_in_seconds", 60, 366LL * 24 * 3600);
    const auto maxUses = fields.optionalInteger("max_uses", 1, 1'000'000);
    fields.finish();
    const AccessScope scope = ctx.require(EnrollmentKeysCreate);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const AccessScope siteReadScope = ctx.principal().scopeFor(SitesRead);
    KeyStore keys(tx);
    const auto org =
        keys.siteOrganisation(siteId, "(" + siteReadScope.sqlSite("s.partner_id", "s.org_id", "s.id") +
                                          " OR " + scope.sqlSite("s.partner_id", "s.org_id", "s.id") + ")");
    if (!org)
        throw ApiError::notFound("site");
    const std::string& orgId = *org;
    if (!scope.allowsSite(orgId, siteId))
        throw ApiError::forbidden("this needs the enrollment_keys:create permission on the site");
    const std::string secret = "enr_" + crypto::SecureRandom::token(32);
    const auto created = keys.insertEnrollmentKey(
        {scope.partnerId(), orgId, siteId, name, secret.substr(0, 12), crypto::Digest::sha256Hex(secret),
         expiresIn.value_or(7 * 24 * 3600), maxUses, createdBy(ctx)});
    const std::string id = created.key["id"];
    AuditEvent event = ctx.auditEvent("enrollment_keys.create", "enrollment_key", id);
    event.orgId = orgId;
    event.details = {{"site_id", siteId},
                     {"max_uses", maxUses ? nlohmann::json(*maxUses) : nlohmann::json(nullptr)}};
    ctx.audit(tx, event);
    tx.commit();
    nlohmann::json body = created.key;
    body["key"] = secret;
    return ApiResponse::json(body, 201);
}

KeyStore::Found findEnrollmentKey(ScopedTransaction& tx, const AccessScope& scope, const std::string& id) {
    auto found = KeyStore(tx).findEnrollmentKey(id, scope.sqlSite("e.partner_id", "e.org_id", "e.site_id"));
    if (!found)
        throw ApiError::notFound("enrollment key");
    return *found;
}

ApiResponse getEnrollmentKey(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "enrollment key");
    const AccessScope scope = ctx.require(EnrollmentKeysRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(findEnrollmentKey(tx, scope, id).key);
}

ApiResponse revokeEnrollmentKey(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "enrollment key");
    const AccessScope readScope = ctx.require(EnrollmentKeysRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, readScope);
    const auto found = findEnrollmentKey(tx, readScope, id);
    const std::string& orgId = found.orgId;
    const std::string& siteId = found.siteId;
    if (!ctx.principal().scopeFor(EnrollmentKeysDelete).allowsSite(orgId, siteId))
        throw ApiError::forbidden("this needs the enrollment_keys:delete permission on the key's site");
    KeyStore(tx).revokeEnrollmentKey(id);
    AuditEvent event = ctx.auditEvent("enrollment_keys.revoke", "enrollment_key", id);
    event.orgId = orgId;
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}
} // namespace

void registerKeyRoutes(Router& router) {
    router.add({HttpMethod::Get, "/api/v1/api-keys", "", RouteAccess::Authenticated, listApiKeys});
    router.add(
        {HttpMethod::Post, "/api/v1/api-keys", "api_keys.create", RouteAccess::Authenticated, createApiKey});
    router.add({HttpMethod::Get, "/api/v1/api-keys/{id}", "", RouteAccess::Authenticated, getApiKey});
    router.add({HttpMethod::Delete, "/api/v1/api-keys/{id}", "api_keys.revoke", RouteAccess::Authenticated,
                revokeApiKey});
    router.add(
        {HttpMethod::Get, "/api/v1/enrollment-keys", "", RouteAccess::Authenticated, listEnrollmentKeys});
    router.add({HttpMethod::Post, "/api/v1/enrollment-keys", "enrollment_keys.create",
                RouteAccess::Authenticated, createEnrollmentKey});
    router.add(
        {HttpMethod::Get, "/api/v1/enrollment-keys/{id}", "", RouteAccess::Authenticated, getEnrollmentKey});
    router.add({HttpMethod::Delete, "/api/v1/enrollment-keys/{id}", "enrollment_keys.revoke",
                RouteAccess::Authenticated, revokeEnrollmentKey});
}

} // namespace breeze::server
