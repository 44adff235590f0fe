#pragma once

#include "AdminSession.h"
#include "net/RestClient.h"

#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace breeze::admin {

using net::RestClient;
using net::RestResponse;
using net::urlEncode;

// A refusal to show the user as it is (no stack, no prefix beyond "breeze-admin: "): exit code 1.
struct CliFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What every noun of breeze-admin works with: the parsed command line, the signed-in REST client, and the
// ways to resolve names and print answers (tables for people, --json for scripts).
class CliContext {
public:
    CliContext(std::istream& in, std::ostream& out, std::ostream& err) : m_in(in), m_out(out), m_err(err) {}

    void parse(const std::vector<std::string>& args);
    const std::vector<std::string>& positionals() const { return m_positional; }
    // What follows "--", as given (a command to run remotely).
    const std::vector<std::string>& trailing() const { return m_trailing; }
    std::string option(const std::string& name, const std::string& fallback = "") const;
    std::string requireOption(const std::string& name) const;
    bool has(const std::string& name) const { return m_options.contains(name); }
    std::string positional(std::size_t index, const std::string& what) const;
    bool flag(const std::string& name) const { return m_flags.contains(name); }
    // Every value given to a repeatable option (--device, --param), in order.
    std::vector<std::string> every(const std::string& name) const;
    // Every NAME=VALUE given to a repeatable option (--arg, --param, --set), in order.
    std::vector<std::pair<std::string, std::string>> pairs(const std::string& option) const;
    std::string readSecretLine();

    std::istream& in() { return m_in; }
    std::ostream& out() { return m_out; }
    std::ostream& err() { return m_err; }

    const std::string& sessionPath() const { return m_sessionPath; }
    void setSessionPath(std::string path) { m_sessionPath = std::move(path); }
    // After client(): the saved sign-in (none with an API key), the server and its CA file.
    std::optional<AdminSession>& session() { return m_session; }
    const std::string& serverUrl() const { return m_serverUrl; }
    const std::string& caFile() const { return m_caFile; }

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
    // An id, a host name or a machine identity.
    std::string resolveDevice(const std::string& idOrName);
    // Every --device given, resolved; an empty array when there is none.
    nlohmann::json resolveDevices();
    // "?org=…&site=…" from --org and --site (resolved from names), plus `extra`; "" when there is nothing.
    std::string filterQuery(const std::string& extra = "");
    void printItems(const nlohmann::json& items, const std::vector<std::string>& columns);
    void printObject(const nlohmann::json& object);
    void printCreatedSecret(const std::string& what, const nlohmann::json& created);
    void revoke(const std::string& path);
    // PATCH /api/v1/devices/{id} with `body`, printing the device as it is now.
    void patchDevice(const std::string& device, const nlohmann::json& body);

private:
    std::istream& m_in;
    std::vector<std::string> m_trailing;
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
// The environment variable, or `fallback` when it is unset or empty.
std::string envOr(const char* name, const std::string& fallback);

} // namespace breeze::admin
