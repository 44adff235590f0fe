#include "auth/Authenticator.h"

#include "app/ServerContext.h"
#include "audit/AuditLog.h"
#include "crypto/Digest.h"
#include "db/PgText.h"
#include "db/ScopedTransaction.h"
#include "http/ApiError.h"

#include <pqxx/pqxx>
#include <pqxx/transaction>

namespace breeze::server {

namespace {
std::chrono::system_clock::time_point secondsToTimePoint(long long seconds) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

std::set<std::string> permissionsOf(const pqxx::field& field) {
    const auto list = splitCommaList(field.is_null() ? "" : field.c_str());
    return {list.begin(), list.end()};
}

void loadUserGrants(ScopedTransaction& tx, Principal& principal) {
    const auto rows = tx.sql().exec_params(
        "SELECT g.role_id, r.name AS role_name, g.org_id, array_to_string(g.site_ids, ',') AS site_ids, "
        "g.site_ids IS NULL AS whole_org, (SELECT string_agg(p.resource || ':' || p.action, ',') FROM "
        "role_permissions p WHERE p.role_id = r.id) AS permissions "
        "FROM user_grants g JOIN roles r ON r.id = g.role_id WHERE g.user_id = $1",
        principal.id);
    for (const auto& row : rows) {
        Grant grant;
        grant.roleId = row["role_id"].as<std::string>();
        grant.roleName = row["role_name"].as<std::string>();
        if (!row["org_id"].is_null())
            grant.orgId = row["org_id"].as<std::string>();
        if (!row["whole_org"].as<bool>())
            grant.siteIds = splitCommaList(row["site_ids"].c_str());
        grant.permissions = permissionsOf(row["permissions"]);
        principal.grants.push_back(std::move(grant));
    }
}
} // namespace

Principal Authenticator::authenticate(const std::string& authorization, const std::string& address,
                                      const std::string& requestId) {
    if (authorization.empty())
        throw ApiError::unauthorized("authentication_required", "sign in or present an API key");
    constexpr std::string_view bearer = "Bearer ";
    if (authorization.size() <= bearer.size() || authorization.compare(0, bearer.size(), bearer) != 0)
        throw ApiError::unauthorized("invalid_authorization",
                                     "use \"Authorization: Bearer <token or API key>\"");
    const std::string credential = authorization.substr(bearer.size());
    if (credential.starts_with(kApiKeyPrefix))
        return fromApiKey(credential, address, requestId);
    return fromAccessToken(credential);
}

std::int64_t Authenticator::currentEpoch(pqxx::connection& connection) {
    pqxx::nontransaction read(connection);
    return read.exec1("SELECT value FROM auth_epoch")["value"].as<std::int64_t>();
}

Principal Authenticator::fromApiKey(const std::string& key, const std::string& address,
                                    const std::string& requestId) {
    const std::string hash = crypto::Digest::sha256Hex(key);
    const std::string cacheKey = "key:" + hash;
    auto lease = m_server.pool.acquire();
    const std::int64_t epoch = currentEpoch(*lease);
    if (auto hit = m_server.principals.find(cacheKey, epoch)) {
        // Last use is kept to the minute: enough to spot stale keys without a write on every call.
        if (std::chrono::steady_clock::now() - hit->lastUseRecorded > std::chrono::minutes(1)) {
            ScopedTransaction tx(*lease, SystemAccess{"record an API key's use"});
            tx.sql().exec_params("UPDATE api_keys SET last_used_at = now() WHERE id = $1", hit->principal.id);
            tx.commit();
            m_server.principals.noteUseRecorded(cacheKey);
        }
        return hit->principal;
    }
    ScopedTransaction tx(*lease, SystemAccess{"resolve API key"});
    const auto rows = tx.sql().exec_params(
        "SELECT k.id, k.partner_id, k.org_id, k.role_id, r.name AS role_name, k.name, "
        "(SELECT string_agg(p.resource || ':' || p.action, ',') FROM role_permissions p WHERE p.role_id = "
        "r.id) AS permissions, "
        "k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute' AS use_unrecorded, "
        "extract(epoch FROM coalesce(k.expires_at, now() + interval '1 day'))::bigint AS good_until, "
        "k.created_by "
        "FROM api_keys k JOIN roles r ON r.id = k.role_id "
        "WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())",
        hash);
    if (rows.empty()) {
        AuditEvent event;
        event.address = address;
        event.requestId = requestId;
        event.action = "auth.api_key";
        event.result = "failure";
        event.details = {{"reason", "unknown, revoked or expired API key"}};
        m_server.auditNoise.record(tx, event);
        tx.commit();
        throw ApiError::unauthorized("invalid_api_key", "the API key is unknown, revoked or expired");
    }
    const auto& row = rows[0];
    Principal principal;
    principal.kind = Principal::Kind::ApiKey;
    principal.id = row["id"].as<std::string>();
    principal.partnerId = row["partner_id"].as<std::string>();
    principal.label = row["name"].as<std::string>();
    if (!row["created_by"].is_null())
        principal.ownerUserId = row["created_by"].as<std::string>();
    Grant grant;
    grant.orgId = row["org_id"].as<std::string>();
    grant.roleId = row["role_id"].as<std::string>();
    grant.roleName = row["role_name"].as<std::string>();
    grant.permissions = permissionsOf(row["permissions"]);
    principal.grants.push_back(std::move(grant));
    if (row["use_unrecorded"].as<bool>())
        tx.sql().exec_params("UPDATE api_keys SET last_used_at = now() WHERE id = $1", principal.id);
    tx.commit();
    m_server.principals.store(cacheKey,
                              {principal, epoch, secondsToTimePoint(row["good_until"].as<long long>()),
                               std::chrono::steady_clock::now()});
    return principal;
}

std::optional<Principal> Authenticator::forUser(const std::string& userId) {
    auto lease = m_server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"act for a user without a request"});
    const auto rows = tx.sql().exec_params(
        "SELECT id, partner_id, email FROM users WHERE id = $1::uuid AND disabled_at IS NULL", userId);
    if (rows.empty())
        return std::nullopt;
    Principal principal;
    principal.kind = Principal::Kind::User;
    principal.id = rows[0]["id"].as<std::string>();
    principal.partnerId = rows[0]["partner_id"].as<std::string>();
    principal.label = rows[0]["email"].as<std::string>();
    loadUserGrants(tx, principal);
    tx.commit();
    return principal;
}

Principal Authenticator::fromAccessToken(const std::string& token) {
    const auto claims = m_server.tokens.verify(token);
    if (!claims)
        throw ApiError::unauthorized("invalid_token",
                                     "the access token is invalid or has expired; refresh it");
    const std::string cacheKey = "session:" + claims->sessionId + ":" + claims->userId;
    auto lease = m_server.pool.acquire();
    const std::int64_t epoch = currentEpoch(*lease);
    if (auto hit = m_server.principals.find(cacheKey, epoch))
        return hit->principal;
    ScopedTransaction tx(*lease, SystemAccess{"resolve access token"});
    const auto rows = tx.sql().exec_params(
        "SELECT u.id, u.partner_id, u.email, s.mfa_enrollment_only, "
        "extract(epoch FROM s.expires_at)::bigint AS good_until "
        "FROM auth_sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.id = $1::uuid AND u.id = $2::uuid AND s.revoked_at IS NULL AND s.expires_at > now() "
        "AND u.disabled_at IS NULL",
        claims->sessionId, claims->userId);
    if (rows.empty())
        throw ApiError::unauthorized("session_ended", "this session has ended; sign in again");
    Principal principal;
    principal.kind = Principal::Kind::User;
    const auto& row = rows[0];
    principal.id = row["id"].as<std::string>();
    principal.partnerId = row["partner_id"].as<std::string>();
    principal.label = row["email"].as<std::string>();
    principal.sessionId = claims->sessionId;
    principal.mfaEnrollmentOnly = row["mfa_enrollment_only"].as<bool>();
    loadUserGrants(tx, principal);
    tx.commit();
    m_server.principals.store(cacheKey,
                              {principal, epoch, secondsToTimePoint(row["good_until"].as<long long>()),
                               std::chrono::steady_clock::now()});
    return principal;
}

} // namespace breeze::server
