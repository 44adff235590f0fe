#include "auth/AuthRoutes.h"

#include "auth/LoginThrottle.h"
#include "auth/MfaCredentials.h"
#include "auth/PasswordPolicy.h"
#include "auth/SessionIssuer.h"
#include "crypto/Digest.h"
#include "crypto/Totp.h"
#include "encoding/Base32.h"
#include "http/ApiError.h"
#include "http/ClientAddress.h"
#include "http/RequestContext.h"

#include <ctime>

namespace breeze::server {

namespace {
std::int64_t now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

const std::string& timingEqualiserHash(ServerContext& server) {
    // Unknown e-mails cost one Argon2id verification too, so response times do not reveal which accounts
    // exist.
    static const std::string hash = server.hasher.hash("breeze timing equaliser");
    return hash;
}

LoginThrottle throttleOf(ServerContext& server) {
    const auto& config = server.config;
    return LoginThrottle({config.throttleWindowSeconds, config.throttleAccountFailures,
                          config.throttleAddressFailures, config.throttleAccountTotalFailures});
}

const Principal& requireUser(RequestContext& ctx) {
    const auto& principal = ctx.principal();
    if (principal.kind != Principal::Kind::User)
        throw ApiError::badRequest("this needs a signed-in user, not an API key");
    return principal;
}

struct LoginFailure {
    int status;
    std::string code;
    std::string message;
    std::string reason;
    bool countsAgainstThrottle;
};

// What sign-in needs of an account, read before the password is checked.
struct StoredLogin {
    std::string userId;
    std::string partnerId;
    std::string passwordHash;
    bool mfaEnrolled;
    bool knownAddress; // the owner signed in from this address within 90 days
};

ApiError tooManyAttempts(int wait) {
    return ApiError(429, "too_many_attempts",
                    "too many failed sign-ins; try again in " + std::to_string(wait) + " seconds", wait);
}

// Sign-in runs in three steps so that Argon2id runs outside any transaction: a short read of the throttle and
// the account, the password check with no connection held, then one transaction that re-reads the account
// with its row locked (a TOTP step is spent once), decides, counts and audits.
ApiResponse login(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string email = fields.requiredString("email", 3, 254);
    const std::string password = fields.requiredString("password", 1, 1024);
    const auto totp = fields.optionalString("totp", 1, 16);
    const auto recoveryCode = fields.optionalString("recovery_code", 1, 64);
    fields.finish();

    ServerContext& server = ctx.server;
    LoginThrottle throttle = throttleOf(server);
    const int window = server.config.throttleWindowSeconds;

    LoginThrottle::Keys keys;
    LoginThrottle::Standing standing;
    std::optional<StoredLogin> account;
    bool gateRefused = false;
    {
        auto lease = server.pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"sign-in: throttle and account"});
        // The account is named as PostgreSQL finds it (lower() folds more than ASCII): counted by its id when
        // it exists, so no other spelling of the address gets a fresh budget.
        const auto rows = tx.sql().exec_params(
            "SELECT lower($1::text), u.id, u.partner_id, u.password_hash, u.totp_secret_sealed IS NOT NULL, "
            "EXISTS (SELECT 1 FROM auth_sessions s WHERE s.user_id = u.id AND s.address = $2 AND "
            "s.created_at > "
            "now() - interval '90 days') FROM (SELECT 1) one LEFT JOIN users u ON lower(u.email) = lower($1)",
            email, ctx.address());
        const auto& row = rows[0];
        if (!row[1].is_null())
            account = StoredLogin{row[1].as<std::string>(), row[2].as<std::string>(),
                                  row[3].as<std::string>(), row[4].as<bool>(), row[5].as<bool>()};
        keys =
            LoginThrottle::Keys::of(account ? "user:" + account->userId : "email:" + row[0].as<std::string>(),
                                    addressBucket(ctx.address()));
        standing = throttle.standing(tx, keys);
        // Refused unchecked: nothing is learnt, and the attempt is noise, not a sign-in.
        const bool secondFactorOffered = account && account->mfaEnrolled && (totp || recoveryCode);
        const bool attackGate =
            standing.accountUnderAttack && !(account && account->knownAddress) && !secondFactorOffered;
        if (standing.blockedSeconds > 0 || attackGate) {
            if (account)
                throttle.recordRefused(tx, keys); // only real accounts: anyone could name endless others
            const int wait = standing.blockedSeconds > 0 ? standing.blockedSeconds : window;
            AuditEvent event = ctx.auditEvent("auth.login", "user", account ? account->userId : "");
            event.actorLabel = email;
            if (account)
                event.partnerId = account->partnerId; // the account's admins see the attack (sampled)
            event.result = "denied";
            event.details = {{"reason", attackGate ? "account under attack" : "throttled"}};
            ctx.auditNoise(tx, event);
            tx.commit();
            gateRefused = true;
            if (!(attackGate && (totp || recoveryCode)))
                throw tooManyAttempts(wait);
        } else {
            tx.commit();
        }
    }
    if (gateRefused) {
        // A code was offered for an account without one (or for nobody): as slow as a checked attempt, so the
        // refusal does not tell which accounts exist or have a second factor.
        server.hasher.verify(timingEqualiserHash(server), password);
        throw tooManyAttempts(window);
    }

    const bool passwordRight = account ? server.hasher.verify(account->passwordHash, password)
                                       : (server.hasher.verify(timingEqualiserHash(server), password), false);

    // The decision, in a transaction whose connection goes back to the pool before any further hashing.
    const nlohmann::json tokens = [&] {
        auto lease = server.pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"sign-in"});
        AuditEvent event = ctx.auditEvent("auth.login", "user", "");
        event.actorLabel = email;

        auto refuse = [&](LoginFailure failure) {
            if (failure.countsAgainstThrottle)
                throttle.recordFailure(tx, keys);
            event.result = "failure";
            event.details = {{"reason", failure.reason}};
            if (account)
                ctx.audit(tx, event);
            else
                ctx.auditNoise(tx, event); // nobody's account: anyone can cause this
            tx.commit();
            // Under a spread-out attack a failure says nothing more than "too many attempts", so guesses that
            // got this far (they carried a second factor) learn nothing about the password.
            if (standing.accountUnderAttack && !(account && account->knownAddress))
                throw tooManyAttempts(window);
            throw ApiError(failure.status, failure.code, failure.message);
        };
        const LoginFailure wrongCredentials{401, "invalid_credentials", "e-mail or password is wrong", "",
                                            true};
        if (!account) {
            auto failure = wrongCredentials;
            failure.reason = "unknown e-mail";
            refuse(failure);
        }
        const auto rows = tx.sql().exec_params(
            "SELECT u.password_hash, u.totp_secret_sealed, coalesce(u.totp_last_step, 0), "
            "u.mfa_required OR p.require_mfa, u.disabled_at IS NOT NULL "
            "FROM users u JOIN partners p ON p.id = u.partner_id WHERE u.id = $1 "
            "FOR UPDATE OF u", // concurrent sign-ins must not both spend the same TOTP step
            account->userId);
        event.partnerId = account->partnerId;
        event.actorType = "user";
        event.actorId = account->userId;
        event.resourceId = account->userId;
        if (rows.empty())
            refuse({401, "invalid_credentials", "e-mail or password is wrong", "account removed meanwhile",
                    false});
        const auto& user = rows[0];
        // The row lock orders attempts on this account: what earlier ones recorded while this one was hashing
        // counts now, so parallel guesses get no more answers than sequential ones.
        standing = throttle.standing(tx, keys);
        if (standing.blockedSeconds > 0 || (standing.accountUnderAttack && !account->knownAddress &&
                                            !(account->mfaEnrolled && (totp || recoveryCode)))) {
            throttle.recordRefused(tx, keys);
            event.result = "denied";
            event.details = {{"reason", standing.blockedSeconds > 0 ? "throttled" : "account under attack"}};
            ctx.auditNoise(tx, event);
            tx.commit();
            throw tooManyAttempts(standing.blockedSeconds > 0 ? standing.blockedSeconds : window);
        }
        if (user[0].as<std::string>() != account->passwordHash)
            refuse({401, "invalid_credentials", "e-mail or password is wrong", "password changed meanwhile",
                    false});
        if (!passwordRight) {
            auto failure = wrongCredentials;
            failure.reason = "wrong password";
            refuse(failure);
        }
        if (user[4].as<bool>())
            refuse({401, "account_disabled", "this account is disabled", "account disabled", false});

        const bool mfaEnrolled = !user[1].is_null();
        if (mfaEnrolled) {
            if (!totp && !recoveryCode)
                refuse({401, "mfa_required", "enter the code from your authenticator app, or a recovery code",
                        "second factor missing", false});
            if (totp) {
                const auto secret = server.sealer.open(user[1].as<std::string>());
                if (!secret)
                    throw std::runtime_error(
                        "stored TOTP secret cannot be opened: was sealing.key replaced?");
                const auto step = crypto::Totp::matchingStep(*secret, *totp, now());
                if (!step || *step <= user[2].as<std::int64_t>())
                    refuse({401, "invalid_totp", "the authenticator code is wrong or was already used",
                            "wrong TOTP", true});
                tx.sql().exec_params("UPDATE users SET totp_last_step = $2 WHERE id = $1", account->userId,
                                     *step);
            } else if (!MfaCredentials::consumeRecoveryCode(tx, account->userId, *recoveryCode)) {
                refuse({401, "invalid_recovery_code", "the recovery code is wrong or was already used",
                        "wrong recovery code", true});
            } else {
                event.details["recovery_code_used"] = true;
            }
        }
        const bool mfaEnrollmentOnly = !mfaEnrolled && user[3].as<bool>();
        tx.sql().exec_params("UPDATE users SET last_login_at = now() WHERE id = $1", account->userId);
        throttle.recordSuccess(tx, keys);
        SessionIssuer issuer(server);
        nlohmann::json tokens =
            issuer.start(tx, account->userId, account->partnerId, mfaEnrollmentOnly, ctx.address());
        event.details["mfa"] = mfaEnrolled;
        event.details["session_id"] = tokens["session_id"];
        ctx.audit(tx, event);
        tx.commit();
        return tokens;
    }();
    // A stronger hash once the whole sign-in has succeeded (never before the second factor is checked, or
    // its cost would time which passwords are right), outside any transaction.
    if (server.hasher.needsRehash(account->passwordHash)) {
        const std::string stronger = server.hasher.hash(password);
        auto lease = server.pool.acquire();
        ScopedTransaction upgrade(*lease, SystemAccess{"upgrade a password hash"});
        upgrade.sql().exec_params("UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $3",
                                  account->userId, stronger, account->passwordHash);
        upgrade.commit();
    }
    return ApiResponse::json(tokens);
}

ApiResponse refresh(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string token = fields.requiredString("refresh_token", 1, 256);
    fields.finish();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"refresh a session"});
    AuditEvent event = ctx.auditEvent("auth.refresh", "session", "");
    const auto rows = tx.sql().exec_params(
        "SELECT rt.session_id, rt.used_at IS NOT NULL, s.revoked_at IS NOT NULL OR s.expires_at <= now() "
        "OR u.disabled_at IS NOT NULL, s.user_id, s.partner_id, u.email, s.mfa_enrollment_only "
        "FROM refresh_tokens rt JOIN auth_sessions s ON s.id = rt.session_id JOIN users u ON u.id = "
        "s.user_id "
        "WHERE rt.token_hash = $1 FOR UPDATE OF rt, s",
        crypto::Digest::sha256Hex(token));
    auto refuse = [&](const std::string& code, const std::string& message, const std::string& reason) {
        event.result = "failure";
        event.details["reason"] = reason;
        if (rows.empty())
            ctx.auditNoise(tx, event); // a token nobody holds: anyone can send one
        else
            ctx.audit(tx, event);
        tx.commit();
        throw ApiError::unauthorized(code, message);
    };
    if (rows.empty())
        refuse("invalid_refresh_token", "the refresh token is not valid; sign in again",
               "unknown refresh token");
    const auto& row = rows[0];
    const std::string sessionId = row[0].as<std::string>();
    event.resourceId = sessionId;
    event.partnerId = row[4].as<std::string>();
    event.actorType = "user";
    event.actorId = row[3].as<std::string>();
    event.actorLabel = row[5].as<std::string>();
    if (row[1].as<bool>()) {
        // A refresh token presented twice means two parties hold it: end the whole session for both.
        tx.sql().exec_params(
            "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'refresh_token_reuse' "
            "WHERE id = $1 AND revoked_at IS NULL",
            sessionId);
        refuse("refresh_token_reused",
               "this refresh token was already used, so the session has been ended for safety; sign in again",
               "refresh token reuse: session revoked");
    }
    if (row[2].as<bool>())
        refuse("session_ended", "this session has ended; sign in again", "session revoked or expired");
    tx.sql().exec_params("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1",
                         crypto::Digest::sha256Hex(token));
    SessionIssuer issuer(ctx.server);
    nlohmann::json tokens = issuer.rotate(tx, sessionId, row[3].as<std::string>(), row[6].as<bool>());
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(tokens);
}

ApiResponse logout(RequestContext& ctx) {
    const auto& user = requireUser(ctx);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"end own session"});
    tx.sql().exec_params("UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'logout' "
                         "WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                         user.sessionId, user.id);
    ctx.audit(tx, ctx.auditEvent("auth.logout", "session", user.sessionId));
    tx.commit();
    return ApiResponse::noContent();
}

nlohmann::json grantsJson(const Principal& principal) {
    nlohmann::json grants = nlohmann::json::array();
    for (const auto& grant : principal.grants) {
        nlohmann::json permissionList = nlohmann::json::array();
        for (const auto& p : grant.permissions)
            permissionList.push_back(p);
        grants.push_back(
            {{"role_id", grant.roleId},
             {"role", grant.roleName},
             {"org_id", grant.orgId ? nlohmann::json(*grant.orgId) : nlohmann::json(nullptr)},
             {"site_ids", grant.siteIds ? nlohmann::json(*grant.siteIds) : nlohmann::json(nullptr)},
             {"permissions", permissionList}});
    }
    return grants;
}

ApiResponse me(RequestContext& ctx) {
    const auto& principal = ctx.principal();
    nlohmann::json body = {{"kind", principal.actorType()},
                           {"id", principal.id},
                           {"partner_id", principal.partnerId},
                           {"grants", grantsJson(principal)}};
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"read own account"});
    // The MSP's name heads the console's tree.
    body["partner_name"] =
        tx.sql()
            .exec_params1("SELECT name FROM partners WHERE id = $1", principal.partnerId)[0]
            .as<std::string>();
    if (principal.kind == Principal::Kind::ApiKey) {
        body["name"] = principal.label;
        return ApiResponse::json(body);
    }
    const auto row =
        tx.sql().exec_params1("SELECT u.email, u.display_name, u.home_org_id, u.totp_secret_sealed IS NOT "
                              "NULL, u.mfa_required OR p.require_mfa "
                              "FROM users u JOIN partners p ON p.id = u.partner_id WHERE u.id = $1",
                              principal.id);
    tx.commit();
    body["email"] = row[0].as<std::string>();
    body["display_name"] = row[1].as<std::string>();
    body["home_org_id"] =
        row[2].is_null() ? nlohmann::json(nullptr) : nlohmann::json(row[2].as<std::string>());
    body["mfa_enabled"] = row[3].as<bool>();
    body["mfa_required"] = row[4].as<bool>();
    body["session_id"] = principal.sessionId;
    body["mfa_enrollment_required"] = principal.mfaEnrollmentOnly;
    return ApiResponse::json(body);
}

// Routes that re-check a signed-in user's password count wrong ones like sign-in does, so a stolen access
// token is no way to guess the password either.
LoginThrottle::Keys passwordKeys(RequestContext& ctx, const std::string& userId) {
    return LoginThrottle::Keys::of("user:" + userId, addressBucket(ctx.address()));
}

// The account's password hash and e-mail, read in a transaction of their own so the hash can be checked
// outside any; 429 while wrong passwords for this account from here are over the limit.
std::pair<std::string, std::string> passwordOf(RequestContext& ctx, const std::string& userId) {
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"read own password hash"});
    if (const int wait = throttleOf(ctx.server).standing(tx, passwordKeys(ctx, userId)).blockedSeconds;
        wait > 0)
        throw tooManyAttempts(wait);
    const auto row = tx.sql().exec_params1("SELECT password_hash, email FROM users WHERE id = $1", userId);
    tx.commit();
    return {row[0].as<std::string>(), row[1].as<std::string>()};
}

void countWrongPassword(RequestContext& ctx, const std::string& userId) {
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"count a wrong password"});
    throttleOf(ctx.server).recordFailure(tx, passwordKeys(ctx, userId));
    tx.commit();
}

ApiResponse changePassword(RequestContext& ctx) {
    const auto& user = requireUser(ctx);
    auto fields = ctx.fields();
    const std::string current = fields.requiredString("current_password", 1, 1024);
    const std::string next = fields.requiredString("new_password", 1, 1024);
    fields.finish();
    // Argon2id (the check and the new hash) runs between two transactions; the update then applies only if
    // the password is still the one checked.
    const auto [storedHash, email] = passwordOf(ctx, user.id);
    if (!ctx.server.hasher.verify(storedHash, current)) {
        countWrongPassword(ctx, user.id);
        throw ApiError(403, "wrong_password", "the current password is wrong");
    }
    checkNewPassword(next, email, ctx.server.config.passwordMinLength);
    const std::string nextHash = ctx.server.hasher.hash(next);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"change own password"});
    if (tx.sql()
            .exec_params(
                "UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() "
                "WHERE id = $1 AND password_hash = $3",
                user.id, nextHash, storedHash)
            .affected_rows() == 0)
        throw ApiError::conflict("the password was changed meanwhile; try again");
    // Every other sign-in of this account ends: a changed password is often a reaction to a leak.
    const auto ended = tx.sql().exec_params(
        "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'password_changed' "
        "WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id",
        user.id, user.sessionId);
    AuditEvent event = ctx.auditEvent("auth.password_change", "user", user.id);
    event.details = {{"other_sessions_ended", ended.size()}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}

// --- MFA -------------------------------------------------------------------------------------------------

struct MfaState {
    std::optional<std::string> secret;
    std::optional<std::string> pending;
    std::int64_t lastStep;
    bool required;
    std::string passwordHash;
    std::string email;
};

MfaState loadMfaState(RequestContext& ctx, ScopedTransaction& tx, const std::string& userId) {
    const auto row = tx.sql().exec_params1(
        "SELECT u.totp_secret_sealed, u.totp_pending_sealed, coalesce(u.totp_last_step, 0), "
        "u.mfa_required OR p.require_mfa, u.password_hash, u.email FROM users u JOIN partners p ON p.id = "
        "u.partner_id "
        "WHERE u.id = $1 FOR UPDATE OF u",
        userId);
    MfaState state{std::nullopt,
                   std::nullopt,
                   row[2].as<std::int64_t>(),
                   row[3].as<bool>(),
                   row[4].as<std::string>(),
                   row[5].as<std::string>()};
    if (!row[0].is_null())
        state.secret = ctx.server.sealer.open(row[0].as<std::string>());
    if (!row[1].is_null())
        state.pending = ctx.server.sealer.open(row[1].as<std::string>());
    return state;
}

std::int64_t requireTotp(ScopedTransaction& tx, const std::string& userId, const std::string& secret,
                         const std::string& code, std::int64_t lastStep) {
    const auto step = crypto::Totp::matchingStep(secret, code, now());
    if (!step || *step <= lastStep)
        throw ApiError(400, "invalid_totp", "the authenticator code is wrong or was already used");
    tx.sql().exec_params("UPDATE users SET totp_last_step = $2 WHERE id = $1", userId, *step);
    return *step;
}

ApiResponse mfaSetup(RequestContext& ctx) {
    const auto& user = requireUser(ctx);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"own MFA enrolment"});
    const MfaState state = loadMfaState(ctx, tx, user.id);
    if (state.secret)
        throw ApiError::conflict(
            "multi-factor authentication is already enabled; disable it first to re-enrol");
    const std::string secret = MfaCredentials::newTotpSecret();
    tx.sql().exec_params("UPDATE users SET totp_pending_sealed = $2 WHERE id = $1", user.id,
                         ctx.server.sealer.seal(secret));
    ctx.audit(tx, ctx.auditEvent("auth.mfa_setup", "user", user.id));
    tx.commit();
    const std::string base32 = encoding::base32Encode(secret);
    return ApiResponse::json(
        {{"secret", base32}, {"otpauth_uri", crypto::Totp::provisioningUri("Breeze", state.email, base32)}});
}

ApiResponse mfaEnable(RequestContext& ctx) {
    const auto& user = requireUser(ctx);
    auto fields = ctx.fields();
    const std::string code = fields.requiredString("totp", 1, 16);
    fields.finish();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"own MFA enrolment"});
    const MfaState state = loadMfaState(ctx, tx, user.id);
    if (state.secret)
        throw ApiError::conflict("multi-factor authentication is already enabled");
    if (!state.pending)
        throw ApiError::conflict("start with POST /api/v1/auth/mfa/setup");
    requireTotp(tx, user.id, *state.pending, code, 0);
    tx.sql().exec_params(
        "UPDATE users SET totp_secret_sealed = totp_pending_sealed, totp_pending_sealed = NULL, "
        "updated_at = now() WHERE id = $1",
        user.id);
    tx.sql().exec_params("UPDATE auth_sessions SET mfa_enrollment_only = false WHERE id = $1",
                         user.sessionId);
    const auto codes = MfaCredentials::issueRecoveryCodes(tx, user.id);
    ctx.audit(tx, ctx.auditEvent("auth.mfa_enable", "user", user.id));
    tx.commit();
    return ApiResponse::json({{"recovery_codes", codes}});
}

ApiResponse mfaDisable(RequestContext& ctx) {
    const auto& user = requireUser(ctx);
    auto fields = ctx.fields();
    const std::string password = fields.requiredString("password", 1, 1024);
    const std::string code = fields.requiredString("totp", 1, 16);
    fields.finish();
    const std::string checkedHash = passwordOf(ctx, user.id).first;
    const bool passwordRight = ctx.server.hasher.verify(checkedHash, password);
    if (!passwordRight) {
        countWrongPassword(ctx, user.id);
        throw ApiError(403, "wrong_password", "the password is wrong");
    }
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"own MFA enrolment"});
    const MfaState state = loadMfaState(ctx, tx, user.id);
    if (!state.secret)
        throw ApiError::conflict("multi-factor authentication is not enabled");
    if (state.required)
        throw ApiError(409, "mfa_required_by_policy",
                       "your organisation requires multi-factor authentication");
    if (state.passwordHash != checkedHash) // changed meanwhile
        throw ApiError(403, "wrong_password", "the password is wrong");
    requireTotp(tx, user.id, *state.secret, code, state.lastStep);
    tx.sql().exec_params(
        "UPDATE users SET totp_secret_sealed = NULL, totp_pending_sealed = NULL, totp_last_step = NULL, "
        "updated_at = now() WHERE id = $1",
        user.id);
    tx.sql().exec_params("DELETE FROM recovery_codes WHERE user_id = $1", user.id);
    ctx.audit(tx, ctx.auditEvent("auth.mfa_disable", "user", user.id));
    tx.commit();
    return ApiResponse::noContent();
}

ApiResponse mfaRecoveryCodes(RequestContext& ctx) {
    const auto& user = requireUser(ctx);
    auto fields = ctx.fields();
    const std::string code = fields.requiredString("totp", 1, 16);
    fields.finish();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"own MFA enrolment"});
    const MfaState state = loadMfaState(ctx, tx, user.id);
    if (!state.secret)
        throw ApiError::conflict("multi-factor authentication is not enabled");
    requireTotp(tx, user.id, *state.secret, code, state.lastStep);
    const auto codes = MfaCredentials::issueRecoveryCodes(tx, user.id);
    ctx.audit(tx, ctx.auditEvent("auth.mfa_recovery_codes", "user", user.id));
    tx.commit();
    return ApiResponse::json({{"recovery_codes", codes}});
}
} // namespace

void registerAuthRoutes(Router& router) {
    router.add({"POST", "/api/v1/auth/login", "auth.login", RouteAccess::Public, login});
    router.add({"POST", "/api/v1/auth/refresh", "auth.refresh", RouteAccess::Public, refresh});
    router.add({"POST", "/api/v1/auth/logout", "auth.logout", RouteAccess::MfaEnrollment, logout});
    router.add({"GET", "/api/v1/auth/me", "", RouteAccess::MfaEnrollment, me});
    router.add({"POST", "/api/v1/auth/password", "auth.password_change", RouteAccess::MfaEnrollment,
                changePassword});
    router.add({"POST", "/api/v1/auth/mfa/setup", "auth.mfa_setup", RouteAccess::MfaEnrollment, mfaSetup});
    router.add({"POST", "/api/v1/auth/mfa/enable", "auth.mfa_enable", RouteAccess::MfaEnrollment, mfaEnable});
    router.add(
        {"POST", "/api/v1/auth/mfa/disable", "auth.mfa_disable", RouteAccess::Authenticated, mfaDisable});
    router.add({"POST", "/api/v1/auth/mfa/recovery-codes", "auth.mfa_recovery_codes",
                RouteAccess::Authenticated, mfaRecoveryCodes});
}

} // namespace breeze::server
