// Sign-in, MFA, refresh rotation and reuse detection, sign-out, password change, API keys and throttling, all
// against the real server over TLS with a real PostgreSQL.
#include "TestPostgres.h"
#include "TestServer.h"
#include "crypto/Totp.h"
#include "encoding/Base32.h"

#include <QtTest>
#include <ctime>
#include <thread>

using namespace breeze;
using test::TestServer;

class TestAuth final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<TestServer> m_server;
    test::AdminCredentials m_admin;
    std::unique_ptr<net::RestClient> m_api; // the partner admin
    int m_userCount = 0;

    // A password-only user of the admin's partner with the given role across the partner.
    std::pair<std::string, std::string> createUser(const std::string& role = "read-only") {
        const std::string email = "user" + std::to_string(++m_userCount) + "@auth.test";
        const std::string password = "a long password " + std::to_string(m_userCount);
        const auto response =
            m_api->post("/api/v1/users", {{"email", email}, {"password", password}, {"role", role}});
        if (response.status != 201)
            qFatal("user creation failed: %s", response.raw.c_str());
        return {email, password};
    }

    net::RestResponse login(const std::string& email, const std::string& password,
                            const nlohmann::json& extra = nlohmann::json::object()) {
        nlohmann::json body = {{"email", email}, {"password", password}};
        body.update(extra);
        return m_server->client()->post("/api/v1/auth/login", body);
    }

    std::unique_ptr<net::RestClient> withToken(const std::string& token) {
        auto api = m_server->client();
        api->setBearer(token);
        return api;
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_server = std::make_unique<TestServer>(*m_postgres, "auth");
        m_admin = m_server->bootstrap("admin@auth.test", "Auth MSP", false);
        m_api = m_server->signIn(m_admin.email, m_admin.password, m_admin.totpSecret);
    }

    void wrongPasswordAndUnknownEmailLookTheSame() {
        const auto [email, password] = createUser();
        const auto wrong = login(email, password + "x");
        const auto unknown = login("nobody@auth.test", password);
        QCOMPARE(wrong.status, 401);
        QCOMPARE(unknown.status, 401);
        QCOMPARE(wrong.errorCode(), std::string("invalid_credentials"));
        QCOMPARE(wrong.raw, unknown.raw);
        QCOMPARE(login(email, password).status, 200);
    }

    void mfaIsRequiredAndCodesCannotBeReplayed() {
        const auto missing = login(m_admin.email, m_admin.password);
        QCOMPARE(missing.status, 401);
        QCOMPARE(missing.errorCode(), std::string("mfa_required"));
        const std::string code =
            test::totpAhead(m_admin.totpSecret); // one step past the sign-in of initTestCase
        QCOMPARE(login(m_admin.email, m_admin.password, {{"totp", "000000"}}).errorCode(),
                 std::string("invalid_totp"));
        QCOMPARE(login(m_admin.email, m_admin.password, {{"totp", code}}).status, 200);
        const auto replay = login(m_admin.email, m_admin.password, {{"totp", code}});
        QCOMPARE(replay.status, 401);
        QCOMPARE(replay.errorCode(), std::string("invalid_totp"));
    }

    void recoveryCodesWorkOnce() {
        const std::string code = m_admin.recoveryCodes.at(0);
        QCOMPARE(login(m_admin.email, m_admin.password, {{"recovery_code", code}}).status, 200);
        QCOMPARE(login(m_admin.email, m_admin.password, {{"recovery_code", code}}).errorCode(),
                 std::string("invalid_recovery_code"));
        // Case and dashes do not matter when typing one in.
        std::string sloppy = m_admin.recoveryCodes.at(1);
        sloppy.erase(std::remove(sloppy.begin(), sloppy.end(), '-'), sloppy.end());
        std::transform(sloppy.begin(), sloppy.end(), sloppy.begin(),
                       [](unsigned char c) { return std::toupper(c); });
        QCOMPARE(login(m_admin.email, m_admin.password, {{"recovery_code", sloppy}}).status, 200);
    }

    void refreshRotatesAndReuseEndsTheSession() {
        const auto [email, password] = createUser();
        const auto first = login(email, password);
        QCOMPARE(first.status, 200);
        const std::string r1 = first.body["refresh_token"];
        auto api = m_server->client();
        const auto second = api->post("/api/v1/auth/refresh", {{"refresh_token", r1}});
        QCOMPARE(second.status, 200);
        const std::string r2 = second.body["refresh_token"];
        const std::string a2 = second.body["access_token"];
        QVERIFY(r2 != r1);
        QCOMPARE(withToken(a2)->get("/api/v1/auth/me").status, 200);

        // r1 again: somebody else has it. The whole session ends, including tokens issued after r1.
        const auto reuse = api->post("/api/v1/auth/refresh", {{"refresh_token", r1}});
        QCOMPARE(reuse.status, 401);
        QCOMPARE(reuse.errorCode(), std::string("refresh_token_reused"));
        QCOMPARE(withToken(a2)->get("/api/v1/auth/me").errorCode(), std::string("session_ended"));
        QCOMPARE(api->post("/api/v1/auth/refresh", {{"refresh_token", r2}}).errorCode(),
                 std::string("session_ended"));
        QCOMPARE(api->post("/api/v1/auth/refresh", {{"refresh_token", "brr_made_up"}}).errorCode(),
                 std::string("invalid_refresh_token"));
        // The reuse is in the audit log.
        const auto audit = m_api->get("/api/v1/audit?action=auth.refresh&result=failure");
        bool found = false;
        for (const auto& entry : audit.body["items"])
            found = found || entry["details"]["reason"] == "refresh token reuse: session revoked";
        QVERIFY(found);
    }

    void logoutEndsTheSession() {
        const auto [email, password] = createUser();
        const auto session = login(email, password);
        auto api = withToken(session.body["access_token"]);
        QCOMPARE(api->post("/api/v1/auth/logout", nlohmann::json::object()).status, 204);
        QCOMPARE(api->get("/api/v1/auth/me").status, 401);
        QCOMPARE(m_server->client()
                     ->post("/api/v1/auth/refresh", {{"refresh_token", session.body["refresh_token"]}})
                     .status,
                 401);
    }

    void passwordChangeEndsOtherSessions() {
        const auto [email, password] = createUser();
        auto one = withToken(login(email, password).body["access_token"]);
        auto two = withToken(login(email, password).body["access_token"]);
        const auto weak =
            one->post("/api/v1/auth/password", {{"current_password", password}, {"new_password", "short"}});
        QCOMPARE(weak.status, 400);
        QVERIFY(weak.errorMessage().find("at least 12 characters") != std::string::npos);
        QCOMPARE(one->post("/api/v1/auth/password",
                           {{"current_password", "wrong"}, {"new_password", "another long one"}})
                     .status,
                 403);
        QCOMPARE(one->post("/api/v1/auth/password",
                           {{"current_password", password}, {"new_password", "another long one"}})
                     .status,
                 204);
        QCOMPARE(one->get("/api/v1/auth/me").status, 200);
        QCOMPARE(two->get("/api/v1/auth/me").status, 401);
        QCOMPARE(login(email, password).status, 401);
        QCOMPARE(login(email, "another long one").status, 200);
    }

    void aStolenTokenIsNoWayToGuessThePassword() {
        const auto [email, password] = createUser();
        auto api = withToken(login(email, password).body["access_token"]);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(api->post("/api/v1/auth/password",
                               {{"current_password", "guess " + std::to_string(i)}, {"new_password", "x"}})
                         .errorCode(),
                     std::string("wrong_password"));
        // Counted like sign-ins: even the right password is now refused from here for the window.
        const auto throttled = api->post("/api/v1/auth/password", {{"current_password", password},
                                                                   {"new_password", "a new long password"}});
        QCOMPARE(throttled.status, 429);
        QCOMPARE(login(email, password).status, 429);
    }

    void enforcedMfaMustBeEnrolledFirst() {
        const auto [email, password] = createUser("org-admin");
        QCOMPARE(m_api->patch("/api/v1/partners/" + m_admin.partnerId, {{"require_mfa", true}}).status, 200);
        const auto session = login(email, password);
        QCOMPARE(session.status, 200);
        QCOMPARE(session.body["mfa_enrollment_required"].get<bool>(), true);
        auto api = withToken(session.body["access_token"]);
        const auto blocked = api->get("/api/v1/orgs");
        QCOMPARE(blocked.status, 403);
        QCOMPARE(blocked.errorCode(), std::string("mfa_enrollment_required"));
        QCOMPARE(api->get("/api/v1/auth/me").status, 200);

        const auto setup = api->post("/api/v1/auth/mfa/setup", nlohmann::json::object());
        QCOMPARE(setup.status, 200);
        const std::string secret = setup.body["secret"];
        QVERIFY(setup.body["otpauth_uri"].get<std::string>().starts_with("otpauth://totp/Breeze:"));
        QCOMPARE(api->post("/api/v1/auth/mfa/enable", {{"totp", "123456"}}).errorCode(),
                 std::string("invalid_totp"));
        const auto enabled = api->post("/api/v1/auth/mfa/enable", {{"totp", test::totpNow(secret)}});
        QCOMPARE(enabled.status, 200);
        QCOMPARE(enabled.body["recovery_codes"].size(), std::size_t(10));
        QCOMPARE(api->get("/api/v1/orgs").status, 200); // the same session is now complete
        // Policy forbids turning it off again.
        QCOMPARE(
            api->post("/api/v1/auth/mfa/disable", {{"password", password}, {"totp", test::totpAhead(secret)}})
                .errorCode(),
            std::string("mfa_required_by_policy"));
        QCOMPARE(login(email, password).errorCode(), std::string("mfa_required"));
        QCOMPARE(m_api->patch("/api/v1/partners/" + m_admin.partnerId, {{"require_mfa", false}}).status, 200);
    }

    void disablingOrDeletingAUserEndsTheirSessionsAndKeys() {
        const std::string org = m_api->post("/api/v1/orgs", {{"name", "Leavers Org"}}).body["id"];
        // Each user signs in and makes an API key; both must stop working when the account goes.
        auto enter = [&] {
            const auto [email, password] = createUser("partner-admin");
            auto api = withToken(login(email, password).body["access_token"]);
            const std::string userId = api->get("/api/v1/auth/me").body["id"];
            const auto key =
                api->post("/api/v1/api-keys", {{"name", "job"}, {"org_id", org}, {"role", "read-only"}});
            if (key.status != 201)
                qFatal("key creation failed: %s", key.raw.c_str());
            auto keyApi = withToken(key.body["key"]);
            if (keyApi->get("/api/v1/orgs").status != 200)
                qFatal("the new key does not work");
            return std::make_tuple(email, password, userId, std::move(api), std::move(keyApi));
        };

        auto [email, password, userId, api, keyApi] = enter();
        QCOMPARE(m_api->patch("/api/v1/users/" + userId, {{"disabled", true}}).status, 200);
        QCOMPARE(api->get("/api/v1/auth/me").status, 401);
        QCOMPARE(keyApi->get("/api/v1/orgs").status, 401);
        QCOMPARE(login(email, password).errorCode(), std::string("account_disabled"));
        QCOMPARE(m_api->patch("/api/v1/users/" + userId, {{"disabled", false}}).status, 200);
        QCOMPARE(login(email, password).status, 200);
        // Enabling the account again does not bring its keys back: they were revoked, not paused.
        QCOMPARE(keyApi->get("/api/v1/orgs").status, 401);

        auto [email2, password2, userId2, api2, keyApi2] = enter();
        QCOMPARE(m_api->del("/api/v1/users/" + userId2).status, 204);
        QCOMPARE(api2->get("/api/v1/auth/me").status, 401);
        QCOMPARE(keyApi2->get("/api/v1/orgs").status, 401);
        QCOMPARE(login(email2, password2).status, 401);
    }

    void apiKeysAreScopedToTheirOrganisationAndRole() {
        const std::string orgA = m_api->post("/api/v1/orgs", {{"name", "Key Org A"}}).body["id"];
        const std::string orgB = m_api->post("/api/v1/orgs", {{"name", "Key Org B"}}).body["id"];
        const auto created = m_api->post("/api/v1/api-keys",
                                         {{"name", "monitoring"}, {"org_id", orgA}, {"role", "read-only"}});
        QCOMPARE(created.status, 201);
        const std::string secret = created.body["key"];
        QVERIFY(secret.starts_with("brz_"));
        QVERIFY(m_api->get("/api/v1/api-keys/" + created.body["id"].get<std::string>())
                    .body.dump()
                    .find(secret) == std::string::npos);

        auto key = withToken(secret);
        const auto orgs = key->get("/api/v1/orgs");
        QCOMPARE(orgs.status, 200);
        QCOMPARE(orgs.body["items"].size(), std::size_t(1));
        QCOMPARE(orgs.body["items"][0]["id"].get<std::string>(), orgA);
        QCOMPARE(key->get("/api/v1/orgs/" + orgB).status, 404);
        QCOMPARE(key->post("/api/v1/orgs", {{"name", "nope"}}).status, 403);
        QCOMPARE(key->patch("/api/v1/orgs/" + orgA, {{"name", "renamed"}}).status, 403);
        QCOMPARE(key->get("/api/v1/auth/me").body["kind"].get<std::string>(), std::string("api_key"));
        QVERIFY(!m_api->get("/api/v1/api-keys/" + created.body["id"].get<std::string>())
                     .body["last_used_at"]
                     .is_null());

        QCOMPARE(m_api->del("/api/v1/api-keys/" + created.body["id"].get<std::string>()).status, 204);
        const auto revoked = key->get("/api/v1/orgs");
        QCOMPARE(revoked.status, 401);
        QCOMPARE(revoked.errorCode(), std::string("invalid_api_key"));
        QCOMPARE(withToken("brz_not_a_key")->get("/api/v1/orgs").status, 401);
        QCOMPARE(withToken("not.a.jwt")->get("/api/v1/orgs").errorCode(), std::string("invalid_token"));
        QCOMPARE(m_server->client()->get("/api/v1/orgs").errorCode(), std::string("authentication_required"));
    }

    void throttlingAnswers429PerAccountThenPerAddress() {
        // Its own server and database, so the counters start at zero and nothing else is blocked.
        TestServer server(*m_postgres, "auth_throttle",
                          {{"auth.throttle_window_seconds", "3"},
                           {"auth.throttle_account_failures", "3"},
                           {"auth.throttle_address_failures", "6"}});
        const auto admin = server.bootstrap("throttle@auth.test", "Throttle MSP", false);
        auto api = server.client();
        int claimed = 0;
        auto attempt = [&](const std::string& email, const std::string& password) {
            // No proxy is trusted here, so a forged X-Forwarded-For changes nothing.
            api->setHeader("X-Forwarded-For", "192.0.2." + std::to_string(++claimed));
            return api->post("/api/v1/auth/login", {{"email", email}, {"password", password}});
        };
        for (int i = 0; i < 3; ++i)
            QCOMPARE(attempt(admin.email, "wrong password").status, 401);
        // Even the right password is refused now, with a time to wait.
        const auto blocked = attempt(admin.email, admin.password);
        QCOMPARE(blocked.status, 429);
        QCOMPARE(blocked.errorCode(), std::string("too_many_attempts"));
        QVERIFY(blocked.headers.contains("Retry-After"));
        QVERIFY(std::stoi(blocked.headers.at("Retry-After")) >= 1);
        // Three more failures on other accounts trip the per-address limit for everyone at this address.
        for (int i = 0; i < 3; ++i)
            QCOMPARE(attempt("guess" + std::to_string(i) + "@auth.test", "x").status, 401);
        QCOMPARE(attempt("fresh@auth.test", "x").status, 429);
        std::this_thread::sleep_for(std::chrono::milliseconds(3500));
        const auto after = attempt(admin.email, admin.password);
        QCOMPARE(after.status, 401);
        QCOMPARE(after.errorCode(), std::string("mfa_required")); // the password was accepted again
    }

    void anAttackerCannotLockTheOwnerOut() {
        // Behind a trusted proxy (this test's client), X-Forwarded-For gives each request its own address.
        TestServer server(*m_postgres, "auth_spread",
                          {{"auth.throttle_window_seconds", "120"},
                           {"auth.throttle_account_failures", "3"},
                           {"auth.throttle_address_failures", "100"},
                           {"auth.throttle_account_total_failures", "8"},
                           {"http.trusted_proxies", "127.0.0.1, ::1"}});
        const auto owner = server.bootstrap("kim@spread.test", "Spread MSP", false);
        const auto secret = *encoding::base32Decode(owner.totpSecret);
        const auto code = [&](int stepsAhead) {
            return crypto::Totp::codeForStep(secret, crypto::Totp::stepAt(std::time(nullptr)) + stepsAhead);
        };
        auto from = [&](const std::string& address, const std::string& password,
                        const std::optional<std::string>& totp = std::nullopt) {
            auto api = server.client();
            api->setHeader("X-Forwarded-For", address);
            nlohmann::json body = {{"email", owner.email}, {"password", password}};
            if (totp)
                body["totp"] = *totp;
            return api->post("/api/v1/auth/login", body);
        };
        const auto auditCount = [&](const QString& reason) {
            return m_postgres
                ->superuserSql("auth_spread",
                               "SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND "
                               "details->>'reason' = '" +
                                   reason + "'")
                .trimmed()
                .toInt();
        };

        // One address guessing is stopped there, after three failures...
        for (int i = 0; i < 3; ++i)
            QCOMPARE(from("203.0.113.1", "wrong password").status, 401);
        QCOMPARE(from("203.0.113.1", owner.password, code(0)).status, 429);
        // Another spelling PostgreSQL folds to the same account (a Kelvin sign for the k) is the same
        // account.
        {
            auto api = server.client();
            api->setHeader("X-Forwarded-For", "203.0.113.1");
            const auto kelvin = api->post(
                "/api/v1/auth/login", {{"email", "\u212Aim@spread.test"}, {"password", "wrong password"}});
            QCOMPARE(kelvin.status, 429);
        }
        // ...while the owner, elsewhere, signs in with the password and the authenticator.
        QCOMPARE(from("198.51.100.7", owner.password, code(0)).status, 200);

        // Many addresses guessing: past eight failures in all (the two refusals above count), the account is
        // under attack.
        for (int i = 0; i < 3; ++i)
            QCOMPARE(from("203.0.113." + std::to_string(10 + i), "wrong password").status, 401);
        // A new address is now refused unchecked: even the right password gets 429, not "mfa_required",
        // so guessing the password learns nothing...
        const auto unchecked = from("203.0.113.50", owner.password);
        QCOMPARE(unchecked.status, 429);
        QCOMPARE(unchecked.errorCode(), std::string("too_many_attempts"));
        QVERIFY(unchecked.headers.contains("Retry-After"));
        // ...and a guess that carries a code is checked but answered the same way when it fails.
        QCOMPARE(from("203.0.113.51", "wrong password", "000000").status, 429);
        // The owner still gets in: from a new address with password and authenticator...
        QCOMPARE(from("198.51.100.8", owner.password, code(1)).status, 200);
        // ...and from an address they signed in from before, where the password alone is checked as usual.
        QCOMPARE(from("198.51.100.7", owner.password).errorCode(), std::string("mfa_required"));

        // Each checked failure is one audit row; refusals made unchecked are sampled, one per address here.
        QCOMPARE(auditCount("wrong password"), 7);
        QVERIFY(auditCount("throttled") >= 1 && auditCount("throttled") <= 2); // sampled per minute

        QCOMPARE(auditCount("account under attack"), 1);
    }

    void everyNodeSeesAnAccessChangeWithItsNextRequest() {
        // A second node on the same database and keys; each caches who a token or key belongs to.
        TestServer other(*m_postgres, "auth",
                         {{"database.url", m_server->databaseUrl().toStdString()},
                          {"server.state_dir", m_server->stateDir()}});
        auto onOther = [&](const std::string& token) {
            auto api = other.client();
            api->setBearer(token);
            return api;
        };
        const auto [email, password] = createUser("read-only");
        const std::string token = login(email, password).body["access_token"];
        const std::string userId = withToken(token)->get("/api/v1/auth/me").body["id"];
        auto there = onOther(token);
        for (int i = 0; i < 3; ++i) // warm: the other node now answers from its cache
            QCOMPARE(there->post("/api/v1/orgs", {{"name", "Not allowed"}}).status, 403);
        // A grant made on this node holds on the other with the very next request...
        const auto grant = m_api->post("/api/v1/users/" + userId + "/grants", {{"role", "partner-admin"}});
        QCOMPARE(grant.status, 201);
        QCOMPARE(there->post("/api/v1/orgs", {{"name", "Granted elsewhere"}}).status, 201);
        // ...and so does taking it away, and disabling the account.
        std::string grantId;
        for (const auto& g : grant.body["grants"])
            if (g["role"] == "partner-admin")
                grantId = g["id"];
        QCOMPARE(m_api->del("/api/v1/users/" + userId + "/grants/" + grantId).status, 204);
        QCOMPARE(there->post("/api/v1/orgs", {{"name", "Revoked elsewhere"}}).status, 403);
        QCOMPARE(m_api->patch("/api/v1/users/" + userId, {{"disabled", true}}).status, 200);
        QCOMPARE(there->get("/api/v1/auth/me").status, 401);
        // An API key revoked on one node stops working on the other at once.
        const std::string org = m_api->post("/api/v1/orgs", {{"name", "Epoch Org"}}).body["id"];
        const auto key =
            m_api->post("/api/v1/api-keys", {{"name", "epoch"}, {"org_id", org}, {"role", "read-only"}});
        auto keyThere = onOther(key.body["key"]);
        QCOMPARE(keyThere->get("/api/v1/orgs").status, 200);
        QCOMPARE(keyThere->get("/api/v1/orgs").status, 200);
        QCOMPARE(m_api->del("/api/v1/api-keys/" + key.body["id"].get<std::string>()).status, 204);
        QCOMPARE(keyThere->get("/api/v1/orgs").status, 401);
    }

    void cleanupTestCase() {
        m_api.reset();
        m_server.reset();
        m_postgres.reset();
    }
};

QTEST_GUILESS_MAIN(TestAuth)
#include "TestAuth.moc"
