#include "TestFleet.h"

#include "TestPostgres.h"

#include <stdexcept>

namespace breeze::test {

TestFleet::TestFleet(TestPostgres& postgres, const QString& database, const std::string& adminEmail,
                     const std::string& partnerName, const std::string& orgName, const std::string& siteName,
                     std::map<std::string, std::string> config)
    : server(std::make_unique<TestServer>(postgres, database, std::move(config))),
      admin(server->bootstrap(adminEmail, partnerName, false)),
      api(server->signIn(admin.email, admin.password, admin.totpSecret)) {
    const auto created = api->post("/api/v1/orgs", {{"name", orgName}});
    if (created.status != 201)
        throw std::runtime_error("test fleet: cannot create its organisation: " + created.raw);
    org = created.body["id"];
    const auto placed = api->post("/api/v1/sites", {{"org_id", org}, {"name", siteName}});
    if (placed.status != 201)
        throw std::runtime_error("test fleet: cannot create its site: " + placed.raw);
    site = placed.body["id"];
}

std::string TestFleet::enrollmentKey(const std::string& forSite) const {
    const auto key = api->post("/api/v1/enrollment-keys",
                               {{"site_id", forSite.empty() ? site : forSite}, {"expires_in_seconds", 600}});
    if (key.status != 201)
        throw std::runtime_error("test fleet: cannot make an enrollment key: " + key.raw);
    return key.body["key"];
}

nlohmann::json TestFleet::enroll(const std::string& identity, const std::string& forSite) const {
    return server->client()
        ->post("/api/v1/agent/enroll", {{"key", enrollmentKey(forSite)}, {"identity", identity}})
        .body;
}

std::unique_ptr<net::RestClient> TestFleet::userWithRole(const nlohmann::json& role,
                                                         const std::string& email) const {
    const auto created = api->post("/api/v1/roles", role);
    if (created.status != 201)
        throw std::runtime_error(created.raw);
    const std::string password = "a long enough password 1";
    const auto user =
        api->post("/api/v1/users", {{"email", email}, {"password", password}, {"role", role["name"]}});
    if (user.status != 201)
        throw std::runtime_error(user.raw);
    return server->signIn(email, password);
}

QProcessEnvironment TestFleet::adminEnvironment(const QString& configDir, const std::string& keyName) const {
    const auto key =
        api->post("/api/v1/api-keys", {{"name", keyName}, {"org_id", org}, {"role", "org-admin"}});
    if (key.status != 201)
        throw std::runtime_error(key.raw);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("BREEZE_ADMIN_CONFIG_DIR", configDir);
    environment.insert("BREEZE_SERVER", QString::fromStdString(server->url()));
    environment.insert("BREEZE_CA", QString::fromStdString(server->caFile()));
    environment.insert("BREEZE_API_KEY", QString::fromStdString(key.body["key"].get<std::string>()));
    return environment;
}

} // namespace breeze::test
