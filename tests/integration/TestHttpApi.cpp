// The REST surface as a client meets it: errors, limits, pagination, filters, TLS, and an OpenAPI document
// that matches the routes the server really has and the shapes it really returns.
#include "OpenApiCheck.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "app/RouteTable.h"
#include "http/Router.h"

#include <Poco/Net/SSLException.h>
#include <QProcess>
#include <QtTest>
#include <set>

using namespace breeze;

class TestHttpApi final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<net::RestClient> m_api;
    nlohmann::json m_openapi;

    void checkAgainstDocument(const std::string& method, const std::string& pattern,
                              const net::RestResponse& response) {
        const auto error = test::openApiMismatch(m_openapi, method, pattern, response);
        QVERIFY2(error.empty(), error.c_str());
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_server = std::make_unique<test::TestServer>(
            *m_postgres, "httpapi", std::map<std::string, std::string>{{"http.max_body_bytes", "65536"}});
        const auto admin = m_server->bootstrap("admin@http.test", "HTTP MSP", false);
        m_api = m_server->signIn(admin.email, admin.password, admin.totpSecret);
        const auto doc = m_server->client()->get("/api/v1/openapi.json");
        QCOMPARE(doc.status, 200);
        m_openapi = doc.body;
    }

    void malformedBodiesGetAClearError() {
        const auto garbage = m_api->sendRaw("POST", "/api/v1/orgs", "{\"name\": ", "application/json");
        QCOMPARE(garbage.status, 400);
        QCOMPARE(garbage.errorCode(), std::string("invalid_request"));
        QVERIFY(garbage.errorMessage().starts_with("malformed JSON body"));
        const auto duplicate =
            m_api->sendRaw("POST", "/api/v1/orgs", R"({"name":"a","name":"b"})", "application/json");
        QVERIFY(duplicate.errorMessage().find("duplicate key") != std::string::npos);
        const auto typo = m_api->post("/api/v1/orgs", {{"nmae", "Acme"}});
        QCOMPARE(typo.status, 400);
        QVERIFY(typo.errorMessage().find("\"name\" is required") != std::string::npos);
        const auto unknown = m_api->post("/api/v1/orgs", {{"name", "Acme"}, {"colour", "red"}});
        QCOMPARE(unknown.errorMessage(), std::string("unknown field \"colour\""));
        QCOMPARE(m_api->post("/api/v1/orgs", nlohmann::json::array()).status, 400);
        QCOMPARE(m_api->sendRaw("POST", "/api/v1/orgs", "", "application/json").status, 400);
        QCOMPARE(m_api->post("/api/v1/orgs", {{"name", std::string(201, 'x')}}).status, 400);
        // Nothing was created by any of that.
        QCOMPARE(m_api->get("/api/v1/orgs").body["items"].size(), std::size_t(0));
    }

    void oversizedBodiesGet413() {
        const std::string big = "{\"name\":\"" + std::string(70000, 'x') + "\"}";
        const auto response = m_api->sendRaw("POST", "/api/v1/orgs", big, "application/json");
        QCOMPARE(response.status, 413);
        QCOMPARE(response.errorCode(), std::string("body_too_large"));
        // Chunked, so no Content-Length announces it: still cut off at the limit.
        QProcess curl;
        curl.start("curl", {"-sS", "--cacert", QString::fromStdString(m_server->caFile()), "-X", "POST", "-H",
                            "Transfer-Encoding: chunked", "-H", "Content-Type: application/json", "-H",
                            QString::fromStdString("Authorization: Bearer " +
                                                   m_server->lastLogin()["access_token"].get<std::string>()),
                            "--data-binary", "@-", "-w", "\n%{http_code}",
                            QString::fromStdString(m_server->url() + "/api/v1/orgs")});
        curl.write(QByteArray::fromStdString(big));
        curl.closeWriteChannel();
        QVERIFY(curl.waitForFinished(30000));
        QVERIFY2(curl.readAllStandardOutput().trimmed().endsWith("413"),
                 qPrintable(curl.readAllStandardError()));
    }

    void strangersAreTurnedAwayBeforeTheirBodyIsRead() {
        const auto before = m_api->get("/api/v1/audit?limit=500").body["items"].size();
        const auto response =
            m_server->client()->sendRaw("POST", "/api/v1/orgs", "{\"name\": ", "application/json");
        QCOMPARE(response.status, 401); // not 400: the malformed body was never looked at
        QCOMPARE(m_api->get("/api/v1/audit?limit=500").body["items"].size(),
                 before); // and nobody's log filled up
    }

    void aPostWithoutBodyOrLengthIsAnsweredAtOnce() {
        // curl sends neither Content-Length nor chunks for a bare -X POST; the server must not wait for a
        // body.
        QProcess curl;
        curl.start("curl", {"-sS", "--max-time", "10", "--cacert", QString::fromStdString(m_server->caFile()),
                            "-X", "POST", "-o", "/dev/null", "-w", "%{http_code}",
                            QString::fromStdString(m_server->url() + "/api/v1/orgs")});
        QVERIFY(curl.waitForFinished(20000));
        QCOMPARE(curl.readAllStandardOutput().trimmed(), QByteArray("401"));
    }

    void unknownRoutesAndMethods() {
        const auto missing = m_api->get("/api/v1/nothing-here");
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.errorCode(), std::string("not_found"));
        QCOMPARE(m_api->request("PUT", "/api/v1/orgs").status, 405);
        QCOMPARE(m_api->get("/api/v1/orgs/not-a-uuid").status, 404);
        QCOMPARE(m_api->get("/api/v1/orgs/00000000-0000-0000-0000-000000000000").status, 404);
        const auto response = m_api->get("/api/v1/orgs");
        QVERIFY(response.headers.contains("X-Request-Id"));
        QCOMPARE(response.headers.at("Cache-Control"), std::string("no-store"));
    }

    void listsPageWithCursorsAndFilter() {
        std::set<std::string> created;
        for (int i = 0; i < 7; ++i)
            created.insert(m_api->post("/api/v1/orgs", {{"name", "Paged " + std::to_string(i)}})
                               .body["id"]
                               .get<std::string>());
        QCOMPARE(m_api->post("/api/v1/orgs", {{"name", "Paged 3"}}).status, 409);
        std::set<std::string> seen;
        std::vector<std::string> names;
        std::string cursor;
        int pages = 0;
        do {
            const auto page =
                m_api->get("/api/v1/orgs?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
            QCOMPARE(page.status, 200);
            checkAgainstDocument("get", "/api/v1/orgs", page);
            for (const auto& org : page.body["items"]) {
                QVERIFY(seen.insert(org["id"].get<std::string>()).second);
                names.push_back(org["name"]);
            }
            cursor = page.body["next_cursor"].is_null() ? "" : page.body["next_cursor"].get<std::string>();
            ++pages;
        } while (!cursor.empty());
        QCOMPARE(pages, 3);
        QCOMPARE(seen, created);
        QVERIFY(std::is_sorted(names.begin(), names.end()));
        QCOMPARE(m_api->get("/api/v1/orgs?name=aged%205").body["items"].size(), std::size_t(1));
        QCOMPARE(m_api->get("/api/v1/orgs?name=%25").body["items"].size(),
                 std::size_t(0)); // % is literal, not a wildcard
        QCOMPARE(m_api->get("/api/v1/orgs?limit=0").status, 400);
        QCOMPARE(m_api->get("/api/v1/orgs?limit=abc").status, 400);
        QCOMPARE(m_api->get("/api/v1/orgs?cursor=bm9wZQ").status, 400);
        QCOMPARE(m_api->get("/api/v1/sites?org=not-a-uuid").status, 400);
    }

    void documentListsExactlyTheServersRoutes() {
        QCOMPARE(m_openapi["openapi"].get<std::string>().substr(0, 2), std::string("3."));
        server::Router router;
        server::registerAllRoutes(router);
        std::set<std::string> routes;
        for (const auto& route : router.routes()) {
            std::string method = route.method;
            std::transform(method.begin(), method.end(), method.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            routes.insert(method + " " + route.pattern);
            const auto& operation = m_openapi["paths"][route.pattern][method];
            QVERIFY2(!operation.is_null(),
                     ("undocumented route " + route.method + " " + route.pattern).c_str());
            QVERIFY2(operation.contains("summary") && operation.contains("responses"), route.pattern.c_str());
            if (route.access == server::RouteAccess::Public)
                QVERIFY2(operation.contains("security") && operation["security"].empty(),
                         (route.pattern + " is public but documented as needing a token").c_str());
        }
        for (const auto& [path, operations] : m_openapi["paths"].items())
            for (const auto& [method, operation] : operations.items())
                QVERIFY2(routes.contains(method + " " + path),
                         ("documented but not served: " + method + " " + path).c_str());
    }

    void responsesMatchTheDocumentedSchemas() {
        const auto org = m_api->post("/api/v1/orgs", {{"name", "Documented"}});
        checkAgainstDocument("post", "/api/v1/orgs", org);
        const std::string orgId = org.body["id"];
        checkAgainstDocument("get", "/api/v1/orgs/{id}", m_api->get("/api/v1/orgs/" + orgId));
        const auto site =
            m_api->post("/api/v1/sites", {{"org_id", orgId}, {"name", "HQ"}, {"timezone", "Europe/Berlin"}});
        checkAgainstDocument("post", "/api/v1/sites", site);
        QCOMPARE(
            m_api->post("/api/v1/sites", {{"org_id", orgId}, {"name", "X"}, {"timezone", "Mars/Olympus"}})
                .status,
            400);
        const auto keep = m_api->del("/api/v1/orgs/" + orgId);
        QCOMPARE(keep.status, 409);
        QVERIFY(keep.errorMessage().find("1 site(s)") != std::string::npos);
        const std::string siteId = site.body["id"];
        checkAgainstDocument("get", "/api/v1/sites", m_api->get("/api/v1/sites?org=" + orgId));
        checkAgainstDocument(
            "post", "/api/v1/groups",
            m_api->post("/api/v1/groups", {{"org_id", orgId}, {"site_id", siteId}, {"name", "Desks"}}));
        checkAgainstDocument("get", "/api/v1/groups", m_api->get("/api/v1/groups?org=" + orgId));
        checkAgainstDocument("post", "/api/v1/users",
                             m_api->post("/api/v1/users", {{"email", "doc@http.test"},
                                                           {"password", "documented pass"},
                                                           {"org_id", orgId},
                                                           {"role", "technician"}}));
        checkAgainstDocument("get", "/api/v1/users", m_api->get("/api/v1/users"));
        checkAgainstDocument("get", "/api/v1/roles", m_api->get("/api/v1/roles"));
        checkAgainstDocument(
            "post", "/api/v1/roles",
            m_api->post("/api/v1/roles", {{"name", "viewer"}, {"permissions", {"orgs:read", "sites:read"}}}));
        QCOMPARE(m_api->post("/api/v1/roles", {{"name", "bad"}, {"permissions", {"orgs:fly"}}}).status, 400);
        checkAgainstDocument(
            "post", "/api/v1/api-keys",
            m_api->post("/api/v1/api-keys",
                        {{"name", "k"}, {"org_id", orgId}, {"role", "read-only"}, {"expires_in_days", 30}}));
        checkAgainstDocument("get", "/api/v1/api-keys", m_api->get("/api/v1/api-keys"));
        const auto enrollment = m_api->post(
            "/api/v1/enrollment-keys", {{"site_id", siteId}, {"expires_in_seconds", 3600}, {"max_uses", 10}});
        checkAgainstDocument("post", "/api/v1/enrollment-keys", enrollment);
        checkAgainstDocument("get", "/api/v1/enrollment-keys", m_api->get("/api/v1/enrollment-keys"));
        const auto enrolled = m_server->client()->post(
            "/api/v1/agent/enroll", {{"key", enrollment.body["key"]}, {"identity", "documented-pc"}});
        checkAgainstDocument("post", "/api/v1/agent/enroll", enrolled);
        const std::string deviceId = enrolled.body["device_id"];
        checkAgainstDocument("get", "/api/v1/devices/{id}", m_api->get("/api/v1/devices/" + deviceId));
        // Moving between sites of the organisation; not into another organisation.
        const std::string secondSite =
            m_api->post("/api/v1/sites", {{"org_id", orgId}, {"name", "Annex"}}).body["id"];
        const auto moved = m_api->patch("/api/v1/devices/" + deviceId, {{"site_id", secondSite}});
        checkAgainstDocument("patch", "/api/v1/devices/{id}", moved);
        QCOMPARE(moved.body["site_id"].get<std::string>(), secondSite);
        const std::string otherOrg = m_api->post("/api/v1/orgs", {{"name", "Elsewhere"}}).body["id"];
        const std::string otherSite =
            m_api->post("/api/v1/sites", {{"org_id", otherOrg}, {"name", "Far"}}).body["id"];
        const auto refused = m_api->patch("/api/v1/devices/" + deviceId, {{"site_id", otherSite}});
        checkAgainstDocument("patch", "/api/v1/devices/{id}", refused);
        QCOMPARE(refused.status, 409);
        const auto events = m_api->get("/api/v1/devices/" + deviceId + "/events?kind=moved");
        QCOMPARE(events.body["items"].size(), std::size_t(1));

        // Device groups: an organisation-wide group holds devices of any of its sites, a site's group only
        // that site's; moving away from the site leaves the site's group.
        const std::string annexGroup =
            m_api->post("/api/v1/groups", {{"org_id", orgId}, {"site_id", secondSite}, {"name", "Kiosks"}})
                .body["id"];
        const std::string firstSiteGroup =
            m_api->post("/api/v1/groups", {{"org_id", orgId}, {"site_id", siteId}, {"name", "Front desks"}})
                .body["id"];
        const std::string orgGroup =
            m_api->post("/api/v1/groups", {{"org_id", orgId}, {"name", "All"}}).body["id"];
        const std::string foreignGroup =
            m_api->post("/api/v1/groups", {{"org_id", otherOrg}, {"name", "Theirs"}}).body["id"];
        const auto grouped = m_api->patch("/api/v1/devices/" + deviceId, {{"group_id", annexGroup}});
        checkAgainstDocument("patch", "/api/v1/devices/{id}", grouped);
        QCOMPARE(grouped.body["group_id"].get<std::string>(), annexGroup);
        QCOMPARE(m_api->patch("/api/v1/devices/" + deviceId, {{"group_id", firstSiteGroup}}).status, 409);
        QCOMPARE(m_api->patch("/api/v1/devices/" + deviceId, {{"group_id", foreignGroup}}).status, 404);
        QCOMPARE(m_api->get("/api/v1/devices?group=" + annexGroup).body["items"].size(), std::size_t(1));
        const auto backHome = m_api->patch("/api/v1/devices/" + deviceId, {{"site_id", siteId}});
        QVERIFY(backHome.body["group_id"].is_null());
        QCOMPARE(
            m_api->patch("/api/v1/devices/" + deviceId, {{"group_id", orgGroup}, {"site_id", secondSite}})
                .body["group_id"]
                .get<std::string>(),
            orgGroup);
        QCOMPARE(m_api->del("/api/v1/groups/" + orgGroup).status, 204);
        QVERIFY(m_api->get("/api/v1/devices/" + deviceId).body["group_id"].is_null());
        QCOMPARE(m_api->patch("/api/v1/devices/" + deviceId, {{"group_id", nullptr}}).status, 200);

        // Tags: replaced whole, or added and removed; one tag whatever its case; bad tags refused by name.
        auto tagsOf = [&](const nlohmann::json& body) {
            const auto response = m_api->patch("/api/v1/devices/" + deviceId, body);
            QTest::qVerify(response.status == 200, "tags", response.raw.c_str(), __FILE__, __LINE__);
            return response.body["tags"];
        };
        QCOMPARE(tagsOf({{"tags", {"web", "Prod", "prod"}}}), nlohmann::json({"Prod", "web"}));
        QCOMPARE(tagsOf({{"add_tags", {"PROD", "db"}}, {"remove_tags", {"WEB"}}}),
                 nlohmann::json({"db", "Prod"}));
        QCOMPARE(m_api->get("/api/v1/devices?tag=prod").body["items"].size(), std::size_t(1));
        QCOMPARE(m_api->get("/api/v1/devices?tag=web").body["items"].size(), std::size_t(0));
        for (const nlohmann::json& bad :
             {nlohmann::json{{"tags", {" x"}}}, nlohmann::json{{"tags", {""}}},
              nlohmann::json{{"add_tags", {"a\nb"}}}, nlohmann::json{{"tags", {"a"}}, {"add_tags", {"b"}}},
              nlohmann::json::object()}) {
            const auto response = m_api->patch("/api/v1/devices/" + deviceId, bad);
            checkAgainstDocument("patch", "/api/v1/devices/{id}", response);
            QCOMPARE(response.status, 400);
        }
        std::vector<std::string> many;
        many.reserve(32);
        for (int i = 0; i < 32; ++i)
            many.push_back("t" + std::to_string(i));
        QCOMPARE(tagsOf({{"tags", many}}).size(), std::size_t(32));
        QCOMPARE(m_api->patch("/api/v1/devices/" + deviceId, {{"add_tags", {"one-too-many"}}}).status, 400);
        QCOMPARE(tagsOf({{"tags", nlohmann::json::array()}}), nlohmann::json::array());
        const auto updates = m_api->get("/api/v1/devices/" + deviceId + "/events?kind=updated");
        QVERIFY(updates.body["items"].size() >= 5);
        for (const std::string sub :
             {"inventory", "inventory/changes", "software", "metrics?range=30d", "events"})
            checkAgainstDocument("get", "/api/v1/devices/{id}/" + sub.substr(0, sub.find('?')),
                                 m_api->get("/api/v1/devices/" + deviceId + "/" + sub));
        const auto command = m_api->post("/api/v1/devices/" + deviceId + "/commands",
                                         {{"type", "reboot"}, {"args", {{"delay_seconds", 300}}}});
        checkAgainstDocument("post", "/api/v1/devices/{id}/commands", command);
        const std::string commandId = command.body["id"];
        checkAgainstDocument("get", "/api/v1/commands/{id}", m_api->get("/api/v1/commands/" + commandId));
        checkAgainstDocument("get", "/api/v1/commands", m_api->get("/api/v1/commands?device=" + deviceId));
        checkAgainstDocument(
            "post", "/api/v1/commands/{id}/cancel",
            m_api->post("/api/v1/commands/" + commandId + "/cancel", nlohmann::json::object()));
        checkAgainstDocument(
            "post", "/api/v1/commands/{id}/cancel",
            m_api->post("/api/v1/commands/" + commandId + "/cancel", nlohmann::json::object()));
        checkAgainstDocument("get", "/api/v1/command-types", m_api->get("/api/v1/command-types"));
        checkAgainstDocument("get", "/api/v1/audit", m_api->get("/api/v1/audit"));
        checkAgainstDocument("get", "/api/v1/audit/verify", m_api->get("/api/v1/audit/verify"));
        checkAgainstDocument("get", "/api/v1/auth/me", m_api->get("/api/v1/auth/me"));
        const auto partners = m_api->get("/api/v1/partners");
        checkAgainstDocument("get", "/api/v1/partners", partners);
        const std::string partnerId = partners.body["items"][0]["id"];
        checkAgainstDocument("get", "/api/v1/partners/{id}", m_api->get("/api/v1/partners/" + partnerId));
        checkAgainstDocument("patch", "/api/v1/partners/{id}",
                             m_api->patch("/api/v1/partners/" + partnerId, {{"name", "HTTP MSP Ltd"}}));
        checkAgainstDocument("get", "/api/v1/orgs/{id}",
                             m_api->get("/api/v1/orgs/" + siteId)); // a 404 is documented too
        checkAgainstDocument("post", "/api/v1/orgs", m_api->post("/api/v1/orgs", {{"bad", 1}}));
    }

    // Saved device filters: strictly checked, replaced by name, at most 100 per user, as documented.
    void savedDeviceFiltersAreCheckedAndDocumented() {
        const std::string path = "/api/v1/me/device-filters";
        for (const nlohmann::json& bad :
             {nlohmann::json{{"name", "x"}, {"definition", {{"condition", "on fire"}}}},
              nlohmann::json{{"name", "x"}, {"definition", {{"colour", "red"}}}},
              nlohmann::json{{"name", "x"}, {"definition", {{"org_id", "not-a-uuid"}}}},
              nlohmann::json{{"name", "x"}, {"definition", {{"search", std::string(201, 'a')}}}},
              nlohmann::json{{"name", "x"}, {"definition", "offline"}},
              nlohmann::json{{"name", ""}, {"definition", nlohmann::json::object()}}}) {
            const auto refused = m_api->post(path, bad);
            QVERIFY2(refused.status == 400, (bad.dump() + " -> " + refused.raw).c_str());
            checkAgainstDocument("post", path, refused);
        }
        QCOMPARE(m_api->get(path).body["items"].size(), std::size_t(0)); // nothing kept from the refusals
        const auto saved =
            m_api->post(path, {{"name", "Kiosks offline"},
                               {"definition", {{"condition", "offline"}, {"search", "kiosk"}}}});
        checkAgainstDocument("post", path, saved);
        const auto replaced =
            m_api->post(path, {{"name", "Kiosks offline"}, {"definition", {{"condition", "needs_reboot"}}}});
        QCOMPARE(replaced.body["id"], saved.body["id"]);
        QCOMPARE(replaced.body["definition"], nlohmann::json({{"condition", "needs_reboot"}}));
        for (int i = 1; i < 100; ++i)
            QCOMPARE(m_api->post(path, {{"name", "filter " + std::to_string(i)}}).status, 200);
        const auto tooMany = m_api->post(path, {{"name", "one more"}});
        QCOMPARE(tooMany.status, 409);
        checkAgainstDocument("post", path, tooMany);
        QCOMPARE(m_api->post(path, {{"name", "filter 7"}, {"definition", {{"search", "web"}}}}).status, 200);
        const auto listed = m_api->get(path);
        checkAgainstDocument("get", path, listed);
        QCOMPARE(listed.body["items"].size(), std::size_t(100));
        QCOMPARE(listed.body["items"][0]["name"], nlohmann::json("filter 1")); // by name
        const std::string id = saved.body["id"];
        checkAgainstDocument("delete", path + "/{id}", m_api->del(path + "/" + id));
        checkAgainstDocument("delete", path + "/{id}", m_api->del(path + "/" + id)); // 404 now
        QCOMPARE(m_api->get(path).body["items"].size(), std::size_t(99));
    }

    void scriptRoutesMatchTheDocument() {
        const std::string org = m_api->post("/api/v1/orgs", {{"name", "Scripted"}}).body["id"];
        const std::string site = m_api->post("/api/v1/sites", {{"org_id", org}, {"name", "Lab"}}).body["id"];
        const auto key =
            m_api->post("/api/v1/enrollment-keys", {{"site_id", site}, {"expires_in_seconds", 600}});
        const std::string device =
            m_server->client()
                ->post("/api/v1/agent/enroll", {{"key", key.body["key"]}, {"identity", "scripted-pc"}})
                .body["device_id"];
        const auto created = m_api->post(
            "/api/v1/scripts",
            {{"name", "Documented"},
             {"org_id", org},
             {"language", "bash"},
             {"content", "echo \"$WHO\"\n"},
             {"parameters",
              {{{"name", "WHO"}, {"type", "choice"}, {"choices", {"me", "you"}}, {"default", "me"}},
               {{"name", "KEY"}, {"type", "secret"}, {"label", "API key"}}}}});
        checkAgainstDocument("post", "/api/v1/scripts", created);
        const std::string id = created.body["id"];
        checkAgainstDocument(
            "post", "/api/v1/scripts",
            m_api->post("/api/v1/scripts",
                        {{"name", "documented"}, {"org_id", org}, {"language", "sh"}, {"content", ""}}));
        checkAgainstDocument("get", "/api/v1/scripts", m_api->get("/api/v1/scripts?org=" + org));
        checkAgainstDocument("get", "/api/v1/scripts/{id}", m_api->get("/api/v1/scripts/" + id));
        checkAgainstDocument("patch", "/api/v1/scripts/{id}",
                             m_api->patch("/api/v1/scripts/" + id, {{"content", "echo \"hi $WHO\"\n"}}));
        checkAgainstDocument("get", "/api/v1/scripts/{id}/versions",
                             m_api->get("/api/v1/scripts/" + id + "/versions"));
        checkAgainstDocument("get", "/api/v1/scripts/{id}/versions/{version}",
                             m_api->get("/api/v1/scripts/" + id + "/versions/1"));
        checkAgainstDocument(
            "post", "/api/v1/scripts/{id}/versions/{version}/restore",
            m_api->post("/api/v1/scripts/" + id + "/versions/1/restore", nlohmann::json::object()));
        const auto started = m_api->post("/api/v1/scripts/" + id + "/runs",
                                         {{"device_ids", {device}}, {"parameters", {{"KEY", "k"}}}});
        checkAgainstDocument("post", "/api/v1/scripts/{id}/runs", started);
        QCOMPARE(started.status, 201);
        checkAgainstDocument("post", "/api/v1/scripts/{id}/runs",
                             m_api->post("/api/v1/scripts/" + id + "/runs",
                                         {{"site_id", site}, {"parameters", {{"WHO", "them"}}}}));
        const std::string run = started.body["run"]["id"];
        const std::string execution = started.body["executions"][0]["id"];
        const auto scheduled =
            m_api->post("/api/v1/scripts/" + id + "/schedules", {{"site_id", site},
                                                                 {"run_at", "2099-01-01T08:00:00+01:00"},
                                                                 {"repeat", "weekly"},
                                                                 {"timezone", "Europe/Berlin"},
                                                                 {"parameters", {{"KEY", "k"}}}});
        checkAgainstDocument("post", "/api/v1/scripts/{id}/schedules", scheduled);
        QCOMPARE(scheduled.status, 201);
        checkAgainstDocument("get", "/api/v1/script-schedules",
                             m_api->get("/api/v1/script-schedules?script=" + id));
        checkAgainstDocument(
            "delete", "/api/v1/script-schedules/{id}",
            m_api->del("/api/v1/script-schedules/" + scheduled.body["id"].get<std::string>()));
        checkAgainstDocument("get", "/api/v1/script-runs", m_api->get("/api/v1/script-runs?script=" + id));
        checkAgainstDocument("get", "/api/v1/script-runs/{id}", m_api->get("/api/v1/script-runs/" + run));
        checkAgainstDocument("get", "/api/v1/script-executions",
                             m_api->get("/api/v1/script-executions?run=" + run));
        checkAgainstDocument("get", "/api/v1/script-executions/{id}",
                             m_api->get("/api/v1/script-executions/" + execution));
        checkAgainstDocument("get", "/api/v1/commands/{id}/output",
                             m_api->get("/api/v1/commands/" + execution + "/output?stdout_offset=0"));
        checkAgainstDocument("get", "/api/v1/commands/{id}/output",
                             m_api->get("/api/v1/commands/" + execution + "/output?stdout_offset=-1"));
        const auto cancelled =
            m_api->post("/api/v1/script-runs/" + run + "/cancel", nlohmann::json::object());
        checkAgainstDocument("post", "/api/v1/script-runs/{id}/cancel", cancelled);
        QCOMPARE(cancelled.body["cancelled"].get<int>(), 1);
        QCOMPARE(m_api->get("/api/v1/script-executions/" + execution).body["status"].get<std::string>(),
                 std::string("cancelled"));
        checkAgainstDocument("delete", "/api/v1/scripts/{id}", m_api->del("/api/v1/scripts/" + id));
    }

    void patchRoutesMatchTheDocument() {
        const std::string org = m_api->post("/api/v1/orgs", {{"name", "Patched"}}).body["id"];
        const std::string site = m_api->post("/api/v1/sites", {{"org_id", org}, {"name", "Rack"}}).body["id"];
        const auto key =
            m_api->post("/api/v1/enrollment-keys", {{"site_id", site}, {"expires_in_seconds", 600}});
        const std::string device =
            m_server->client()
                ->post("/api/v1/agent/enroll", {{"key", key.body["key"]}, {"identity", "patched-pc"}})
                .body["device_id"];
        const std::string partner = m_api->get("/api/v1/auth/me").body["partner_id"];
        // What a scan would have stored (no agent runs here).
        const std::string patch =
            m_postgres
                ->superuserSql(
                    "httpapi",
                    QString::fromStdString(
                        "WITH p AS (INSERT INTO patches (partner_id, manager, name, version, "
                        "size_bytes) VALUES ('" +
                        partner +
                        "', 'apt', 'openssl', '3.0.2', 1000) "
                        "RETURNING id) INSERT INTO device_patches (device_id, patch_id, partner_id, org_id, "
                        "site_id, state, installed_version, security) SELECT '" +
                        device + "', id, '" + partner + "', '" + org + "', '" + site +
                        "', 'missing', '3.0.1', true FROM p RETURNING patch_id"))
                .trimmed()
                .toStdString();
        checkAgainstDocument(
            "post", "/api/v1/devices/{id}/patch-scan",
            m_api->post("/api/v1/devices/" + device + "/patch-scan", nlohmann::json::object()));
        checkAgainstDocument("get", "/api/v1/patches",
                             m_api->get("/api/v1/patches?org=" + org + "&security=true"));
        checkAgainstDocument(
            "post", "/api/v1/patches/{id}/decision",
            m_api->post("/api/v1/patches/" + patch + "/decision", {{"decision", "approved"}}));
        checkAgainstDocument(
            "post", "/api/v1/patches/{id}/decision",
            m_api->post("/api/v1/patches/" + patch + "/decision",
                        {{"decision", "deferred"}, {"site_id", site}, {"defer_until", "2020-01-01"}}));
        checkAgainstDocument("post", "/api/v1/patches/{id}/decision",
                             m_api->post("/api/v1/patches/" + patch + "/decision", {{"decision", "maybe"}}));
        checkAgainstDocument("get", "/api/v1/patches/{id}", m_api->get("/api/v1/patches/" + patch));
        const auto mine = m_api->get("/api/v1/devices/" + device + "/patches");
        checkAgainstDocument("get", "/api/v1/devices/{id}/patches", mine);
        // A deferral whose date has passed counts as approved.
        QCOMPARE(mine.body["items"][0]["decision"].get<std::string>(), std::string("approved"));
        checkAgainstDocument("post", "/api/v1/patch-deployments/preview",
                             m_api->post("/api/v1/patch-deployments/preview", {{"device_ids", {device}}}));
        const auto deployed =
            m_api->post("/api/v1/patch-deployments", {{"device_ids", {device}}, {"reboot", "never"}});
        QCOMPARE(deployed.body["reboot"], nlohmann::json("never"));
        checkAgainstDocument("post", "/api/v1/patch-deployments", deployed);
        QCOMPARE(deployed.body["summary"]["queued"][0]["packages"].get<int>(), 1);
        const auto later = m_api->post("/api/v1/patch-deployments",
                                       {{"site_id", site}, {"scheduled_at", "2099-06-01T08:00:00Z"}});
        checkAgainstDocument("post", "/api/v1/patch-deployments", later);
        checkAgainstDocument("get", "/api/v1/patch-deployments",
                             m_api->get("/api/v1/patch-deployments?device=" + device));
        checkAgainstDocument(
            "get", "/api/v1/patch-deployments/{id}",
            m_api->get("/api/v1/patch-deployments/" + deployed.body["id"].get<std::string>()));
        checkAgainstDocument(
            "post", "/api/v1/patch-deployments/{id}/cancel",
            m_api->post("/api/v1/patch-deployments/" + later.body["id"].get<std::string>() + "/cancel",
                        nlohmann::json::object()));
        checkAgainstDocument(
            "post", "/api/v1/patch-deployments/{id}/cancel",
            m_api->post("/api/v1/patch-deployments/" + deployed.body["id"].get<std::string>() + "/cancel",
                        nlohmann::json::object()));
        checkAgainstDocument("get", "/api/v1/patch-compliance",
                             m_api->get("/api/v1/patch-compliance?org=" + org));
        checkAgainstDocument("get", "/api/v1/patch-compliance",
                             m_api->get("/api/v1/patch-compliance?days=x"));
        checkAgainstDocument("get", "/api/v1/devices/{id}/patch-results",
                             m_api->get("/api/v1/devices/" + device + "/patch-results"));
        const auto notInstalled = m_api->post("/api/v1/devices/" + device + "/patches/" + patch + "/rollback",
                                              nlohmann::json::object());
        checkAgainstDocument("post", "/api/v1/devices/{id}/patches/{patch}/rollback", notInstalled);
        QCOMPARE(notInstalled.status, 409);

        // A policy's decision holds for the sites following it: above the organisation's, below the site's
        // own.
        const auto decisionNow = [&] {
            return m_api->get("/api/v1/devices/" + device + "/patches")
                .body["items"][0]["decision"]
                .get<std::string>();
        };
        const auto decide = [&](const nlohmann::json& body) {
            const auto response = m_api->post("/api/v1/patches/" + patch + "/decision", body);
            checkAgainstDocument("post", "/api/v1/patches/{id}/decision", response);
            QTest::qVerify(response.status == 200, "decision", response.raw.c_str(), __FILE__, __LINE__);
        };
        const std::string policy =
            m_api->post("/api/v1/patch-policies", {{"name", "Weekly"}, {"org_id", org}}).body["id"];
        QCOMPARE(m_api->post("/api/v1/patch-policies/" + policy + "/assignments", {{"site_id", site}}).status,
                 200);
        decide({{"decision", "none"}, {"site_id", site}});
        decide({{"decision", "deferred"}, {"org_id", org}, {"defer_days", 30}});
        QCOMPARE(decisionNow(), std::string("deferred"));
        decide({{"decision", "approved"}, {"policy_id", policy}});
        QCOMPARE(decisionNow(), std::string("approved"));
        decide({{"decision", "deferred"}, {"site_id", site}, {"defer_days", 30}});
        QCOMPARE(decisionNow(), std::string("deferred")); // the site's own decision comes first
        decide({{"decision", "rejected"}, {"policy_id", policy}});
        QCOMPARE(decisionNow(), std::string("rejected"));
        const auto withPolicy = m_api->get("/api/v1/patches/" + patch);
        checkAgainstDocument("get", "/api/v1/patches/{id}", withPolicy);
        bool found = false;
        for (const auto& item : withPolicy.body["decisions"])
            found = found || (item["scope"] == "policy" && item["policy_id"] == policy);
        QVERIFY(found);
    }

    void tlsIsVerifiedAndModern() {
        // The generated certificate names localhost and 127.0.0.1; both verify against the CA.
        QCOMPARE(net::RestClient(m_server->urlFor("127.0.0.1"), m_server->caFile()).get("/healthz").status,
                 200);
        // Another CA is refused.
        QVERIFY_THROWS_EXCEPTION(
            Poco::Net::SSLException,
            net::RestClient(m_server->url(), "/etc/ssl/certs/ca-certificates.crt").get("/healthz"));
        auto handshake = [&](const QString& protocolFlag) {
            QProcess openssl;
            openssl.start("openssl",
                          {"s_client", "-connect",
                           QString::fromStdString("127.0.0.1:" +
                                                  m_server->url().substr(m_server->url().rfind(':') + 1)),
                           protocolFlag, "-CAfile", QString::fromStdString(m_server->caFile()), "-brief"});
            openssl.closeWriteChannel();
            openssl.waitForFinished(20000);
            return QString::fromUtf8(openssl.readAllStandardError() + openssl.readAllStandardOutput());
        };
        QVERIFY(handshake("-tls1_3").contains("Protocol version: TLSv1.3"));
        QVERIFY(handshake("-tls1_2").contains("Protocol version: TLSv1.2"));
        QVERIFY(!handshake("-tls1_1").contains("Protocol version"));
    }

    void aNameOutsideTheCertificateIsRefused() {
        test::TestServer other(*m_postgres, "httpapi_san",
                               {{"server.listen", "127.0.0.2"}, {"server.public_addresses", "127.0.0.3"}});
        QVERIFY_THROWS_EXCEPTION(Poco::Net::SSLException,
                                 net::RestClient(other.urlFor("127.0.0.2"), other.caFile()).get("/healthz"));
    }

    void cleanupTestCase() {
        m_api.reset();
        m_server.reset();
        m_postgres.reset();
    }
};

QTEST_GUILESS_MAIN(TestHttpApi)
#include "TestHttpApi.moc"
