// Server building blocks that need no database: config, routing, scopes, field checks, tokens, sealing,
// metrics.
#include "auth/AccessScope.h"
#include "auth/AccessTokenCodec.h"
#include "auth/Delegation.h"
#include "auth/Principal.h"
#include "auth/SecretSealer.h"
#include "config/ServerConfig.h"
#include "crypto/SecureRandom.h"
#include "db/PgText.h"
#include "gateway/InboundWindow.h"
#include "gateway/StrandPool.h"
#include "http/ApiError.h"
#include "http/ClientAddress.h"
#include "http/JsonFields.h"
#include "http/Router.h"
#include "ops/MetricsRegistry.h"

#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <mutex>

using namespace breeze::server;

namespace {
const std::string kPartner = "11111111-1111-1111-1111-111111111111";
const std::string kOrgA = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
const std::string kOrgB = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb";
const std::string kSite1 = "51515151-5151-5151-5151-515151515151";
const std::string kSite2 = "52525252-5252-5252-5252-525252525252";

template <typename F> int statusOf(F&& f) {
    try {
        f();
    } catch (const ApiError& error) {
        return error.status();
    }
    return 0;
}
} // namespace

class TestServerUnits final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void configReadsFileThenEnvironment() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("c.conf").toStdString();
        std::ofstream(path)
            << "# comment\nserver.port = 9443\ndatabase.url = postgresql://x\nserver.public_names = a, b\n";
        auto config =
            ServerConfig::load(path, {{"BREEZE_SERVER_PORT", "10443"}, {"BREEZE_LOG_LEVEL", "debug"}});
        QCOMPARE(config.port, 10443);
        QCOMPARE(config.logLevel, std::string("debug"));
        QCOMPARE(config.databaseUrl, std::string("postgresql://x"));
        QCOMPARE(config.publicNames, (std::vector<std::string>{"a", "b"}));
    }

    void configRefusesUnknownKeysAndBadValues() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("c.conf").toStdString();
        std::ofstream(path) << "database.url = x\nserver.prot = 1\n";
        try {
            ServerConfig::load(path, {});
            QFAIL("an unknown key was accepted");
        } catch (const std::runtime_error& error) {
            QVERIFY(std::string(error.what()).find("c.conf:2: unknown key \"server.prot\"") !=
                    std::string::npos);
        }
        std::ofstream(path) << "database.url = x\nserver.port = 70000\n";
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, ServerConfig::load(path, {}));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, ServerConfig::load("", {})); // no database.url
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 ServerConfig::load("", {{"BREEZE_DATABASE_URL", "x"},
                                                         {"BREEZE_DATABASE_AUTO_MIGRATE", "maybe"}}));
    }

    void sampleConfigIsValid() {
        const auto config =
            ServerConfig::load(std::string(BREEZE_SOURCE_DIR) + "/resources/config/breeze-server.conf", {});
        QCOMPARE(config.port, 8443);
    }

    void clientAddressesAndTheirBuckets() {
        const std::vector<std::string> proxies{"127.0.0.1", "10.0.0.2"};
        // Only a trusted proxy's X-Forwarded-For counts, read from the right past other trusted proxies.
        QCOMPARE(clientAddress("192.0.2.7", "203.0.113.9", proxies), std::string("192.0.2.7"));
        QCOMPARE(clientAddress("127.0.0.1", "203.0.113.9", proxies), std::string("203.0.113.9"));
        QCOMPARE(clientAddress("127.0.0.1", "198.51.100.1, 203.0.113.9, 10.0.0.2", proxies),
                 std::string("203.0.113.9"));
        QCOMPARE(clientAddress("127.0.0.1", "2001:db8::5", proxies), std::string("2001:db8::5"));
        QCOMPARE(clientAddress("127.0.0.1", "not an address", proxies), std::string("127.0.0.1"));
        QCOMPARE(clientAddress("127.0.0.1", "", proxies), std::string("127.0.0.1"));
        // Limits count IPv6 by the /64 a subscriber is given.
        QCOMPARE(addressBucket("192.0.2.7"), std::string("192.0.2.7"));
        QCOMPARE(addressBucket("2001:db8:1:2:aaaa::1"), std::string("2001:db8:1:2::/64"));
        QCOMPARE(addressBucket("2001:db8:1:2:ffff::9"), addressBucket("2001:db8:1:2::1"));
        QVERIFY(addressBucket("2001:db8:1:3::1") != addressBucket("2001:db8:1:2::1"));
    }

    void routerPrefersLiteralSegmentsAndKnowsMethods() {
        Router router;
        router.add({"GET", "/api/v1/users/{id}", "", RouteAccess::Authenticated, nullptr});
        router.add({"GET", "/api/v1/users/me", "", RouteAccess::Authenticated, nullptr});
        router.add({"DELETE", "/api/v1/users/{id}/grants/{grant}", "", RouteAccess::Authenticated, nullptr});
        auto match = router.match("GET", "/api/v1/users/me");
        QCOMPARE(match.route->pattern, std::string("/api/v1/users/me"));
        match = router.match("GET", "/api/v1/users/42");
        QCOMPARE(match.params.at("id"), std::string("42"));
        match = router.match("DELETE", "/api/v1/users/1/grants/2/");
        QCOMPARE(match.params.at("grant"), std::string("2"));
        match = router.match("POST", "/api/v1/users/42");
        QVERIFY(!match.route);
        QVERIFY(match.pathKnown);
        QVERIFY(!router.match("GET", "/api/v1/nothing").pathKnown);
    }

    void principalScopesFollowGrants() {
        Principal principal;
        principal.partnerId = kPartner;
        principal.grants.push_back({"r1", "org-admin", kOrgA, std::nullopt, {"sites:read", "sites:update"}});
        principal.grants.push_back(
            {"r2", "technician", kOrgB, std::vector<std::string>{kSite1}, {"sites:read"}});
        const auto read = principal.scopeFor({"sites", "read"});
        QVERIFY(!read.isWholePartner());
        QVERIFY(read.allowsWholeOrg(kOrgA));
        QVERIFY(read.allowsOrg(kOrgB));
        QVERIFY(!read.allowsWholeOrg(kOrgB));
        QVERIFY(read.allowsSite(kOrgB, kSite1));
        QVERIFY(!read.allowsSite(kOrgB, kSite2));
        const auto update = principal.scopeFor({"sites", "update"});
        QVERIFY(update.allowsOrg(kOrgA));
        QVERIFY(!update.allowsOrg(kOrgB));
        QVERIFY(principal.scopeFor({"orgs", "delete"}).isEmpty());
        const auto sql = read.sqlSite("s.partner_id", "s.org_id", "s.id");
        QVERIFY(sql.find(kOrgA) != std::string::npos);
        QVERIFY(sql.find(kSite1) != std::string::npos);
        QVERIFY(sql.find(kSite2) == std::string::npos);
        QVERIFY_THROWS_EXCEPTION(std::logic_error, AccessScope("x'; DROP TABLE users; --"));
    }

    void jsonFieldsCheckTypesAndUnknownKeys() {
        const nlohmann::json body = {{"name", "Acme"}, {"count", 3}, {"flag", true}, {"id", kOrgA}};
        JsonFields fields(body);
        QCOMPARE(fields.requiredName("name"), std::string("Acme"));
        QCOMPARE(*fields.optionalInteger("count", 1, 5), 3LL);
        QCOMPARE(*fields.optionalBool("flag"), true);
        QCOMPARE(fields.requiredUuid("id"), kOrgA);
        fields.finish();

        // Each case: a body and what is asked of it; all must be refused with 400.
        const std::vector<std::pair<nlohmann::json, std::function<void(JsonFields&)>>> refused = {
            {nlohmann::json::array(), [](JsonFields&) {}},
            {{{"name", "ok"}, {"nmae", "typo"}},
             [](JsonFields& f) {
                 f.requiredName("name");
                 f.finish();
             }},
            {{{"name", " padded"}}, [](JsonFields& f) { f.requiredName("name"); }},
            {{{"name", "bell\x07"}}, [](JsonFields& f) { f.requiredName("name"); }},
            {{{"name", 5}}, [](JsonFields& f) { f.requiredName("name"); }},
            {nlohmann::json::object(), [](JsonFields& f) { f.requiredName("name"); }},
            {{{"count", 9}}, [](JsonFields& f) { f.optionalInteger("count", 1, 5); }},
            {{{"id", "not-a-uuid"}}, [](JsonFields& f) { f.requiredUuid("id"); }},
            {{{"ids", {kOrgA, "x"}}}, [](JsonFields& f) { f.optionalUuidList("ids", 5); }},
        };
        for (const auto& refusal : refused) {
            QCOMPARE(statusOf([&refusal] {
                         JsonFields f(refusal.first);
                         refusal.second(f);
                     }),
                     400);
        }
        // Length counts characters, not bytes: 200 two-byte characters fit a 200-character limit.
        std::string umlauts;
        for (int i = 0; i < 200; ++i)
            umlauts += "\xc3\xa4";
        const nlohmann::json wide = {{"name", umlauts}};
        QCOMPARE(JsonFields(wide).optionalString("name", 1, 200)->size(), std::size_t(400));
    }

    void accessTokensAreSignedAndExpire() {
        AccessTokenCodec codec(breeze::crypto::SecureRandom::bytes(64), std::chrono::seconds(60));
        const std::string token = codec.issue({kOrgA, kOrgB});
        const auto claims = codec.verify(token);
        QVERIFY(claims);
        QCOMPARE(claims->userId, kOrgA);
        QCOMPARE(claims->sessionId, kOrgB);
        AccessTokenCodec other(breeze::crypto::SecureRandom::bytes(64), std::chrono::seconds(60));
        QVERIFY(!other.verify(token));
        std::string tampered = token;
        tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
        QVERIFY(!codec.verify(tampered));
        // alg=none must never be accepted.
        QVERIFY(!codec.verify("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwic2lkIjoieSJ9."));
        AccessTokenCodec expired(breeze::crypto::SecureRandom::bytes(64), std::chrono::seconds(-1));
        QVERIFY(!expired.verify(expired.issue({kOrgA, kOrgB})));
        QVERIFY(!codec.verify(std::string(5000, 'a')));
    }

    void sealedSecretsOpenOnlyWithTheirKey() {
        const std::string key = breeze::crypto::SecureRandom::bytes(32);
        SecretSealer sealer(key);
        const std::string sealed = sealer.seal("totp-seed");
        QVERIFY(sealed.find("totp-seed") == std::string::npos);
        QCOMPARE(*sealer.open(sealed), std::string("totp-seed"));
        QVERIFY(sealer.seal("totp-seed") != sealed);
        QVERIFY(!SecretSealer(breeze::crypto::SecureRandom::bytes(32)).open(sealed));
        std::string damaged = sealed;
        damaged.back() = damaged.back() == 'A' ? 'B' : 'A';
        QVERIFY(!sealer.open(damaged));
    }

    void postgresTextHelpers() {
        QCOMPARE(splitCommaList("orgs:read,sites:read"),
                 (std::vector<std::string>{"orgs:read", "sites:read"}));
        QCOMPARE(splitCommaList(""), std::vector<std::string>{});
        QCOMPARE(splitCommaList(",a,,b,"), (std::vector<std::string>{"a", "b"}));
        QCOMPARE(uuidArrayLiteral(std::vector<std::string>{kOrgA, kOrgB}), "{" + kOrgA + "," + kOrgB + "}");
        QCOMPARE(uuidArrayLiteral(std::vector<std::string>{}), std::string("{}"));
    }

    void metricsRenderPrometheusText() {
        MetricsRegistry metrics;
        metrics.recordRequest("GET", "/api/v1/orgs", 200, 0.003);
        metrics.recordRequest("GET", "/api/v1/orgs", 200, 0.2);
        metrics.addGauge("breeze_test_gauge", "A gauge.", [] { return 7.0; });
        const std::string text = metrics.render();
        QVERIFY(
            text.find("breeze_http_requests_total{method=\"GET\",route=\"/api/v1/orgs\",status=\"200\"} 2") !=
            std::string::npos);
        QVERIFY(text.find("le=\"0.005\"} 1") != std::string::npos);
        QVERIFY(text.find("le=\"+Inf\"} 2") != std::string::npos);
        QVERIFY(text.find("breeze_test_gauge 7") != std::string::npos);
    }
    void nobodyDelegatesMoreThanTheyHold() {
        // A business rule tested without HTTP: the grant an actor hands out must lie within what they hold.
        Principal orgAdmin;
        orgAdmin.partnerId = kPartner;
        orgAdmin.grants.push_back(
            {"r1", "org-admin", kOrgA, std::nullopt, {"devices:read", "devices:update", "scripts:run"}});
        orgAdmin.grants.push_back(
            {"r2", "technician", kOrgB, std::vector<std::string>{kSite1}, {"devices:read"}});
        const RoleRef technician{"t", "technician", {"devices:read", "scripts:run"}};
        const RoleRef reader{"r", "read-only", {"devices:read"}};
        const RoleRef partnerAdmin{"p", "partner-admin", {"devices:read", "users:update"}};
        // Within the organisation it administers: whole, or some of its sites.
        QCOMPARE(statusOf([&] { requireCanDelegate(orgAdmin, technician, kOrgA, std::nullopt); }), 0);
        QCOMPARE(statusOf([&] {
                     requireCanDelegate(orgAdmin, technician, kOrgA, std::vector<std::string>{kSite1});
                 }),
                 0);
        // Not partner-wide, not a permission it lacks, not beyond the one site it holds elsewhere.
        QCOMPARE(statusOf([&] { requireCanDelegate(orgAdmin, reader, std::nullopt, std::nullopt); }), 403);
        QCOMPARE(statusOf([&] { requireCanDelegate(orgAdmin, partnerAdmin, kOrgA, std::nullopt); }), 403);
        QCOMPARE(statusOf([&] { requireCanDelegate(orgAdmin, reader, kOrgB, std::nullopt); }), 403);
        QCOMPARE(
            statusOf([&] { requireCanDelegate(orgAdmin, reader, kOrgB, std::vector<std::string>{kSite1}); }),
            0);
        QCOMPARE(statusOf([&] {
                     requireCanDelegate(orgAdmin, reader, kOrgB, std::vector<std::string>{kSite1, kSite2});
                 }),
                 403);
        QCOMPARE(statusOf([&] {
                     requireCanDelegate(orgAdmin, technician, kOrgB, std::vector<std::string>{kSite1});
                 }),
                 403); // scripts:run is not held there
    }

    void strandPoolKeepsOrderAndTakesTurns() {
        // One thread: a busy key with 50 queued tasks must not make a quiet key wait behind all of them.
        StrandPool pool(1, 1000);
        std::mutex mutex;
        std::condition_variable released;
        bool go = false;
        std::vector<std::string> order;
        pool.post("gate", [&] {
            std::unique_lock lock(mutex);
            released.wait(lock, [&] { return go; });
        });
        for (int i = 0; i < 50; ++i)
            pool.post("busy", [&, i] {
                std::lock_guard lock(mutex);
                order.push_back("busy" + std::to_string(i));
            });
        pool.post("quiet", [&] {
            std::lock_guard lock(mutex);
            order.emplace_back("quiet");
        });
        {
            std::lock_guard lock(mutex);
            go = true;
        }
        released.notify_all();
        QTRY_COMPARE_WITH_TIMEOUT(pool.queued(), std::size_t(0), 5000);
        pool.stop();
        QCOMPARE(order.size(), std::size_t(51));
        const auto quiet = std::find(order.begin(), order.end(), "quiet") - order.begin();
        QVERIFY2(quiet <= 1, std::to_string(quiet).c_str()); // its turn came after at most one busy task
        std::vector<std::string> busy;
        std::copy_if(order.begin(), order.end(), std::back_inserter(busy),
                     [](const std::string& item) { return item != "quiet"; });
        for (int i = 0; i < 50; ++i)
            QCOMPARE(busy[static_cast<std::size_t>(i)], "busy" + std::to_string(i)); // in order per key
    }

    void strandPoolBoundsWhatCanWait() {
        StrandPool pool(1, 2);
        std::mutex mutex;
        mutex.lock(); // the first task holds the only thread
        QVERIFY(pool.post("a", [&] { std::lock_guard lock(mutex); }));
        QTRY_COMPARE(pool.queued(), std::size_t(0));
        QVERIFY(pool.post("a", [] {}));
        QVERIFY(pool.post("b", [] {}));
        QVERIFY(!pool.hasRoom());
        QVERIFY(!pool.post("c", [] {}));
        // Bookkeeping that must happen is taken anyway.
        QVERIFY(pool.post(
            "c", [] {}, StrandPool::Admission::Always));
        mutex.unlock();
        pool.stop(); // runs everything queued before it returns
        QCOMPARE(pool.queued(), std::size_t(0));
        QVERIFY(!pool.post(
            "d", [] {}, StrandPool::Admission::Always));
    }

    void inboundWindowPausesAndResumesAtHalf() {
        int resumed = 0;
        auto window = std::make_shared<InboundWindow>(4, [&] { ++resumed; });
        std::vector<MessageTicket> tickets;
        for (int i = 0; i < 4; ++i) {
            QVERIFY(window->hasRoom());
            tickets.emplace_back(window);
        }
        QCOMPARE(window->inFlight(), std::size_t(4));
        QVERIFY(!window->hasRoom()); // the loop pauses here
        auto copy = tickets[0];      // a copy shares the place: released once, when the last copy goes
        tickets.erase(tickets.begin());
        QCOMPARE(window->inFlight(), std::size_t(4));
        copy = MessageTicket();
        QCOMPARE(window->inFlight(), std::size_t(3));
        QCOMPARE(resumed, 0); // not yet half answered
        tickets.pop_back();
        QCOMPARE(resumed, 1);
        tickets.clear();
        QCOMPARE(resumed, 1); // once per pause
        QCOMPARE(window->inFlight(), std::size_t(0));
        QVERIFY(window->hasRoom());
    }
};

QTEST_GUILESS_MAIN(TestServerUnits)
#include "TestServerUnits.moc"
