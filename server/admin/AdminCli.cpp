#include "AdminCli.h"

#include "PatchCli.h"
#include "ScriptCli.h"
#include "TableWriter.h"
#include "encoding/AsciiCase.h"
#include "encoding/Uuid.h"
#include "enrollment/AgentInstallCommand.h"

#include <Poco/Net/SSLException.h>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace breeze::admin {

namespace {
constexpr const char* kUsage =
    R"(usage: breeze-admin [--server URL] [--ca FILE] [--api-key KEY] [--json] COMMAND

  login --email E --password-stdin [--totp CODE | --recovery-code CODE]
  logout | token | whoami
  orgs list | show ORG | create NAME | delete ORG [--cascade]
  sites list [--org ORG] | create --org ORG NAME
  groups list [--org ORG] [--site SITE] | create --org ORG [--site SITE] NAME | rename GROUP NAME | delete GROUP
  users list [--org ORG] | create --email E [--org ORG] --role ROLE --password-stdin
  roles list
  api-keys list [--org ORG] | create --name N --org ORG --role ROLE [--expires-in DURATION] | revoke ID
  enrollment-keys list [--org ORG] [--site SITE] | create --site SITE [--org ORG] --expires-in DURATION
                  [--max-uses N] [--name N] | revoke ID
  enrollment-keys install-command KEY [--package-url URL]
                  a copy-paste line that installs the agent package and enrolls the machine with KEY
  devices list [--org ORG] [--site SITE] [--group GROUP] [--tag TAG] [--pending] [--status online|offline]
          | show DEVICE | approve DEVICE | refuse DEVICE | revoke DEVICE | rotate-credential DEVICE
          | software DEVICE [--search TEXT]
          | inventory DEVICE
          | events DEVICE | move DEVICE --site SITE [--org ORG] | tag DEVICE TAG... | untag DEVICE TAG...
          | group DEVICE GROUP | group DEVICE --none
  commands send --device DEVICE --type TYPE [--arg NAME=VALUE]... [--timeout SECONDS] [--wait]
          | list [--device DEVICE] [--status S] [--limit N] | show ID | cancel ID | types
  scripts list [--org ORG] [--category C] [--language L] | show SCRIPT [--version N]
          | create --name N --language L --file F [--param NAME:TYPE[:required][:default=V][:choices=A|B]]...
                   [--timeout S] [--org ORG] [--run-as USER] [--os linux,macos] [--category C] [--description D]
          | update SCRIPT [--file F] [--param ...]... [--timeout S] [--run-as USER] [--note TEXT]
          | versions SCRIPT | restore SCRIPT VERSION | delete SCRIPT
          | run SCRIPT --device D [--device D]... | --site S | --group G [--param NAME=VALUE]... [--version N]
                [--timeout S] [--wait]
          | executions [--device D] [--script SCRIPT] [--status S] [--run RUN] | execution ID | cancel RUN
  patches scan --device D [--wait] | list [--device D] [--org ORG] [--site SITE]
          | approve PATCH [--device D|--site S|--policy P|--org O] | reject PATCH [--device D|--site S|--policy P|--org O]
          | defer PATCH (--until DATE | --days N) [--device D|--site S|--org O]
          | deploy --device D [--device D]...|--site S|--org O [--at TIME] [--wait] | deployments
          | results --device D | rollback PATCH --device D [--wait] | compliance [--org ORG] [--site SITE]
          | policy list | policy show P | policy create --name N [--org ORG] [--set KEY=VALUE]...
          | policy update P --set KEY=VALUE... | policy assign P --org ORG|--site SITE | policy delete P
            (KEY: window_days=1,3 window_start=02:00 window_minutes=120 reboot=if_required reboot_delay_minutes=15
             auto_approve_security=true auto_approve_severities=critical,important auto_approve_pattern=openssl*
             scan_interval_hours=24 missed_window=next_window|when_online pre_script_id=ID post_script_id=ID)
          PATCH is a patch id or a package name; approve and reject without a scope flag act partner-wide.
  audit list [--org ORG] [--action A] [--actor A] [--result R] [--since T] [--until T] [--limit N]

ORG, SITE and GROUP are ids or exact names; DEVICE is an id, a host name or a machine identity. DURATION is like 7d, 12h, 30m or seconds.
Environment: BREEZE_SERVER, BREEZE_CA, BREEZE_API_KEY, BREEZE_ADMIN_CONFIG_DIR.
)";

const std::set<std::string> kFlags = {"--json", "--password-stdin", "--cascade", "--pending",
                                      "--help", "--wait",           "--none"};
// Options that may be given more than once.
const std::set<std::string> kRepeatable = {"--arg", "--param", "--device", "--set"};

// Ids may be pasted in upper case; the server's are lower case.
bool isUuid(const std::string& text) {
    return encoding::isUuid(encoding::lowerAscii(text));
}

std::string envOr(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value && *value ? value : fallback;
}
} // namespace

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

void AdminCli::parse(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.starts_with("--")) {
            if (kFlags.contains(arg)) {
                m_flags.insert(arg);
            } else if (i + 1 < args.size() && kRepeatable.contains(arg)) {
                m_repeated[arg].push_back(args[++i]);
                m_options[arg] = args[i]; // the last one, for commands that take it once
            } else if (i + 1 < args.size()) {
                m_options[arg] = args[++i];
            } else {
                throw Failure(arg + " needs a value");
            }
        } else {
            m_positional.push_back(arg);
        }
    }
}

std::string AdminCli::option(const std::string& name, const std::string& fallback) const {
    const auto it = m_options.find(name);
    return it == m_options.end() ? fallback : it->second;
}

std::string AdminCli::requireOption(const std::string& name) const {
    const auto it = m_options.find(name);
    if (it == m_options.end())
        throw Failure(m_positional.empty() ? name + " is required" : m_positional[0] + " needs " + name);
    return it->second;
}

std::string AdminCli::positional(std::size_t index, const std::string& what) const {
    if (index >= m_positional.size())
        throw Failure("missing " + what);
    return m_positional[index];
}

std::string AdminCli::readSecretLine() {
    std::string line;
    std::getline(m_in, line);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return line;
}

RestClient& AdminCli::client() {
    if (m_client)
        return *m_client;
    const std::string apiKey = option("--api-key", envOr("BREEZE_API_KEY", ""));
    m_session = AdminSession::load(m_sessionPath);
    const std::string server = option("--server", envOr("BREEZE_SERVER", m_session ? m_session->server : ""));
    const std::string ca = option("--ca", envOr("BREEZE_CA", m_session ? m_session->caFile : ""));
    if (server.empty())
        throw Failure(
            "no server: pass --server URL (or set BREEZE_SERVER), or run `breeze-admin login` first");
    m_client = std::make_unique<RestClient>(server, ca);
    m_serverUrl = server;
    m_caFile = ca;
    if (!apiKey.empty()) {
        m_client->setBearer(apiKey);
        return *m_client;
    }
    if (!m_session || m_session->refreshToken.empty())
        throw Failure("not signed in: run `breeze-admin login` or pass --api-key");
    if (m_session->accessExpiresAt - 30 <= static_cast<long long>(std::time(nullptr))) {
        const auto response =
            m_client->post("/api/v1/auth/refresh", {{"refresh_token", m_session->refreshToken}});
        if (!response.ok())
            throw Failure(response.errorMessage() + " (run `breeze-admin login` again)");
        m_session->accessToken = response.body["access_token"];
        m_session->refreshToken = response.body["refresh_token"];
        m_session->accessExpiresAt =
            static_cast<long long>(std::time(nullptr)) + response.body["expires_in"].get<long long>();
        m_session->save(m_sessionPath);
    }
    m_client->setBearer(m_session->accessToken);
    return *m_client;
}

RestResponse AdminCli::call(const std::string& method, const std::string& path,
                            const std::optional<nlohmann::json>& body) {
    RestResponse response = client().request(method, path, body);
    if (!response.ok()) {
        const std::string code = response.errorCode();
        throw Failure(response.errorMessage() + (code.empty() ? "" : " (" + code + ")"));
    }
    return response;
}

nlohmann::json AdminCli::listAll(const std::string& path) {
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

std::string AdminCli::resolveOrg(const std::string& idOrName) {
    if (isUuid(idOrName))
        return idOrName;
    for (const auto& org : listAll("/api/v1/orgs?name=" + urlEncode(idOrName))) {
        if (org["name"] == idOrName)
            return org["id"];
    }
    throw Failure("no organisation named \"" + idOrName + "\"");
}

std::string AdminCli::resolveNamed(const std::string& what, const std::string& collection,
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
        throw Failure("no " + what + " named \"" + idOrName + "\"");
    if (matches.size() > 1)
        throw Failure("several " + collection + " are named \"" + idOrName + "\"; add --org ORG or use the " +
                      what + "'s id");
    return matches.front();
}

std::string AdminCli::resolveSite(const std::string& idOrName, const std::string& orgHint) {
    return resolveNamed("site", "sites", idOrName, orgHint);
}

std::string AdminCli::resolveGroup(const std::string& idOrName, const std::string& orgHint) {
    return resolveNamed("group", "groups", idOrName, orgHint);
}

void AdminCli::printItems(const nlohmann::json& items, const std::vector<std::string>& columns) {
    if (flag("--json"))
        m_out << nlohmann::json{{"items", items}}.dump(2) << "\n";
    else
        TableWriter(columns).write(m_out, items);
}

void AdminCli::printObject(const nlohmann::json& object) {
    if (flag("--json")) {
        m_out << object.dump(2) << "\n";
        return;
    }
    for (const auto& [key, value] : object.items())
        m_out << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
}

void AdminCli::printCreatedSecret(const std::string& what, const nlohmann::json& created) {
    if (flag("--json")) {
        m_out << created.dump(2) << "\n";
        return;
    }
    m_out << what << " " << created["id"].get<std::string>() << " created. Its secret is shown only now:\n"
          << created["key"].get<std::string>() << "\n";
}

void AdminCli::revoke(const std::string& path) {
    call("DELETE", path);
    if (!flag("--json"))
        m_out << "revoked\n";
}

int AdminCli::login() {
    const std::string server = option("--server", envOr("BREEZE_SERVER", ""));
    if (server.empty())
        throw Failure("login needs --server URL (or BREEZE_SERVER)");
    const std::string ca = option("--ca", envOr("BREEZE_CA", ""));
    if (!flag("--password-stdin"))
        throw Failure("login reads the password from standard input: pass --password-stdin");
    nlohmann::json body = {{"email", requireOption("--email")}, {"password", readSecretLine()}};
    if (m_options.contains("--totp"))
        body["totp"] = option("--totp");
    if (m_options.contains("--recovery-code"))
        body["recovery_code"] = option("--recovery-code");
    RestClient anonymous(server, ca);
    const auto response = anonymous.post("/api/v1/auth/login", body);
    if (!response.ok())
        throw Failure(response.errorMessage() + " (" + response.errorCode() + ")");
    AdminSession session;
    session.server = server;
    session.caFile = ca;
    session.refreshToken = response.body["refresh_token"];
    session.accessToken = response.body["access_token"];
    session.accessExpiresAt =
        static_cast<long long>(std::time(nullptr)) + response.body["expires_in"].get<long long>();
    session.save(m_sessionPath);
    if (flag("--json"))
        m_out << nlohmann::json{{"signed_in", true},
                                {"mfa_enrollment_required", response.body["mfa_enrollment_required"]}}
                     .dump(2)
              << "\n";
    else
        m_out << "signed in to " << server
              << (response.body["mfa_enrollment_required"].get<bool>() ? " (set up MFA before anything else)"
                                                                       : "")
              << "\n";
    return 0;
}

int AdminCli::logout() {
    if (AdminSession::load(m_sessionPath)) {
        try {
            call("POST", "/api/v1/auth/logout");
        } catch (const std::exception& error) {
            m_err << "breeze-admin: the server did not confirm sign-out: " << error.what() << "\n";
        }
    }
    AdminSession::remove(m_sessionPath);
    m_out << "signed out\n";
    return 0;
}

int AdminCli::token() {
    client();
    if (!m_session || option("--api-key", envOr("BREEZE_API_KEY", "")) != "")
        throw Failure("token prints a signed-in user's access token; API keys are tokens already");
    m_out << m_session->accessToken << "\n";
    return 0;
}

int AdminCli::whoami() {
    printObject(call("GET", "/api/v1/auth/me").body);
    return 0;
}

int AdminCli::orgs() {
    const std::string action = positional(1, "orgs action (list, show, create, delete)");
    if (action == "list") {
        printItems(listAll("/api/v1/orgs"), {"id", "name", "created=created_at"});
    } else if (action == "show") {
        printObject(call("GET", "/api/v1/orgs/" + resolveOrg(positional(2, "ORG"))).body);
    } else if (action == "create") {
        printObject(
            call("POST", "/api/v1/orgs", nlohmann::json{{"name", positional(2, "organisation name")}}).body);
    } else if (action == "delete") {
        call("DELETE",
             "/api/v1/orgs/" + resolveOrg(positional(2, "ORG")) + (flag("--cascade") ? "?cascade=true" : ""));
        if (!flag("--json"))
            m_out << "deleted\n";
    } else {
        throw Failure("unknown orgs action " + action);
    }
    return 0;
}

int AdminCli::sites() {
    const std::string action = positional(1, "sites action (list, create)");
    if (action == "list") {
        printItems(listAll("/api/v1/sites" + filterQuery()), {"id", "name", "org=org_id", "timezone"});
    } else if (action == "create") {
        printObject(call("POST", "/api/v1/sites",
                         nlohmann::json{{"org_id", resolveOrg(requireOption("--org"))},
                                        {"name", positional(2, "site name")}})
                        .body);
    } else {
        throw Failure("unknown sites action " + action);
    }
    return 0;
}

int AdminCli::groups() {
    const std::string action = positional(1, "groups action (list, create, rename, delete)");
    if (action == "list") {
        printItems(listAll("/api/v1/groups" + filterQuery()), {"id", "name", "org=org_id", "site=site_id"});
    } else if (action == "create") {
        nlohmann::json body{{"org_id", resolveOrg(requireOption("--org"))},
                            {"name", positional(2, "group name")}};
        if (m_options.contains("--site"))
            body["site_id"] = resolveSite(option("--site"), option("--org"));
        printObject(call("POST", "/api/v1/groups", body).body);
    } else if (action == "rename") {
        const std::string group = resolveGroup(positional(2, "GROUP"), option("--org"));
        printObject(
            call("PATCH", "/api/v1/groups/" + group, nlohmann::json{{"name", positional(3, "new name")}})
                .body);
    } else if (action == "delete") {
        call("DELETE", "/api/v1/groups/" + resolveGroup(positional(2, "GROUP"), option("--org")));
        if (!flag("--json"))
            m_out << "deleted; its devices are now outside any group\n";
    } else {
        throw Failure("unknown groups action " + action);
    }
    return 0;
}

int AdminCli::users() {
    const std::string action = positional(1, "users action (list, create)");
    if (action == "list") {
        printItems(listAll("/api/v1/users" + filterQuery()),
                   {"id", "email", "org=home_org_id", "roles=grants", "mfa=mfa_enabled", "disabled"});
    } else if (action == "create") {
        if (!flag("--password-stdin"))
            throw Failure("users create reads the password from standard input: pass --password-stdin");
        nlohmann::json body = {{"email", requireOption("--email")}, {"role", requireOption("--role")}};
        if (m_options.contains("--org"))
            body["org_id"] = resolveOrg(option("--org"));
        if (m_options.contains("--name"))
            body["display_name"] = option("--name");
        body["password"] = readSecretLine();
        printObject(call("POST", "/api/v1/users", body).body);
    } else {
        throw Failure("unknown users action " + action);
    }
    return 0;
}

int AdminCli::roles() {
    if (positional(1, "roles action (list)") != "list")
        throw Failure("unknown roles action " + m_positional[1]);
    printItems(call("GET", "/api/v1/roles").body["items"], {"id", "name", "builtin", "description"});
    return 0;
}

int AdminCli::apiKeys() {
    const std::string action = positional(1, "api-keys action (list, create, revoke)");
    if (action == "list") {
        printItems(listAll("/api/v1/api-keys" + filterQuery()),
                   {"id", "name", "prefix", "org=org_id", "role", "status", "last_used=last_used_at"});
    } else if (action == "create") {
        nlohmann::json body = {{"name", requireOption("--name")},
                               {"org_id", resolveOrg(requireOption("--org"))},
                               {"role", requireOption("--role")}};
        if (m_options.contains("--expires-in"))
            body["expires_in_days"] = std::max(1LL, parseDuration(option("--expires-in")) / 86400);
        printCreatedSecret("API key", call("POST", "/api/v1/api-keys", body).body);
    } else if (action == "revoke") {
        revoke("/api/v1/api-keys/" + positional(2, "API key id"));
    } else {
        throw Failure("unknown api-keys action " + action);
    }
    return 0;
}

int AdminCli::enrollmentKeys() {
    const std::string action = positional(1, "enrollment-keys action (list, create, revoke)");
    if (action == "list") {
        const std::string query = filterQuery();
        printItems(
            listAll("/api/v1/enrollment-keys" + query),
            {"id", "name", "prefix", "site=site_id", "uses", "max=max_uses", "expires=expires_at", "status"});
    } else if (action == "create") {
        nlohmann::json body = {{"site_id", resolveSite(requireOption("--site"), option("--org"))},
                               {"expires_in_seconds", parseDuration(requireOption("--expires-in"))}};
        if (m_options.contains("--max-uses"))
            body["max_uses"] = parseCount(option("--max-uses"));
        if (m_options.contains("--name"))
            body["name"] = option("--name");
        printCreatedSecret("enrollment key", call("POST", "/api/v1/enrollment-keys", body).body);
    } else if (action == "revoke") {
        revoke("/api/v1/enrollment-keys/" + positional(2, "enrollment key id"));
    } else if (action == "install-command") {
        printInstallCommand(positional(2, "the enrollment key (enr_...)"));
    } else {
        throw Failure("unknown enrollment-keys action " + action);
    }
    return 0;
}

std::string AdminCli::filterQuery(const std::string& extra) {
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

std::string AdminCli::resolveDevice(const std::string& idOrName) {
    if (isUuid(idOrName))
        return idOrName;
    std::vector<std::string> matches;
    for (const auto& device : listAll("/api/v1/devices")) {
        if (device["hostname"] == idOrName || device["identity"] == idOrName)
            matches.push_back(device["id"]);
    }
    if (matches.empty())
        throw Failure("no device named \"" + idOrName + "\"");
    if (matches.size() > 1)
        throw Failure("several devices are named \"" + idOrName + "\"; use the device's id");
    return matches.front();
}

void AdminCli::patchDevice(const std::string& device, const nlohmann::json& body) {
    printObject(call("PATCH", "/api/v1/devices/" + device, body).body);
}

int AdminCli::devices() {
    const std::string action =
        positional(1, "devices action (list, show, approve, revoke, software, inventory, events)");
    if (action == "list") {
        std::string extra = flag("--pending") ? "approval=pending" : "";
        if (m_options.contains("--status"))
            extra += (extra.empty() ? "" : "&") + std::string("status=") + urlEncode(option("--status"));
        if (m_options.contains("--tag"))
            extra += (extra.empty() ? "" : "&") + std::string("tag=") + urlEncode(option("--tag"));
        const std::string query = filterQuery(extra);
        auto items = listAll("/api/v1/devices" + query);
        if (flag("--pending")) {
            // Beside new devices: machines that enrolled under a live device's identity, with what differs.
            for (auto& item : items) {
                const auto& request = item["reenrollment"];
                if (!request.is_object()) {
                    item["request"] = "new device";
                    continue;
                }
                std::string differs = "enrolled again from " + request.value("address", std::string("?"));
                for (const char* field : {"hostname", "os", "agent_version", "site_id"}) {
                    const std::string now = item.value(field, std::string());
                    const std::string asked = request.value(field, std::string());
                    if (asked != now)
                        differs +=
                            std::string("; ") + field + " " + (now.empty() ? "-" : now) + " -> " + asked;
                }
                item["request"] = differs;
            }
            printItems(items, {"id", "hostname", "status", "approval", "os", "request"});
            return 0;
        }
        printItems(items, {"id", "hostname", "status", "approval", "os", "agent=agent_version", "tags",
                           "last_seen=last_seen_at"});
    } else if (action == "show") {
        printObject(call("GET", "/api/v1/devices/" + resolveDevice(positional(2, "DEVICE"))).body);
    } else if (action == "rotate-credential") {
        // The agent gets a new credential over its connection; the old one works until it has stored it.
        printObject(call("POST",
                         "/api/v1/devices/" + resolveDevice(positional(2, "DEVICE")) + "/rotate-credential",
                         nlohmann::json::object())
                        .body);
    } else if (action == "refuse") {
        // Turns down a machine's request to take over a device's identity.
        printObject(
            call("DELETE", "/api/v1/devices/" + resolveDevice(positional(2, "DEVICE")) + "/reenrollment")
                .body);
    } else if (action == "approve" || action == "revoke") {
        printObject(call("POST", "/api/v1/devices/" + resolveDevice(positional(2, "DEVICE")) + "/" + action,
                         nlohmann::json::object())
                        .body);
    } else if (action == "move") {
        const std::string device = resolveDevice(positional(2, "DEVICE"));
        patchDevice(device, {{"site_id", resolveSite(requireOption("--site"), option("--org"))}});
    } else if (action == "tag" || action == "untag") {
        const std::string device = resolveDevice(positional(2, "DEVICE"));
        std::vector<std::string> tags;
        for (std::size_t i = 3; i < m_positional.size(); ++i)
            tags.push_back(m_positional[i]);
        if (tags.empty())
            throw Failure("name at least one tag: devices " + action + " DEVICE TAG...");
        patchDevice(device, {{action == "tag" ? "add_tags" : "remove_tags", tags}});
    } else if (action == "group") {
        const std::string device = resolveDevice(positional(2, "DEVICE"));
        patchDevice(device, {{"group_id",
                              flag("--none") ? nlohmann::json(nullptr)
                                             : nlohmann::json(resolveGroup(positional(3, "GROUP (or --none)"),
                                                                           option("--org")))}});
    } else if (action == "software") {
        const std::string device = resolveDevice(positional(2, "DEVICE"));
        const auto body =
            call("GET", "/api/v1/devices/" + device + "/software?q=" + urlEncode(option("--search"))).body;
        if (flag("--json"))
            m_out << body.dump(2) << "\n";
        else
            TableWriter({"name", "version", "arch", "source"}).write(m_out, body["items"]);
    } else if (action == "inventory") {
        const std::string device = resolveDevice(positional(2, "DEVICE"));
        const auto body = call("GET", "/api/v1/devices/" + device + "/inventory").body;
        if (flag("--json")) {
            m_out << body.dump(2) << "\n";
        } else {
            for (const auto& [section, entry] : body["sections"].items()) {
                const auto& data = entry["data"];
                m_out << section << " (" << entry["collected_at"].get<std::string>()
                      << "): " << (data.is_array() ? std::to_string(data.size()) + " items" : data.dump())
                      << "\n";
            }
        }
    } else if (action == "events") {
        const std::string device = resolveDevice(positional(2, "DEVICE"));
        printItems(call("GET", "/api/v1/devices/" + device +
                                   "/events?limit=" + std::to_string(parseCount(option("--limit", "50"))))
                       .body["items"],
                   {"id", "at", "kind", "detail"});
    } else {
        throw Failure("unknown devices action " + action);
    }
    return 0;
}

std::vector<std::pair<std::string, std::string>> AdminCli::pairs(const std::string& option) const {
    std::vector<std::pair<std::string, std::string>> found;
    const auto it = m_repeated.find(option);
    if (it == m_repeated.end())
        return found;
    for (const auto& pair : it->second) {
        const auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Failure(option + " takes NAME=VALUE (got \"" + pair + "\")");
        found.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    }
    return found;
}

nlohmann::json AdminCli::commandArgs() {
    nlohmann::json args = nlohmann::json::object();
    for (const auto& [name, value] : pairs("--arg")) {
        // Whole numbers travel as numbers (pid=123), true/false as booleans; everything else as text.
        if (!value.empty() && value.size() < 18 && value.find_first_not_of("0123456789") == std::string::npos)
            args[name] = std::stoll(value);
        else if (value == "true" || value == "false")
            args[name] = value == "true";
        else
            args[name] = value;
    }
    return args;
}

void AdminCli::printCommand(const nlohmann::json& command) {
    if (flag("--json")) {
        m_out << command.dump(2) << "\n";
        return;
    }
    m_out << "command " << command["id"].get<std::string>() << " (" << command["type"].get<std::string>()
          << "): " << command["status"].get<std::string>() << "\n";
    if (command.contains("exit_code") && !command["exit_code"].is_null())
        m_out << "exit code: " << command["exit_code"].dump() << "\n";
    if (command.contains("error") && command["error"].is_string())
        m_out << "error: " << command["error"].get<std::string>() << "\n";
    if (command.contains("output") && command["output"].is_object() && !command["output"].empty())
        m_out << command["output"].dump(2) << "\n";
}

int AdminCli::commands() {
    const std::string action = positional(1, "commands action (send, list, show, cancel, types)");
    if (action == "send") {
        const std::string device = resolveDevice(requireOption("--device"));
        nlohmann::json body{{"type", requireOption("--type")}, {"args", commandArgs()}};
        if (m_options.contains("--timeout"))
            body["timeout_seconds"] = parseCount(option("--timeout"));
        nlohmann::json command = call("POST", "/api/v1/devices/" + device + "/commands", body).body;
        if (!flag("--wait")) {
            printCommand(command);
            return 0;
        }
        // Poll until a final state; say so on stderr while it is queued for an offline device.
        const std::set<std::string> open{"pending", "sent", "running"};
        std::string last = command["status"];
        const auto started = std::chrono::steady_clock::now();
        const long long waitLimit = parseCount(option("--wait-timeout", "600"));
        while (open.contains(command["status"].get<std::string>())) {
            if (std::chrono::steady_clock::now() - started > std::chrono::seconds(waitLimit))
                throw Failure("still " + command["status"].get<std::string>() + " after " +
                              std::to_string(waitLimit) + " s; see `breeze-admin commands show " +
                              command["id"].get<std::string>() + "`");
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            command = call("GET", "/api/v1/commands/" + command["id"].get<std::string>()).body;
            if (command["status"] != last && !flag("--json")) {
                last = command["status"];
                m_err << "status: " << last << "\n";
            }
        }
        printCommand(command);
        return command["status"] == "completed" ? 0 : 1;
    }
    if (action == "list") {
        std::string query = "?limit=" + std::to_string(parseCount(option("--limit", "50")));
        if (m_options.contains("--device"))
            query += "&device=" + resolveDevice(option("--device"));
        if (m_options.contains("--status"))
            query += "&status=" + urlEncode(option("--status"));
        printItems(call("GET", "/api/v1/commands" + query).body["items"],
                   {"id", "device=device_id", "type", "status", "exit=exit_code", "created=created_at",
                    "by=requested_by"});
    } else if (action == "show") {
        printCommand(call("GET", "/api/v1/commands/" + positional(2, "command id")).body);
    } else if (action == "cancel") {
        printCommand(call("POST", "/api/v1/commands/" + positional(2, "command id") + "/cancel",
                          nlohmann::json::object())
                         .body);
    } else if (action == "types") {
        printItems(call("GET", "/api/v1/command-types").body["items"],
                   {"type", "timeout=default_timeout_seconds", "summary"});
    } else {
        throw Failure("unknown commands action " + action);
    }
    return 0;
}

void AdminCli::printInstallCommand(const std::string& key) {
    client(); // the server and CA as this CLI uses them
    std::string pem;
    if (!m_caFile.empty()) {
        std::ifstream in(m_caFile);
        std::ostringstream text;
        text << in.rdbuf();
        pem = text.str();
    }
    std::string line;
    try {
        line = enrollment::agentInstallCommand(m_serverUrl, pem, key, option("--package-url"));
    } catch (const std::invalid_argument& error) {
        throw Failure(std::string("install-command: ") + error.what());
    }
    if (flag("--json"))
        m_out << nlohmann::json{{"command", line}, {"server", m_serverUrl}}.dump(2) << "\n";
    else
        m_out << line << "\n";
}

int AdminCli::audit() {
    if (positional(1, "audit action (list)") != "list")
        throw Failure("unknown audit action " + m_positional[1]);
    std::string query = "?limit=" + std::to_string(parseCount(option("--limit", "50")));
    if (m_options.contains("--org"))
        query += "&org=" + resolveOrg(option("--org"));
    for (const auto& [flagName, param] :
         std::vector<std::pair<std::string, std::string>>{{"--action", "action"},
                                                          {"--actor", "actor"},
                                                          {"--result", "result"},
                                                          {"--since", "since"},
                                                          {"--until", "until"}}) {
        if (m_options.contains(flagName))
            query += "&" + param + "=" + urlEncode(option(flagName));
    }
    printItems(call("GET", "/api/v1/audit" + query).body["items"],
               {"id", "at", "actor=actor_label", "address", "action", "resource=resource_id", "result"});
    return 0;
}

int AdminCli::run(const std::vector<std::string>& args) {
    try {
        parse(args);
        if (m_positional.empty() || flag("--help")) {
            m_out << kUsage;
            return m_positional.empty() && !flag("--help") ? 2 : 0;
        }
        m_sessionPath = AdminSession::defaultPath();
        const std::string command = m_positional[0];
        if (command == "login")
            return login();
        if (command == "logout")
            return logout();
        if (command == "token")
            return token();
        if (command == "whoami")
            return whoami();
        if (command == "orgs")
            return orgs();
        if (command == "sites")
            return sites();
        if (command == "groups")
            return groups();
        if (command == "users")
            return users();
        if (command == "roles")
            return roles();
        if (command == "api-keys")
            return apiKeys();
        if (command == "enrollment-keys")
            return enrollmentKeys();
        if (command == "audit")
            return audit();
        if (command == "devices")
            return devices();
        if (command == "commands")
            return commands();
        if (command == "scripts")
            return ScriptCli(*this).run();
        if (command == "patches")
            return PatchCli(*this).run();
        throw Failure("unknown command " + command + "; see breeze-admin --help");
    } catch (const Poco::Net::SSLException& error) {
        m_err << "breeze-admin: TLS failure (is --ca the server's CA?): " << error.displayText() << "\n";
    } catch (const Poco::Exception& error) {
        m_err << "breeze-admin: " << error.displayText() << "\n";
    } catch (const std::exception& error) {
        m_err << "breeze-admin: " << error.what() << "\n";
    }
    return 1;
}

} // namespace breeze::admin
