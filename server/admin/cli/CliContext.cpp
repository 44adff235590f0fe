#include "cli/CliContext.h"

#include "TableWriter.h"
#include "encoding/AsciiCase.h"
#include "encoding/Uuid.h"

#include <charconv>
#include <cstdlib>
#include <ctime>
#include <iostream>

namespace breeze::admin {

namespace {
const std::set<std::string> kFlags = {
    "--json",    "--password-stdin", "--cascade",  "--pending", "--help",    "--wait",
    "--none",    "--recursive",      "--refresh",  "--partner", "--exclude", "--enable",
    "--disable", "--secret-stdin",   "--starttls", "--tls",     "--plain"};
// Options that may be given more than once.
const std::set<std::string> kRepeatable = {"--arg", "--param", "--device", "--set", "--notify"};

// Ids may be pasted in upper case; the server's are lower case.
bool isUuid(const std::string& text) {
    return encoding::isUuid(encoding::lowerAscii(text));
}

} // namespace

std::string envOr(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value && *value ? value : fallback;
}

long long parseCount(const std::string& text) {
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 1)
        throw std::runtime_error("\"" + text + "\" is not a positive whole number");
    return value;
}

long long parseDuration(const std::string& text) {
    if (text.empty())
        throw std::runtime_error("empty duration");
    std::size_t used = 0;
    long long number = 0;
    try {
        number = std::stoll(text, &used);
    } catch (const std::exception&) {
        throw std::runtime_error("\"" + text + "\" is not a duration such as 7d, 12h, 30m or 3600");
    }
    const std::string unit = text.substr(used);
    long long factor = 0;
    if (unit.empty() || unit == "s")
        factor = 1;
    else if (unit == "m")
        factor = 60;
    else if (unit == "h")
        factor = 3600;
    else if (unit == "d")
        factor = 86400;
    if (factor == 0 || number <= 0)
        throw std::runtime_error("\"" + text + "\" is not a duration such as 7d, 12h, 30m or 3600");
    return number * factor;
}

void CliContext::parse(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--") {
            m_trailing.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
            return;
        }
        if (arg.starts_with("--")) {
            if (kFlags.contains(arg)) {
                m_flags.insert(arg);
            } else if (i + 1 < args.size() && kRepeatable.contains(arg)) {
                m_repeated[arg].push_back(args[++i]);
                m_options[arg] = args[i]; // the last one, for commands that take it once
            } else if (i + 1 < args.size()) {
                m_options[arg] = args[++i];
            } else {
                throw CliFailure(arg + " needs a value");
            }
        } else {
            m_positional.push_back(arg);
        }
    }
}

std::string CliContext::option(const std::string& name, const std::string& fallback) const {
    const auto it = m_options.find(name);
    return it == m_options.end() ? fallback : it->second;
}

std::string CliContext::requireOption(const std::string& name) const {
    const auto it = m_options.find(name);
    if (it == m_options.end())
        throw CliFailure(m_positional.empty() ? name + " is required" : m_positional[0] + " needs " + name);
    return it->second;
}

std::string CliContext::positional(std::size_t index, const std::string& what) const {
    if (index >= m_positional.size())
        throw CliFailure("missing " + what);
    return m_positional[index];
}

std::string CliContext::readSecretLine() {
    std::string line;
    std::getline(m_in, line);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return line;
}

RestClient& CliContext::client() {
    if (m_client)
        return *m_client;
    const std::string apiKey = option("--api-key", envOr("BREEZE_API_KEY", ""));
    m_session = AdminSession::load(m_sessionPath);
    const std::string server = option("--server", envOr("BREEZE_SERVER", m_session ? m_session->server : ""));
    const std::string ca = option("--ca", envOr("BREEZE_CA", m_session ? m_session->caFile : ""));
    if (server.empty())
        throw CliFailure(
            "no server: pass --server URL (or set BREEZE_SERVER), or run `breeze-admin login` first");
    m_client = std::make_unique<RestClient>(server, ca);
    m_serverUrl = server;
    m_caFile = ca;
    if (!apiKey.empty()) {
        m_client->setBearer(apiKey);
        return *m_client;
    }
    if (!m_session || m_session->refreshToken.empty())
        throw CliFailure("not signed in: run `breeze-admin login` or pass --api-key");
    if (m_session->accessExpiresAt - 30 <= static_cast<long long>(std::time(nullptr))) {
        const auto response =
            m_client->post("/api/v1/auth/refresh", {{"refresh_token", m_session->refreshToken}});
        if (!response.ok())
            throw CliFailure(response.errorMessage() + " (run `breeze-admin login` again)");
        m_session->accessToken = response.body["access_token"];
        m_session->refreshToken = response.body["refresh_token"];
        m_session->accessExpiresAt =
            static_cast<long long>(std::time(nullptr)) + response.body["expires_in"].get<long long>();
        m_session->save(m_sessionPath);
    }
    m_client->setBearer(m_session->accessToken);
    return *m_client;
}

RestResponse CliContext::call(const std::string& method, const std::string& path,
                              const std::optional<nlohmann::json>& body) {
    RestResponse response = client().request(method, path, body);
    if (!response.ok()) {
        const std::string code = response.errorCode();
        throw CliFailure(response.errorMessage() + (code.empty() ? "" : " (" + code + ")"));
    }
    return response;
}

nlohmann::json CliContext::listAll(const std::string& path) {
    nlohmann::json items = nlohmann::json::array();
    std::string cursor;
    const std::string separator = path.find('?') == std::string::npos ? "?" : "&";
    for (;;) {
        const auto response = call("GET", path + separator + "limit=500" +
                                              (cursor.empty() ? "" : "&cursor=" + urlEncode(cursor)));
        for (const auto& item : response.body["items"])
            items.push_back(item);
        if (!response.body.contains("next_cursor") || response.body["next_cursor"].is_null())
            return items;
        cursor = response.body["next_cursor"].get<std::string>();
    }
}

std::string CliContext::resolveOrg(const std::string& idOrName) {
    if (isUuid(idOrName))
        return idOrName;
    for (const auto& org : listAll("/api/v1/orgs?name=" + urlEncode(idOrName))) {
        if (org["name"] == idOrName)
            return org["id"];
    }
    throw CliFailure("no organisation named \"" + idOrName + "\"");
}

std::string CliContext::resolveNamed(const std::string& what, const std::string& collection,
                                     const std::string& idOrName, const std::string& orgHint) {
    if (isUuid(idOrName))
        return idOrName;
    std::string path = "/api/v1/" + collection + "?name=" + urlEncode(idOrName);
    if (!orgHint.empty())
        path += "&org=" + resolveOrg(orgHint);
    std::vector<std::string> matches;
    for (const auto& item : listAll(path)) {
        if (item["name"] == idOrName)
            matches.push_back(item["id"]);
    }
    if (matches.empty())
        throw CliFailure("no " + what + " named \"" + idOrName + "\"");
    if (matches.size() > 1)
        throw CliFailure("several " + collection + " are named \"" + idOrName +
                         "\"; add --org ORG or use the " + what + "'s id");
    return matches.front();
}

std::string CliContext::resolveSite(const std::string& idOrName, const std::string& orgHint) {
    return resolveNamed("site", "sites", idOrName, orgHint);
}

std::string CliContext::resolveGroup(const std::string& idOrName, const std::string& orgHint) {
    return resolveNamed("group", "groups", idOrName, orgHint);
}

void CliContext::printItems(const nlohmann::json& items, const std::vector<std::string>& columns) {
    if (flag("--json"))
        m_out << nlohmann::json{{"items", items}}.dump(2) << "\n";
    else
        TableWriter(columns).write(m_out, items);
}

void CliContext::printObject(const nlohmann::json& object) {
    if (flag("--json")) {
        m_out << object.dump(2) << "\n";
        return;
    }
    for (const auto& [key, value] : object.items())
        m_out << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
}

void CliContext::printCreatedSecret(const std::string& what, const nlohmann::json& created) {
    if (flag("--json")) {
        m_out << created.dump(2) << "\n";
        return;
    }
    m_out << what << " " << created["id"].get<std::string>() << " created. Its secret is shown only now:\n"
          << created["key"].get<std::string>() << "\n";
}

void CliContext::revoke(const std::string& path) {
    call("DELETE", path);
    if (!flag("--json"))
        m_out << "revoked\n";
}

std::string CliContext::filterQuery(const std::string& extra) {
    std::string query;
    if (m_options.contains("--org"))
        query += "&org=" + resolveOrg(option("--org"));
    if (m_options.contains("--site"))
        query += "&site=" + resolveSite(option("--site"), option("--org"));
    if (m_options.contains("--group"))
        query += "&group=" + resolveGroup(option("--group"), option("--org"));
    if (!extra.empty())
        query += "&" + extra;
    if (!query.empty())
        query[0] = '?';
    return query;
}

std::string CliContext::resolveDevice(const std::string& idOrName) {
    if (isUuid(idOrName))
        return idOrName;
    std::vector<std::string> matches;
    for (const auto& device : listAll("/api/v1/devices")) {
        if (device["hostname"] == idOrName || device["identity"] == idOrName)
            matches.push_back(device["id"]);
    }
    if (matches.empty())
        throw CliFailure("no device named \"" + idOrName + "\"");
    if (matches.size() > 1)
        throw CliFailure("several devices are named \"" + idOrName + "\"; use the device's id");
    return matches.front();
}

nlohmann::json CliContext::resolveDevices() {
    nlohmann::json ids = nlohmann::json::array();
    for (const auto& device : every("--device"))
        ids.push_back(resolveDevice(device));
    return ids;
}

void CliContext::patchDevice(const std::string& device, const nlohmann::json& body) {
    printObject(call("PATCH", "/api/v1/devices/" + device, body).body);
}

std::vector<std::pair<std::string, std::string>> CliContext::pairs(const std::string& option) const {
    std::vector<std::pair<std::string, std::string>> found;
    const auto it = m_repeated.find(option);
    if (it == m_repeated.end())
        return found;
    for (const auto& pair : it->second) {
        const auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0)
            throw CliFailure(option + " takes NAME=VALUE (got \"" + pair + "\")");
        found.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    }
    return found;
}

std::vector<std::string> CliContext::every(const std::string& name) const {
    const auto it = m_repeated.find(name);
    return it == m_repeated.end() ? std::vector<std::string>{} : it->second;
}

} // namespace breeze::admin
