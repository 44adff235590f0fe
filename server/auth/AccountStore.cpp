#include "auth/AccountStore.h"

#include "db/OptionalField.h"
#include "db/ScopedTransaction.h"

#include <pqxx/pqxx>

namespace breeze::server {

AccountStore::SignInLookup AccountStore::lookUpSignIn(const std::string& email, const std::string& address) {
    const auto row = m_tx.sql().exec_params1(
        "SELECT lower($1::text) AS folded, u.id, u.partner_id, u.password_hash, "
        "u.totp_secret_sealed IS NOT NULL AS mfa_enrolled, EXISTS (SELECT 1 FROM auth_sessions s WHERE "
        "s.user_id = u.id AND s.address = $2 AND s.created_at > now() - interval '90 days') AS known_address "
        "FROM (SELECT 1) one LEFT JOIN users u ON lower(u.email) = lower($1)",
        email, address);
    SignInLookup lookup{row["folded"].as<std::string>(), std::nullopt};
    if (!row["id"].is_null())
        lookup.account = SignInAccount{row["id"].as<std::string>(), row["partner_id"].as<std::string>(),
                                       row["password_hash"].as<std::string>(), row["mfa_enrolled"].as<bool>(),
                                       row["known_address"].as<bool>()};
    return lookup;
}

std::optional<AccountStore::LockedSignIn> AccountStore::lockForSignIn(const std::string& userId) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT u.password_hash, u.totp_secret_sealed, coalesce(u.totp_last_step, 0) AS last_step, "
        "u.mfa_required OR p.require_mfa AS mfa_required, u.disabled_at IS NOT NULL AS disabled "
        "FROM users u JOIN partners p ON p.id = u.partner_id WHERE u.id = $1 FOR UPDATE OF u",
        userId);
    if (rows.empty())
        return std::nullopt;
    const auto& row = rows[0];
    return LockedSignIn{row["password_hash"].as<std::string>(), optionalText(row["totp_secret_sealed"]),
                        row["last_step"].as<std::int64_t>(), row["mfa_required"].as<bool>(),
                        row["disabled"].as<bool>()};
}

void AccountStore::spendTotpStep(const std::string& userId, std::int64_t step) {
    m_tx.sql().exec_params("UPDATE users SET totp_last_step = $2 WHERE id = $1", userId, step);
}

void AccountStore::recordSignIn(const std::string& userId) {
    m_tx.sql().exec_params("UPDATE users SET last_login_at = now() WHERE id = $1", userId);
}

AccountStore::Password AccountStore::password(const std::string& userId) {
    const auto row = m_tx.sql().exec_params1("SELECT password_hash, email FROM users WHERE id = $1", userId);
    return {row["password_hash"].as<std::string>(), row["email"].as<std::string>()};
}

bool AccountStore::replacePassword(const std::string& userId, const std::string& hash,
                                   const std::string& expected) {
    return m_tx.sql()
               .exec_params(
                   "UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() "
                   "WHERE id = $1 AND password_hash = $3",
                   userId, hash, expected)
               .affected_rows() > 0;
}

void AccountStore::upgradePasswordHash(const std::string& userId, const std::string& hash,
                                       const std::string& expected) {
    m_tx.sql().exec_params("UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $3", userId,
                           hash, expected);
}

AccountStore::LockedMfa AccountStore::lockMfa(const std::string& userId) {
    const auto row = m_tx.sql().exec_params1(
        "SELECT u.totp_secret_sealed, u.totp_pending_sealed, coalesce(u.totp_last_step, 0) AS last_step, "
        "u.mfa_required OR p.require_mfa AS required, u.password_hash, u.email FROM users u JOIN partners p "
        "ON "
        "p.id = u.partner_id WHERE u.id = $1 FOR UPDATE OF u",
        userId);
    return {optionalText(row["totp_secret_sealed"]), optionalText(row["totp_pending_sealed"]),
            row["last_step"].as<std::int64_t>(),     row["required"].as<bool>(),
            row["password_hash"].as<std::string>(),  row["email"].as<std::string>()};
}

void AccountStore::setPendingTotp(const std::string& userId, const std::string& sealedSecret) {
    m_tx.sql().exec_params("UPDATE users SET totp_pending_sealed = $2 WHERE id = $1", userId, sealedSecret);
}

void AccountStore::activatePendingTotp(const std::string& userId) {
    m_tx.sql().exec_params(
        "UPDATE users SET totp_secret_sealed = totp_pending_sealed, totp_pending_sealed = NULL, "
        "updated_at = now() WHERE id = $1",
        userId);
}

void AccountStore::removeTotp(const std::string& userId) {
    m_tx.sql().exec_params("UPDATE users SET totp_secret_sealed = NULL, totp_pending_sealed = NULL, "
                           "totp_last_step = NULL, updated_at = now() WHERE id = $1",
                           userId);
    m_tx.sql().exec_params("DELETE FROM recovery_codes WHERE user_id = $1", userId);
}

std::string AccountStore::partnerName(const std::string& partnerId) {
    return m_tx.sql()
        .exec_params1("SELECT name FROM partners WHERE id = $1", partnerId)["name"]
        .as<std::string>();
}

AccountStore::Profile AccountStore::profile(const std::string& userId) {
    const auto row = m_tx.sql().exec_params1(
        "SELECT u.email, u.display_name, u.home_org_id, u.totp_secret_sealed IS NOT NULL AS mfa_enabled, "
        "u.mfa_required OR p.require_mfa AS mfa_required FROM users u JOIN partners p ON p.id = u.partner_id "
        "WHERE u.id = $1",
        userId);
    return {row["email"].as<std::string>(), row["display_name"].as<std::string>(),
            optionalText(row["home_org_id"]), row["mfa_enabled"].as<bool>(), row["mfa_required"].as<bool>()};
}

} // namespace breeze::server
