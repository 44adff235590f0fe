// Running it headless: health and readiness through a PostgreSQL restart, metrics, structured logs without
// secrets, graceful shutdown, and refusing a database role that would bypass row-level security.
#include "TestPostgres.h"
#include "TestServer.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <QtTest>
#include <limits>
#include <thread>

using namespace breeze;

class TestOperations final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;

private Q_SLOTS:
    void initTestCase() { m_postgres = std::make_unique<test::TestPostgres>(); }

    void readinessFollowsTheDatabaseAndRecovers() {
        test::TestServer server(*m_postgres, "ops_ready");
        const auto admin = server.bootstrap("admin@ops.test", "Ops MSP", false);
        auto api = server.signIn(admin.email, admin.password, admin.totpSecret);
        auto probe = server.client();
        QCOMPARE(probe->get("/healthz").status, 200);
        QCOMPARE(probe->get("/readyz").body["database"].get<std::string>(), std::string("reachable"));

        m_postgres->stop();
        const auto down = probe->get("/readyz");
        QCOMPARE(down.status, 503);
        QCOMPARE(down.body["database"].get<std::string>(), std::string("unreachable"));
        QCOMPARE(probe->get("/healthz").status, 200); // alive, just not ready
        const auto refused = api->get("/api/v1/orgs");
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.errorCode(), std::string("unavailable"));
        QVERIFY(refused.headers.contains("Retry-After"));

        m_postgres->start();
        QTRY_COMPARE_WITH_TIMEOUT(probe->get("/readyz").status, 200, 20000);
        QCOMPARE(api->get("/api/v1/orgs").status, 200); // same session, pool reconnected
        QCOMPARE(api->post("/api/v1/orgs", {{"name", "After restart"}}).status, 201);

        // A quick restart while connections sit idle in the pool: the very next requests must not notice.
        m_postgres->stop();
        m_postgres->start();
        QCOMPARE(api->get("/api/v1/orgs").status, 200);
        QCOMPARE(probe->get("/readyz").status, 200);
        QCOMPARE(api->post("/api/v1/orgs", {{"name", "After a quick restart"}}).status, 201);
    }

    void metricsAndLogsAreUsefulAndCarryNoSecrets() {
        test::TestServer server(*m_postgres, "ops_logs");
        const auto admin = server.bootstrap("admin@logs.test", "Logs MSP", false);
        auto api = server.signIn(admin.email, admin.password, admin.totpSecret);
        api->setHeader("X-Request-Id", "find-this-request");
        QCOMPARE(api->post("/api/v1/orgs", {{"name", "Logged"}}).status, 201);
        const auto key =
            api->post("/api/v1/api-keys", {{"name", "k"},
                                           {"org_id", api->get("/api/v1/orgs").body["items"][0]["id"]},
                                           {"role", "read-only"}});
        server.client()->post("/api/v1/auth/login",
                              {{"email", admin.email}, {"password", "wrong password guess"}});

        const auto metrics = server.client()->get("/metrics");
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.headers.at("Content-Type").starts_with("text/plain"));
        QVERIFY(metrics.raw.find(
                    "breeze_http_requests_total{method=\"POST\",route=\"/api/v1/orgs\",status=\"201\"} 1") !=
                std::string::npos);
        QVERIFY(metrics.raw.find("breeze_http_request_duration_seconds_bucket") != std::string::npos);
        QVERIFY(metrics.raw.find("breeze_db_connections_in_use") != std::string::npos);

        const QStringList lines = server.logText().split('\n', Qt::SkipEmptyParts);
        bool sawRequest = false;
        for (const QString& line : lines) {
            const auto entry = nlohmann::json::parse(line.toStdString(), nullptr, false);
            QVERIFY2(entry.is_object(), qPrintable("not a JSON log line: " + line));
            QVERIFY(entry.contains("ts") && entry.contains("level") && entry.contains("msg"));
            if (entry["msg"] == "request" && entry.value("request_id", "") == "find-this-request" &&
                entry.value("method", "") == "POST" && entry.value("route", "") == "/api/v1/orgs") {
                sawRequest = true;
                QCOMPARE(entry["status"].get<int>(), 201);
                QVERIFY(entry.contains("duration_ms") && entry.contains("actor") &&
                        entry.contains("address"));
            }
        }
        QVERIFY(sawRequest);
        const QString log = server.logText();
        for (const std::string& secret :
             {admin.password, std::string("wrong password guess"),
              server.lastLogin()["access_token"].get<std::string>(),
              server.lastLogin()["refresh_token"].get<std::string>(), key.body["key"].get<std::string>()})
            QVERIFY2(!log.contains(QString::fromStdString(secret)), "a secret reached the log");
    }

    void sigtermFinishesRequestsInFlightThenExits() {
        test::TestServer server(*m_postgres, "ops_shutdown");
        const auto admin = server.bootstrap("admin@shutdown.test", "Shutdown MSP", false);
        server.signIn(admin.email, admin.password, admin.totpSecret);
        const std::string token = server.lastLogin()["access_token"];
        // Half a request is on the wire when the signal arrives; the rest follows afterwards.
        Poco::Net::Context::Params params;
        params.caLocation = server.caFile();
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
        Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        const std::string url = server.url();
        Poco::Net::HTTPSClientSession session(
            "localhost", static_cast<Poco::UInt16>(std::stoi(url.substr(url.rfind(':') + 1))), context);
        const std::string body = R"({"name":"Created during shutdown"})";
        Poco::Net::HTTPRequest request("POST", "/api/v1/orgs", Poco::Net::HTTPMessage::HTTP_1_1);
        request.set("Authorization", "Bearer " + token);
        request.setContentType("application/json");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        std::ostream& out = session.sendRequest(request);
        out << body.substr(0, 10) << std::flush;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        server.sendSigterm();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        out << body.substr(10) << std::flush;
        Poco::Net::HTTPResponse response;
        session.receiveResponse(response).ignore(std::numeric_limits<std::streamsize>::max());
        QCOMPARE(static_cast<int>(response.getStatus()), 201);
        QCOMPARE(server.waitForExit(30000), 0);
        QVERIFY(server.logText().contains("\"msg\":\"shutting down\""));
        QVERIFY(server.logText().contains("\"msg\":\"stopped\""));
        QVERIFY_THROWS_EXCEPTION(std::exception, server.client()->get("/healthz"));
        // The change made during shutdown was committed.
        QCOMPARE(
            m_postgres->superuserSql(
                "ops_shutdown", "SELECT count(*) FROM organizations WHERE name = 'Created during shutdown'"),
            QString("1"));
    }

    void refusesARoleThatBypassesRowLevelSecurity() {
        test::TestServer server(*m_postgres, "ops_superuser");
        server.stop();
        m_postgres->superuserSql("postgres", "ALTER ROLE ops_superuser BYPASSRLS");
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, server.start());
        QVERIFY(server.logText().contains("bypasses row-level security"));
        m_postgres->superuserSql("postgres", "ALTER ROLE ops_superuser NOBYPASSRLS");
        server.start();
        QCOMPARE(server.client()->get("/readyz").status, 200);
    }

    void cleanupTestCase() { m_postgres.reset(); }
};

QTEST_GUILESS_MAIN(TestOperations)
#include "TestOperations.moc"
