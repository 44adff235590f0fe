#include "app/Bootstrapper.h"

#include "audit/AuditLog.h"
#include "auth/MfaCredentials.h"
#include "auth/PasswordPolicy.h"
#include "crypto/SecureRandom.h"
#include "crypto/Totp.h"
#include "db/ScopedTransaction.h"
#include "encoding/Base32.h"
#include "http/ApiError.h"

#include <pqxx/except>
#include <stdexcept>

namespace breeze::server {

nlohmann::json Bootstrapper::run(const std::string& email, std::optional<std::string> password,
                                 const std::string& partnerName, bool newPartner) {
    if (email.size() < 3 || email.size() > 254 || email.find('@') == std::string::npos)
        throw std::runtime_error("\"" + email + "\" is not an e-mail address");
    if (!password)
        password = crypto::SecureRandom::token(18);
    try {
        checkNewPassword(*password, email, m_server.config.passwordMinLength);
    } catch (const ApiError& error) {
        throw std::runtime_error(error.what());
    }
    const std::string passwordHash = m_server.hasher.hash(*password);
    auto lease = m_server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"bootstrap the first administrator"});
    tx.sql().exec("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE");
    if (!newPartner && tx.sql().exec1("SELECT count(*) AS users FROM users")["users"].as<long long>() > 0)
        throw std::runtime_error("this server already has users; use --new-partner to add another partner");
    const std::string partnerId =
        tx.sql()
            .exec_params1("INSERT INTO partners (name) VALUES ($1) RETURNING id", partnerName)[0]
            .as<std::string>();
    const std::string secret = MfaCredentials::newTotpSecret();
    std::string userId;
    try {
        userId =
            tx.sql()
                .exec_params1(
                    "INSERT INTO users (partner_id, email, display_name, password_hash, totp_secret_sealed, "
                    "mfa_required) VALUES ($1, $2, $3, $4, $5, true) RETURNING id",
                    partnerId, email, "Administrator", passwordHash, m_server.sealer.seal(secret))[0]
                .as<std::string>();
    } catch (const pqxx::unique_violation&) {
        throw std::runtime_error("a user with e-mail " + email + " already exists");
    }
    tx.sql().exec_params(
        "INSERT INTO user_grants (user_id, partner_id, role_id) SELECT $1, $2, id FROM roles "
        "WHERE name = 'partner-admin' AND partner_id IS NULL",
        userId, partnerId);
    const auto codes = MfaCredentials::issueRecoveryCodes(tx, userId);
    AuditEvent event;
    event.partnerId = partnerId;
    event.actorType = "system";
    event.actorLabel = "breeze-server bootstrap";
    event.action = "bootstrap";
    event.resourceType = "user";
    event.resourceId = userId;
    event.details = {{"email", email}, {"partner", partnerName}};
    AuditLog::record(tx, event);
    tx.commit();
    const std::string base32 = encoding::base32Encode(secret);
    return {
        {"partner_id", partnerId}, {"user_id", userId},
        {"email", email},          {"password", *password},
        {"totp_secret", base32},   {"otpauth_uri", crypto::Totp::provisioningUri("Breeze", email, base32)},
        {"recovery_codes", codes}};
}

} // namespace breeze::server
