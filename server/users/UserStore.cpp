#include "users/UserStore.h"

#include "auth/AccessScope.h"
#include "db/OptionalField.h"
#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "http/Pagination.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kUserJson =
    "SELECT json_build_object('id', u.id, 'email', u.email, 'display_name', u.display_name, 'partner_id', "
    "u.partner_id, 'home_org_id', u.home_org_id, 'mfa_enabled', u.totp_secret_sealed IS NOT NULL, "
    "'mfa_required', u.mfa_required, 'disabled', u.disabled_at IS NOT NULL, 'last_login_at', "
    "u.last_login_at, "
    "'created_at', u.created_at, "
    "'grants', (SELECT coalesce(json_agg(json_build_object('id', g.id, 'role_id', g.role_id, 'role', r.name, "
    "'org_id', g.org_id, 'site_ids', g.site_ids) ORDER BY g.created_at), '[]'::json) FROM user_grants g "
    "JOIN roles r ON r.id = g.role_id WHERE g.user_id = u.id))::text AS item";

} // namespace

std::string UserStore::scopeSql(const AccessScope& scope) {
    return "((u.home_org_id IS NULL AND " + scope.sqlPartnerWide("u.partner_id") +
           ") OR (u.home_org_id IS NOT NULL AND " + scope.sqlOrg("u.partner_id", "u.home_org_id") + "))";
}

nlohmann::json UserStore::list(const std::optional<std::string>& homeOrg,
                               const std::optional<std::string>& email, const Pagination& pagination,
                               const std::string& scopeSql) {
    SqlParams params;
    std::string sql = std::string(kUserJson) + ", lower(u.email) AS sort_key FROM users u WHERE " + scopeSql;
    if (homeOrg)
        sql += " AND u.home_org_id = " + params.add(*homeOrg) + "::uuid";
    if (email)
        sql += " AND lower(u.email) = lower(" + params.add(*email) + ")";
    sql += pagination.sqlAfter(params, "lower(u.email)", "u.id") + " ORDER BY lower(u.email), u.id" +
           pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

std::optional<nlohmann::json> UserStore::find(const std::string& id, const std::string& scopeSql) {
    const auto rows =
        m_tx.sql().exec_params(std::string(kUserJson) + " FROM users u WHERE u.id = $1 AND " + scopeSql, id);
    if (rows.empty())
        return std::nullopt;
    return nlohmann::json::parse(rows[0]["item"].c_str());
}

nlohmann::json UserStore::user(const std::string& id) {
    return nlohmann::json::parse(
        m_tx.sql()
            .exec_params1(std::string(kUserJson) + " FROM users u WHERE u.id = $1", id)["item"]
            .c_str());
}

std::optional<UserStore::Home> UserStore::findHome(const std::string& id, const std::string& scopeSql) {
    const auto rows =
        m_tx.sql().exec_params("SELECT u.home_org_id FROM users u WHERE u.id = $1 AND " + scopeSql, id);
    if (rows.empty())
        return std::nullopt;
    return Home{optionalText(rows[0]["home_org_id"])};
}

std::string UserStore::email(const std::string& id) {
    return m_tx.sql().exec_params1("SELECT email FROM users WHERE id = $1", id)["email"].as<std::string>();
}

std::string UserStore::insert(const NewUser& u) {
    return m_tx.sql()
        .exec_params1("INSERT INTO users (partner_id, home_org_id, email, display_name, password_hash, "
                      "mfa_required) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                      u.partnerId, u.homeOrg, u.email, u.displayName, u.passwordHash, u.mfaRequired)["id"]
        .as<std::string>();
}

void UserStore::update(const std::string& id, const Change& c) {
    m_tx.sql().exec_params(
        "UPDATE users SET display_name = coalesce($2, display_name), mfa_required = coalesce($3, "
        "mfa_required), "
        "disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at WHEN $4::boolean THEN "
        "coalesce(disabled_at, now()) ELSE NULL END, password_hash = coalesce($5, password_hash), "
        "password_changed_at = CASE WHEN $5::text IS NULL THEN password_changed_at ELSE now() END, "
        "updated_at = now() WHERE id = $1",
        id, c.displayName, c.mfaRequired, c.disabled, c.passwordHash);
}

void UserStore::remove(const std::string& id) {
    m_tx.sql().exec_params("DELETE FROM users WHERE id = $1", id);
}

void UserStore::endAccess(const std::string& id, const std::string& reason) {
    // A key outliving its maker is how access lingers after someone leaves.
    ScopedTransaction::SystemSection system(m_tx,
                                            SystemAccess{"end the access of a disabled or removed user"});
    m_tx.sql().exec_params("UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $2 "
                           "WHERE user_id = $1 AND revoked_at IS NULL",
                           id, reason);
    m_tx.sql().exec_params(
        "UPDATE api_keys SET revoked_at = now() WHERE created_by = $1 AND revoked_at IS NULL", id);
}

void UserStore::endSessions(const std::string& id, const std::string& reason) {
    ScopedTransaction::SystemSection system(m_tx,
                                            SystemAccess{"end sessions of a user whose password was reset"});
    m_tx.sql().exec_params("UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $2 "
                           "WHERE user_id = $1 AND revoked_at IS NULL",
                           id, reason);
}

bool UserStore::siteInOrg(const std::string& siteId, const std::string& orgId) {
    return !m_tx.sql()
                .exec_params("SELECT 1 FROM sites WHERE id = $1 AND org_id = $2", siteId, orgId)
                .empty();
}

std::string UserStore::insertGrant(const std::string& userId, const std::string& partnerId,
                                   const std::string& roleId, const std::optional<std::string>& orgId,
                                   const std::optional<std::string>& siteArray) {
    return m_tx.sql()
        .exec_params1("INSERT INTO user_grants (user_id, partner_id, role_id, org_id, site_ids) "
                      "VALUES ($1, $2, $3, $4, $5::uuid[]) RETURNING id",
                      userId, partnerId, roleId, orgId, siteArray)["id"]
        .as<std::string>();
}

std::optional<UserStore::Grant> UserStore::findGrant(const std::string& grantId, const std::string& userId) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT g.org_id, g.role_id FROM user_grants g WHERE g.id = $1 AND g.user_id = $2", grantId, userId);
    if (rows.empty())
        return std::nullopt;
    return Grant{optionalText(rows[0]["org_id"]), rows[0]["role_id"].as<std::string>()};
}

void UserStore::removeGrant(const std::string& grantId) {
    m_tx.sql().exec_params("DELETE FROM user_grants WHERE id = $1", grantId);
}

} // namespace breeze::server
