#include "auth/AuthRoutes.h"

#include "auth/AccountStore.h"
#include "auth/LoginThrottle.h"
#include "auth/MfaCredentials.h"
#include "auth/PasswordPolicy.h"
#include "auth/SessionIssuer.h"
#include "auth/SessionStore.h"
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
    std::optional<AccountStore::SignInAccount> account;
    bool gateRefused = false;
    {
        auto lease = server.pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"sign-in: throttle and account"});
        // The account is named as PostgreSQL finds it (lower() folds more than ASCII): counted by its id when
        // it exists, so no other spelling of the address gets a fresh budget.
        auto lookup = AccountStore(tx).lookUpSignIn(email, ctx.address());
        account = lookup.account;
        keys = LoginThrottle::Keys::of(account ? "user:" + account->userId : "email:" + lookup.foldedEmail,
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
        AccountStore accounts(tx);
        // Locked: concurrent sign-ins must not both spend the same TOTP step.
        const auto user = accounts.lockForSignIn(account->userId);
        event.partnerId = account->partnerId;
        event.actorType = "user";
        event.actorId = account->userId;
        event.resourceId = account->userId;
        if (!user)
            refuse({401, "invalid_credentials", "e-mail or password is wrong", "account removed meanwhile",
                    false});
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
        if (user->passwordHash != account->passwordHash)
            refuse({401, "invalid_credentials", "e-mail or password is wrong", "password changed meanwhile",
                    false});
        if (!passwordRight) {
            auto failure = wrongCredentials;
            failure.reason = "wrong password";
            refuse(failure);
        }
        if (user->disabled)
            refuse({401, "account_disabled", "this account is disabled", "account disabled", false});

        const bool mfaEnrolled = user->sealedTotp.has_value();
        if (mfaEnrolled) {
            if (!totp && !recoveryCode)
                refuse({401, "mfa_required", "enter the code from your authenticator app, or a recovery code",
                        "second factor missing", false});
            if (totp) {
                const auto secret = server.sealer.open(*user->sealedTotp);
                if (!secret)
                    throw std::runtime_error(
                        "stored TOTP secret cannot be opened: was sealing.key replaced?");
                const auto step = crypto::Totp::matchingStep(*secret, *totp, now());
                if (!step || *step <= user->lastTotpStep)
                    refuse({401, "invalid_totp", "the authenticator code is wrong or was already used",
                            "wrong TOTP", true});
                accounts.spendTotpStep(account->userId, *step);
            } else if (!MfaCredentials::consumeRecoveryCode(tx, account->userId, *recoveryCode)) {
                refuse({401, "invalid_recovery_code", "the recovery code is wrong or was already used",
                        "wrong recovery code", true});
            } else {
                event.details["recovery_code_used"] = true;
            }
        }
        const bool mfaEnrollmentOnly = !mfaEnrolled && user->mfaRequired;
        accounts.recordSignIn(account->userId);
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
        AccountStore(upgrade).upgradePasswordHash(account->userId, stronger, account->passwordHash);
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
    const std::string tokenHash = crypto::Digest::sha256Hex(token);
    SessionStore sessions(tx);
    const auto found = sessions.lockRefresh(tokenHash);
    auto refuse = [&](const std::string& code, const std::string& message, const std::string& reason) {
        event.result = "failure";
        event.details["reason"] = reason;
        if (!found)
            ctx.auditNoise(tx, event); // a token nobody holds: anyone can send one
        else
            ctx.audit(tx, event);
        tx.commit();
        throw ApiError::unauthorized(code, message);
    };
    if (!found)
        refuse("invalid_refresh_token", "the refresh token is not valid; sign in again",
               "unknown refresh token");
    const std::string sessionId = found->sessionId;
    event.resourceId = sessionId;
    event.partnerId = found->partnerId;
    event.actorType = "user";
    event.actorId = found->userId;
    event.actorLabel = found->email;
    if (found->alreadyUsed) {
        // A refresh token presented twice means two parties hold it: end the whole session for both.
        sessions.revoke(sessionId, "refresh_token_reuse");
        refuse("refresh_token_reused",
               "this refresh token was already used, so the session has been ended for safety; sign in again",
               "refresh token reuse: session revoked");
    }
    if (found->ended)
        refuse("session_ended", "this session has ended; sign in again", "session revoked or expired");
    sessions.markRefreshUsed(tokenHash);
    SessionIssuer issuer(ctx.server);
    nlohmann::json tokens = issuer.rotate(tx, sessionId, found->userId, found->mfaEnrollmentOnly);
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(tokens);
}

ApiResponse logout(RequestContext& ctx) {
    const auto& user = requireUser(ctx);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"end own session"});
    SessionStore(tx).endOwn(user.sessionId, user.id);
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
    AccountStore accounts(tx);
    body["partner_name"] = accounts.partnerName(principal.partnerId);
    if (principal.kind == Principal::Kind::ApiKey) {
        body["name"] = principal.label;
        return ApiResponse::json(body);
    }
    const auto profile = accounts.profile(principal.id);
    tx.commit();
    body["email"] = profile.email;
    body["display_name"] = profile.displayName;
    body["home_org_id"] = profile.homeOrgId ? nlohmann::json(*profile.homeOrgId) : nlohmann::json(nullptr);
    body["mfa_enabled"] = profile.mfaEnabled;
    body["mfa_required"] = profile.mfaRequired;
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
AccountStore::Password passwordOf(RequestContext& ctx, const std::string& userId) {
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"read own password hash"});
    if (const int wait = throttleOf(ctx.server).standing(tx, passwordKeys(ctx, userId)).blockedSeconds;
        wait > 0)
        throw tooManyAttempts(wait);
    auto password = AccountStore(tx).password(userId);
    tx.commit();
    return password;
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
    const auto stored = passwordOf(ctx, user.id);
    const std::string& storedHash = stored.hash;
    if (!ctx.server.hasher.verify(storedHash, current)) {
        countWrongPassword(ctx, user.id);
        throw ApiError(403, "wrong_password", "the current password is wrong");
    }
    checkNewPassword(next, stored.email, ctx.server.config.passwordMinLength);
    const std::string nextHash = ctx.server.hasher.hash(next);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"change own password"});
    if (!AccountStore(tx).replacePassword(user.id, nextHash, storedHash))
        throw ApiError::conflict("the password was changed meanwhile; try again");
    // Every other sign-in of this account ends: a changed password is often a reaction to a leak.
    const std::size_t ended = SessionStore(tx).endOthers(user.id, user.sessionId, "password_changed");
    AuditEvent event = ctx.auditEvent("auth.password_change", "user", user.id);
    event.details = {{"other_sessions_ended", ended}};
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
    const auto locked = AccountStore(tx).lockMfa(userId);
    MfaState state{std::nullopt,    std::nullopt,        locked.lastStep,
                   locked.required, locked.passwordHash, locked.email};
    if (locked.sealedSecret)
        state.secret = ctx.server.sealer.open(*locked.sealedSecret);
    if (locked.sealedPending)
        state.pending = ctx.server.sealer.open(*locked.sealedPending);
    return state;
}

std::int64_t requireTotp(ScopedTransaction& tx, const std::string& userId, const std::string& secret,
                         const std::string& code, std::int64_t lastStep) {
    const auto step = crypto::Totp::matchingStep(secret, code, now());
    if (!step || *step <= lastStep)
        throw ApiError(400, "invalid_totp", "the authenticator code is wrong or was already used");
    AccountStore(tx).spendTotpStep(userId, *step);
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
    AccountStore(tx).setPendingTotp(user.id, ctx.server.sealer.seal(secret));
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
    AccountStore(tx).activatePendingTotp(user.id);
    SessionStore(tx).finishMfaEnrollment(user.sessionId);
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
    const std::string checkedHash = passwordOf(ctx, user.id).hash;
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
    AccountStore(tx).removeTotp(user.id);
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
    router.add({HttpMethod::Post, "/api/v1/auth/login", "auth.login", RouteAccess::Public, login});
    router.add({HttpMethod::Post, "/api/v1/auth/refresh", "auth.refresh", RouteAccess::Public, refresh});
    router.add({HttpMethod::Post, "/api/v1/auth/logout", "auth.logout", RouteAccess::MfaEnrollment, logout});
    router.add({HttpMethod::Get, "/api/v1/auth/me", "", RouteAccess::MfaEnrollment, me});
    router.add({HttpMethod::Post, "/api/v1/auth/password", "auth.password_change", RouteAccess::MfaEnrollment,
                changePassword});
    router.add(
        {HttpMethod::Post, "/api/v1/auth/mfa/setup", "auth.mfa_setup", RouteAccess::MfaEnrollment, mfaSetup});
    router.add({HttpMethod::Post, "/api/v1/auth/mfa/enable", "auth.mfa_enable", RouteAccess::MfaEnrollment,
                mfaEnable});
    router.add({HttpMethod::Post, "/api/v1/auth/mfa/disable", "auth.mfa_disable", RouteAccess::Authenticated,
                mfaDisable});
    router.add({HttpMethod::Post, "/api/v1/auth/mfa/recovery-codes", "auth.mfa_recovery_codes",
                RouteAccess::Authenticated, mfaRecoveryCodes});
}

} // namespace breeze::server
