#include "auth/SessionStore.h"

#include "db/ScopedTransaction.h"

#include <pqxx/pqxx>

namespace breeze::server {

std::optional<SessionStore::Refresh> SessionStore::lockRefresh(const std::string& tokenHash) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT rt.session_id, rt.used_at IS NOT NULL AS used, s.revoked_at IS NOT NULL OR s.expires_at <= "
        "now() "
        "OR u.disabled_at IS NOT NULL AS ended, s.user_id, s.partner_id, u.email, s.mfa_enrollment_only "
        "FROM refresh_tokens rt JOIN auth_sessions s ON s.id = rt.session_id JOIN users u ON u.id = "
        "s.user_id "
        "WHERE rt.token_hash = $1 FOR UPDATE OF rt, s",
        tokenHash);
    if (rows.empty())
        return std::nullopt;
    const auto& row = rows[0];
    return Refresh{row["session_id"].as<std::string>(),
                   row["user_id"].as<std::string>(),
                   row["partner_id"].as<std::string>(),
                   row["email"].as<std::string>(),
                   row["used"].as<bool>(),
                   row["ended"].as<bool>(),
                   row["mfa_enrollment_only"].as<bool>()};
}

void SessionStore::markRefreshUsed(const std::string& tokenHash) {
    m_tx.sql().exec_params("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1", tokenHash);
}

void SessionStore::revoke(const std::string& sessionId, const std::string& reason) {
    m_tx.sql().exec_params("UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $2 "
                           "WHERE id = $1 AND revoked_at IS NULL",
                           sessionId, reason);
}

void SessionStore::endOwn(const std::string& sessionId, const std::string& userId) {
    m_tx.sql().exec_params("UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'logout' "
                           "WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                           sessionId, userId);
}

std::size_t SessionStore::endOthers(const std::string& userId, const std::string& keep,
                                    const std::string& reason) {
    return m_tx.sql()
        .exec_params("UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $3 "
                     "WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id",
                     userId, keep, reason)
        .size();
}

void SessionStore::finishMfaEnrollment(const std::string& sessionId) {
    m_tx.sql().exec_params("UPDATE auth_sessions SET mfa_enrollment_only = false WHERE id = $1", sessionId);
}

} // namespace breeze::server
