#include "keys/KeyStore.h"

#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "http/Pagination.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kApiKeyJson =
    "json_build_object('id', k.id, 'name', k.name, 'org_id', k.org_id, 'role_id', k.role_id, 'role', "
    "(SELECT name FROM roles WHERE id = k.role_id), 'prefix', k.display_prefix, 'created_by', k.created_by, "
    "'created_at', k.created_at, 'expires_at', k.expires_at, 'last_used_at', k.last_used_at, 'revoked_at', "
    "k.revoked_at, 'status', CASE WHEN k.revoked_at IS NOT NULL THEN 'revoked' WHEN k.expires_at <= now() "
    "THEN 'expired' ELSE 'active' END)::text";

constexpr const char* kEnrollmentKeyJson =
    "json_build_object('id', e.id, 'name', e.name, 'org_id', e.org_id, 'site_id', e.site_id, 'prefix', "
    "e.display_prefix, 'created_by', e.created_by, 'created_at', e.created_at, 'expires_at', e.expires_at, "
    "'max_uses', e.max_uses, 'uses', e.uses, 'revoked_at', e.revoked_at, 'status', CASE WHEN e.revoked_at IS "
    "NOT NULL THEN 'revoked' WHEN e.expires_at <= now() THEN 'expired' WHEN e.max_uses IS NOT NULL AND "
    "e.uses "
    ">= e.max_uses THEN 'used_up' ELSE 'active' END)::text";
} // namespace

nlohmann::json KeyStore::listApiKeys(const std::optional<std::string>& orgId, const Pagination& pagination,
                                     const std::string& scopeSql) {
    SqlParams params;
    std::string sql = std::string("SELECT ") + kApiKeyJson +
                      " AS item, k.created_at::text AS sort_key FROM api_keys k WHERE " + scopeSql;
    if (orgId)
        sql += " AND k.org_id = " + params.add(*orgId) + "::uuid";
    sql += pagination.sqlAfter(params, "k.created_at::text", "k.id") + " ORDER BY k.created_at::text, k.id" +
           pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

std::optional<KeyStore::Found> KeyStore::findApiKey(const std::string& id, const std::string& scopeSql) {
    const auto rows =
        m_tx.sql().exec_params(std::string("SELECT ") + kApiKeyJson +
                                   " AS key, k.org_id FROM api_keys k WHERE k.id = $1 AND " + scopeSql,
                               id);
    if (rows.empty())
        return std::nullopt;
    return Found{nlohmann::json::parse(rows[0]["key"].c_str()), rows[0]["org_id"].as<std::string>(), {}};
}

bool KeyStore::organisationVisible(const std::string& orgId, const std::string& scopeSql) {
    return !m_tx.sql()
                .exec_params("SELECT 1 FROM organizations o WHERE o.id = $1 AND " + scopeSql, orgId)
                .empty();
}

KeyStore::Found KeyStore::insertApiKey(const NewApiKey& k) {
    const auto row = m_tx.sql().exec_params1(
        std::string(
            "INSERT INTO api_keys AS k (partner_id, org_id, role_id, name, display_prefix, key_hash, "
            "created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8::int IS NULL THEN "
            "NULL ELSE now() + make_interval(days => $8::int) END) RETURNING ") +
            kApiKeyJson + " AS key",
        k.partnerId, k.orgId, k.roleId, k.name, k.displayPrefix, k.keyHash, k.createdBy, k.expiresInDays);
    return Found{nlohmann::json::parse(row["key"].c_str()), k.orgId, {}};
}

void KeyStore::revokeApiKey(const std::string& id) {
    m_tx.sql().exec_params("UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1", id);
}

nlohmann::json KeyStore::listEnrollmentKeys(const std::optional<std::string>& orgId,
                                            const std::optional<std::string>& siteId,
                                            const Pagination& pagination, const std::string& scopeSql) {
    SqlParams params;
    std::string sql = std::string("SELECT ") + kEnrollmentKeyJson +
                      " AS item, e.created_at::text AS sort_key FROM enrollment_keys e WHERE " + scopeSql;
    if (orgId)
        sql += " AND e.org_id = " + params.add(*orgId) + "::uuid";
    if (siteId)
        sql += " AND e.site_id = " + params.add(*siteId) + "::uuid";
    sql += pagination.sqlAfter(params, "e.created_at::text", "e.id") + " ORDER BY e.created_at::text, e.id" +
           pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

std::optional<KeyStore::Found> KeyStore::findEnrollmentKey(const std::string& id,
                                                           const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params(
        std::string("SELECT ") + kEnrollmentKeyJson +
            " AS key, e.org_id, e.site_id FROM enrollment_keys e WHERE e.id = $1 AND " + scopeSql,
        id);
    if (rows.empty())
        return std::nullopt;
    return Found{nlohmann::json::parse(rows[0]["key"].c_str()), rows[0]["org_id"].as<std::string>(),
                 rows[0]["site_id"].as<std::string>()};
}

std::optional<std::string> KeyStore::siteOrganisation(const std::string& siteId,
                                                      const std::string& scopeSql) {
    const auto rows =
        m_tx.sql().exec_params("SELECT s.org_id FROM sites s WHERE s.id = $1 AND " + scopeSql, siteId);
    if (rows.empty())
        return std::nullopt;
    return rows[0]["org_id"].as<std::string>();
}

KeyStore::Found KeyStore::insertEnrollmentKey(const NewEnrollmentKey& k) {
    const auto row = m_tx.sql().exec_params1(
        std::string("INSERT INTO enrollment_keys AS e (partner_id, org_id, site_id, name, display_prefix, "
                    "key_hash, expires_at, max_uses, created_by) VALUES ($1, $2, $3, $4, $5, $6, now() + "
                    "make_interval(secs => $7), $8, $9) RETURNING ") +
            kEnrollmentKeyJson + " AS key",
        k.partnerId, k.orgId, k.siteId, k.name, k.displayPrefix, k.keyHash, k.expiresInSeconds, k.maxUses,
        k.createdBy);
    return Found{nlohmann::json::parse(row["key"].c_str()), k.orgId, k.siteId};
}

void KeyStore::revokeEnrollmentKey(const std::string& id) {
    m_tx.sql().exec_params(
        "UPDATE enrollment_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1", id);
}

} // namespace breeze::server
