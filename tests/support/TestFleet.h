#pragma once

#include "TestServer.h"

#include <QProcessEnvironment>
#include <map>
#include <memory>
#include <string>

namespace breeze::test {

class TestPostgres;

// What most suites start from: the real server on its own database, its first administrator signed in (a new
// partner), one organisation and one site. Suites add what they need on top through `api`.
struct TestFleet {
    TestFleet(TestPostgres& postgres, const QString& database, const std::string& adminEmail,
              const std::string& partnerName, const std::string& orgName, const std::string& siteName,
              std::map<std::string, std::string> config = {});

    // A new enrollment key for `site` (the fleet's own when empty), valid for ten minutes.
    std::string enrollmentKey(const std::string& site = {}) const;
    // Enrolls `identity` with a new key the way an agent would; the answer's body (device_id, credential, …).
    nlohmann::json enroll(const std::string& identity, const std::string& site = {}) const;
    // A new role (`role`: the body of POST /api/v1/roles) and a user `email` holding it, signed in. Throws
    // with the server's answer when either is refused.
    std::unique_ptr<net::RestClient> userWithRole(const nlohmann::json& role, const std::string& email) const;
    // What breeze-admin needs to run as an organisation administrator of the fleet's organisation: a new API
    // key `keyName`, the server and its CA, and `configDir` as its own folder.
    QProcessEnvironment adminEnvironment(const QString& configDir, const std::string& keyName) const;

    std::unique_ptr<TestServer> server;
    AdminCredentials admin;
    std::unique_ptr<net::RestClient> api;
    std::string org;
    std::string site;
};

} // namespace breeze::test
