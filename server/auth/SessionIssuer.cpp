#include "auth/SessionIssuer.h"

#include "app/ServerContext.h"
#include "crypto/Digest.h"
#include "crypto/SecureRandom.h"

namespace breeze::server {

nlohmann::json SessionIssuer::start(ScopedTransaction& tx, const std::string& userId,
                                    const std::string& partnerId, bool mfaEnrollmentOnly,
                                    const std::string& address) {
    const auto row = tx.sql().exec_params1(
        "INSERT INTO auth_sessions (user_id, partner_id, mfa_enrollment_only, address, expires_at) "
        "VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING id",
        userId, partnerId, mfaEnrollmentOnly, address, m_server.config.refreshTokenTtlSeconds);
    return tokens(tx, row["id"].as<std::string>(), userId, mfaEnrollmentOnly);
}

nlohmann::json SessionIssuer::rotate(ScopedTransaction& tx, const std::string& sessionId,
                                     const std::string& userId, bool mfaEnrollmentOnly) {
    tx.sql().exec_params(
        "UPDATE auth_sessions SET last_used_at = now(), expires_at = now() + make_interval(secs => $2) "
        "WHERE id = $1",
        sessionId, m_server.config.refreshTokenTtlSeconds);
    return tokens(tx, sessionId, userId, mfaEnrollmentOnly);
}

nlohmann::json SessionIssuer::tokens(ScopedTransaction& tx, const std::string& sessionId,
                                     const std::string& userId, bool mfaEnrollmentOnly) {
    const std::string refresh = "brr_" + crypto::SecureRandom::token(32);
    tx.sql().exec_params("INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)",
                         crypto::Digest::sha256Hex(refresh), sessionId);
    return {{"access_token", m_server.tokens.issue({userId, sessionId})},
            {"token_type", "Bearer"},
            {"expires_in", m_server.tokens.lifetime().count()},
            {"refresh_token", refresh},
            {"refresh_expires_in", m_server.config.refreshTokenTtlSeconds},
            {"session_id", sessionId},
            {"mfa_enrollment_required", mfaEnrollmentOnly}};
}

} // namespace breeze::server
