#pragma once

#include "AdminSession.h"
#include "net/RestClient.h"

#include <iosfwd>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace breeze::admin {

using net::RestClient;
using net::RestResponse;
using net::urlEncode;

// breeze-admin: every command maps to REST calls; tables for people, --json for scripts, and a non-zero exit
// with the server's own message when something is refused.
class AdminCli {
public:
    AdminCli(std::istream& in, std::ostream& out, std::ostream& err) : m_in(in), m_out(out), m_err(err) {}
    int run(const std::vector<std::string>& args);

private:
    // `scripts …` and `patches …` live in their own files and use the helpers below.
    friend class ScriptCli;
    friend class PatchCli;

    struct Failure : std::runtime_error {
        using std::runtime_error::runtime_error;
    };

    void parse(const std::vector<std::string>& args);
    std::string option(const std::string& name, const std::string& fallback = "") const;
    std::string requireOption(const std::string& name) const;
    std::string positional(std::size_t index, const std::string& what) const;
    bool flag(const std::string& name) const { return m_flags.contains(name); }
    // Every NAME=VALUE given to a repeatable option (--arg, --param, --set), in order.
    std::vector<std::pair<std::string, std::string>> pairs(const std::string& option) const;
    std::string readSecretLine();

    RestClient& client(); // signed in
    RestResponse call(const std::string& method, const std::string& path,
                      const std::optional<nlohmann::json>& body = std::nullopt);
    nlohmann::json listAll(const std::string& path);
    std::string resolveOrg(const std::string& idOrName);
    std::string resolveSite(const std::string& idOrName, const std::string& orgHint);
    std::string resolveGroup(const std::string& idOrName, const std::string& orgHint);
    // An id, or the one item of `collection` ("sites", "groups") with exactly that name.
    std::string resolveNamed(const std::string& what, const std::string& collection,
                             const std::string& idOrName, const std::string& orgHint);
    void printItems(const nlohmann::json& items, const std::vector<std::string>& columns);
    void printObject(const nlohmann::json& object);
    void printCreatedSecret(const std::string& what, const nlohmann::json& created);
    void revoke(const std::string& path);

    int login();
    int logout();
    int token();
    int whoami();
    int orgs();
    int sites();
    int groups();
    int users();
    int roles();
    int apiKeys();
    int enrollmentKeys();
    int audit();
    int devices();
    int commands();
    nlohmann::json commandArgs();
    void printCommand(const nlohmann::json& command);
    void printInstallCommand(const std::string& key);
    std::string resolveDevice(const std::string& idOrName);
    // "?org=…&site=…" from --org and --site (resolved from names), plus `extra`; "" when there is nothing.
    std::string filterQuery(const std::string& extra = "");
    // PATCH /api/v1/devices/{id} with `body`, printing the device as it is now.
    void patchDevice(const std::string& device, const nlohmann::json& body);

    std::istream& m_in;
    std::ostream& m_out;
    std::ostream& m_err;
    std::vector<std::string> m_positional;
    std::map<std::string, std::string> m_options;
    std::set<std::string> m_flags;
    std::map<std::string, std::vector<std::string>> m_repeated;
    std::string m_serverUrl; // set by client()
    std::string m_caFile;
    std::string m_sessionPath;
    std::optional<AdminSession> m_session;
    std::unique_ptr<RestClient> m_client;
};

// "7d", "12h", "30m", "90s" or plain seconds.
long long parseDuration(const std::string& text);
long long parseCount(const std::string& text);

} // namespace breeze::admin
