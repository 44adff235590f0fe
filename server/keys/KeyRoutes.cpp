#include "keys/KeyRoutes.h"

#include "auth/Authenticator.h"
#include "auth/Delegation.h"
#include "crypto/Digest.h"
#include "crypto/SecureRandom.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "tenancy/TenantLookup.h"

#include <pqxx/except>

namespace breeze::server {

namespace {
using namespace permissions;

constexpr const char* kApiKeyJson =
    "json_build_object('id', k.id, 'name', k.name, 'org_id', k.org_id, 'role_id', k.role_id, 'role', "
    "(SELECT name FROM roles WHERE id = k.role_id), 'prefix', k.display_prefix, 'created_by', k.created_by, "
    "'created_at', k.created_at, 'expires_at', k.expires_at, 'last_used_at', k.last_used_at, 'revoked_at', "
    "k.revoked_at, 'status', CASE WHEN k.revoked_at IS NOT NULL THEN 'revoked' WHEN k.expires_at <= now() "
    "THEN "
    "'expired' ELSE 'active' END)::text";

constexpr const char* kEnrollmentKeyJson =
    "json_build_object('id', e.id, 'name', e.name, 'org_id', e.org_id, 'site_id', e.site_id, 'prefix', "
    "e.display_prefix, 'created_by', e.created_by, 'created_at', e.created_at, 'expires_at', e.expires_at, "
    "'max_uses', e.max_uses, 'uses', e.uses, 'revoked_at', e.revoked_at, 'status', CASE WHEN e.revoked_at IS "
    "NOT "
    "NULL THEN 'revoked' WHEN e.expires_at <= now() THEN 'expired' WHEN e.max_uses IS NOT NULL AND e.uses >= "
    "e.max_uses THEN 'used_up' ELSE 'active' END)::text";

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
    SqlParams params;
    std::string sql = std::string("SELECT ") + kApiKeyJson + ", k.created_at::text FROM api_keys k WHERE " +
                      apiKeyScopeSql(scope);
    if (auto org = ctx.uuidQuery("org"))
        sql += " AND k.org_id = " + params.add(*org) + "::uuid";
    sql += pagination.sqlAfter(params, "k.created_at::text", "k.id") + " ORDER BY k.created_at::text, k.id" +
           pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
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
    if (tx.sql()
            .exec_params("SELECT 1 FROM organizations o WHERE o.id = $1 AND " +
                             scope.sqlOrg("o.partner_id", "o.id"),
                         orgId)
            .empty())
        throw ApiError::notFound("organisation");
    const RoleRef role = findRole(tx, scope.partnerId(), roleName);
    requireCanDelegate(ctx.principal(), role, orgId, std::nullopt);
    const std::string secret = std::string(Authenticator::kApiKeyPrefix) + crypto::SecureRandom::token(32);
    const auto row =
        tx.sql().exec_params1(std::string("INSERT INTO api_keys AS k (partner_id, org_id, role_id, name, "
                                          "display_prefix, key_hash, created_by, "
                                          "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8::int "
                                          "IS NULL THEN NULL ELSE now() + "
                                          "make_interval(days => $8::int) END) RETURNING k.id, ") +
                                  kApiKeyJson,
                              scope.partnerId(), orgId, role.id, name, secret.substr(0, 12),
                              crypto::Digest::sha256Hex(secret), createdBy(ctx), expiresInDays);
    const std::string id = row[0].as<std::string>();
    AuditEvent event = ctx.auditEvent("api_keys.create", "api_key", id);
    event.orgId = orgId;
    event.details = {{"name", name}, {"role", role.name}};
    ctx.audit(tx, event);
    tx.commit();
    nlohmann::json body = nlohmann::json::parse(row[1].c_str());
    body["key"] = secret;
    return ApiResponse::json(body, 201);
}

std::pair<nlohmann::json, std::string> findApiKey(ScopedTransaction& tx, const AccessScope& scope,
                                                  const std::string& id) {
    const auto rows =
        tx.sql().exec_params(std::string("SELECT ") + kApiKeyJson +
                                 ", k.org_id FROM api_keys k WHERE k.id = $1 AND " + apiKeyScopeSql(scope),
                             id);
    if (rows.empty())
        throw ApiError::notFound("API key");
    return {jsonRow(rows[0]), rows[0][1].as<std::string>()};
}

ApiResponse getApiKey(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "API key");
    const AccessScope scope = ctx.require(ApiKeysRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(findApiKey(tx, scope, id).first);
}

ApiResponse revokeApiKey(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "API key");
    const AccessScope readScope = ctx.require(ApiKeysRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, readScope);
    const std::string orgId = findApiKey(tx, readScope, id).second;
    if (!ctx.principal().scopeFor(ApiKeysDelete).allowsWholeOrg(orgId))
        throw ApiError::forbidden("this needs the api_keys:delete permission on the key's organisation");
    tx.sql().exec_params("UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1", id);
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
    SqlParams params;
    std::string sql = std::string("SELECT ") + kEnrollmentKeyJson +
                      ", e.created_at::text FROM enrollment_keys e WHERE " +
                      scope.sqlSite("e.partner_id", "e.org_id", "e.site_id");
    if (auto org = ctx.uuidQuery("org"))
        sql += " AND e.org_id = " + params.add(*org) + "::uuid";
    if (auto site = ctx.uuidQuery("site"))
        sql += " AND e.site_id = " + params.add(*site) + "::uuid";
    sql += pagination.sqlAfter(params, "e.created_at::text", "e.id") + " ORDER BY e.created_at::text, e.id" +
           pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
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
    const auto sites =
        tx.sql().exec_params("SELECT s.org_id FROM sites s WHERE s.id = $1 AND (" +
                                 siteReadScope.sqlSite("s.partner_id", "s.org_id", "s.id") + " OR " +
                                 scope.sqlSite("s.partner_id", "s.org_id", "s.id") + ")",
                             siteId);
    if (sites.empty())
        throw ApiError::notFound("site");
    const std::string orgId = sites[0][0].as<std::string>();
    if (!scope.allowsSite(orgId, siteId))
        throw ApiError::forbidden("this needs the enrollment_keys:create permission on the site");
    const std::string secret = "enr_" + crypto::SecureRandom::token(32);
    const auto row = tx.sql().exec_params1(
        std::string(
            "INSERT INTO enrollment_keys AS e (partner_id, org_id, site_id, name, display_prefix, key_hash, "
            "expires_at, max_uses, created_by) VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => "
            "$7), "
            "$8, $9) RETURNING e.id, ") +
            kEnrollmentKeyJson,
        scope.partnerId(), orgId, siteId, name, secret.substr(0, 12), crypto::Digest::sha256Hex(secret),
        expiresIn.value_or(7 * 24 * 3600), maxUses, createdBy(ctx));
    const std::string id = row[0].as<std::string>();
    AuditEvent event = ctx.auditEvent("enrollment_keys.create", "enrollment_key", id);
    event.orgId = orgId;
    event.details = {{"site_id", siteId},
                     {"max_uses", maxUses ? nlohmann::json(*maxUses) : nlohmann::json(nullptr)}};
    ctx.audit(tx, event);
    tx.commit();
    nlohmann::json body = nlohmann::json::parse(row[1].c_str());
    body["key"] = secret;
    return ApiResponse::json(body, 201);
}

std::pair<nlohmann::json, std::pair<std::string, std::string>>
findEnrollmentKey(ScopedTransaction& tx, const AccessScope& scope, const std::string& id) {
    const auto rows =
        tx.sql().exec_params(std::string("SELECT ") + kEnrollmentKeyJson +
                                 ", e.org_id, e.site_id FROM enrollment_keys e WHERE e.id = $1 AND " +
                                 scope.sqlSite("e.partner_id", "e.org_id", "e.site_id"),
                             id);
    if (rows.empty())
        throw ApiError::notFound("enrollment key");
    return {jsonRow(rows[0]), {rows[0][1].as<std::string>(), rows[0][2].as<std::string>()}};
}

ApiResponse getEnrollmentKey(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "enrollment key");
    const AccessScope scope = ctx.require(EnrollmentKeysRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(findEnrollmentKey(tx, scope, id).first);
}

ApiResponse revokeEnrollmentKey(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "enrollment key");
    const AccessScope readScope = ctx.require(EnrollmentKeysRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, readScope);
    const auto [orgId, siteId] = findEnrollmentKey(tx, readScope, id).second;
    if (!ctx.principal().scopeFor(EnrollmentKeysDelete).allowsSite(orgId, siteId))
        throw ApiError::forbidden("this needs the enrollment_keys:delete permission on the key's site");
    tx.sql().exec_params("UPDATE enrollment_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1",
                         id);
    AuditEvent event = ctx.auditEvent("enrollment_keys.revoke", "enrollment_key", id);
    event.orgId = orgId;
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}
} // namespace

void registerKeyRoutes(Router& router) {
    router.add({"GET", "/api/v1/api-keys", "", RouteAccess::Authenticated, listApiKeys});
    router.add({"POST", "/api/v1/api-keys", "api_keys.create", RouteAccess::Authenticated, createApiKey});
    router.add({"GET", "/api/v1/api-keys/{id}", "", RouteAccess::Authenticated, getApiKey});
    router.add(
        {"DELETE", "/api/v1/api-keys/{id}", "api_keys.revoke", RouteAccess::Authenticated, revokeApiKey});
    router.add({"GET", "/api/v1/enrollment-keys", "", RouteAccess::Authenticated, listEnrollmentKeys});
    router.add({"POST", "/api/v1/enrollment-keys", "enrollment_keys.create", RouteAccess::Authenticated,
                createEnrollmentKey});
    router.add({"GET", "/api/v1/enrollment-keys/{id}", "", RouteAccess::Authenticated, getEnrollmentKey});
    router.add({"DELETE", "/api/v1/enrollment-keys/{id}", "enrollment_keys.revoke",
                RouteAccess::Authenticated, revokeEnrollmentKey});
}

} // namespace breeze::server
