#include "cli/CliContext.h"
#include "cli/Noun.h"
#include "encoding/Uuid.h"

#include <chrono>
#include <cmath>
#include <iostream>
#include <set>
#include <thread>

namespace breeze::admin {

namespace {
const std::set<std::string> kOpen{"pending", "sent", "running"};

// `breeze-admin patches …`: scan a device, list the catalog or a device's patches, approve, reject or defer
// at a level (partner-wide with no scope flag), deploy now or at a time, read per-package results with their
// logs, roll an update back.
class PatchCli {
public:
    explicit PatchCli(CliContext& cli) : m_cli(cli) {}
    int run();

private:
    int decide(const std::string& decision);
    int deploy();
    int policy();
    nlohmann::json policySettings();
    // Polls a command until it is final; prints status changes on stderr. Returns the command.
    nlohmann::json waitForCommand(const std::string& commandId);
    std::string resolvePatch(const std::string& idOrName, const std::string& deviceId);
    std::string resolvePolicy(const std::string& idOrName);

    CliContext& m_cli;
};
} // namespace

int PatchCli::run() {
    const std::string action = m_cli.positional(1, "patches action (scan, list, approve, reject, defer, "
                                                   "deploy, deployments, results, rollback, compliance)");
    if (action == "scan") {
        const std::string device = m_cli.resolveDevice(m_cli.requireOption("--device"));
        const auto started =
            m_cli.call("POST", "/api/v1/devices/" + device + "/patch-scan", nlohmann::json::object()).body;
        if (!m_cli.flag("--wait")) {
            m_cli.printObject(started);
            return 0;
        }
        const auto command = waitForCommand(started["command_id"]);
        if (command["status"] != "completed") {
            m_cli.err() << "scan " << command["status"].get<std::string>() << ": "
                        << command.value("error", nlohmann::json("")).dump() << "\n";
            return 1;
        }
        m_cli.printItems(m_cli.call("GET", "/api/v1/devices/" + device + "/patches").body["items"],
                         {"name", "installed=installed_version", "available=version", "security", "state",
                          "decision", "repository"});
        return 0;
    }
    if (action == "list") {
        if (m_cli.has("--device")) {
            const std::string device = m_cli.resolveDevice(m_cli.option("--device"));
            m_cli.printItems(m_cli.call("GET", "/api/v1/devices/" + device + "/patches").body["items"],
                             {"id", "name", "installed=installed_version", "available=version", "security",
                              "state", "decision"});
            return 0;
        }
        m_cli.printItems(
            m_cli.listAll("/api/v1/patches" + m_cli.filterQuery()),
            {"id", "name", "version", "security", "severity", "missing", "installed", "failed", "decision"});
        return 0;
    }
    if (action == "approve" || action == "reject")
        return decide(action == "approve" ? "approved" : "rejected");
    if (action == "defer")
        return decide("deferred");
    if (action == "deploy")
        return deploy();
    if (action == "compliance") {
        const auto report = m_cli.call("GET", "/api/v1/patch-compliance" + m_cli.filterQuery()).body;
        if (m_cli.flag("--json")) {
            m_cli.out() << report.dump(2) << "\n";
            return 0;
        }
        const auto percent = [](const nlohmann::json& share) {
            return share.is_null() ? std::string("-")
                                   : std::to_string(std::lround(share.get<double>() * 100)) + "%";
        };
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& site : report["sites"])
            rows.push_back({{"organisation", site["org_name"]},
                            {"site", site["site_name"]},
                            {"devices", site["devices"]},
                            {"scanned", site["scanned"]},
                            {"patched", percent(site["share"])},
                            {"critical", percent(site["by_severity"]["critical"]["share"])},
                            {"security", percent(site["by_severity"]["security"]["share"])}});
        m_cli.printItems(rows,
                         {"organisation", "site", "devices", "scanned", "patched", "critical", "security"});
        m_cli.out() << "all: " << percent(report["total"]["share"]) << " of "
                    << report["total"]["scanned"].dump() << " scanned devices fully patched\n";
        return 0;
    }
    if (action == "policy")
        return policy();
    if (action == "deployments") {
        m_cli.printItems(
            m_cli.call("GET", "/api/v1/patch-deployments").body["items"],
            {"id", "status", "scheduled=scheduled_at", "devices=device_count", "by=requested_by"});
        return 0;
    }
    if (action == "results") {
        const std::string device = m_cli.resolveDevice(m_cli.requireOption("--device"));
        const auto items = m_cli.call("GET", "/api/v1/devices/" + device + "/patch-results").body["items"];
        if (m_cli.flag("--json")) {
            m_cli.out() << nlohmann::json{{"items", items}}.dump(2) << "\n";
            return 0;
        }
        m_cli.printItems(items, {"at", "kind", "name", "version", "status", "now=installed_version"});
        for (const auto& item : items)
            if (item["status"] == "failed")
                m_cli.out() << "\n--- " << item["name"].get<std::string>() << " "
                            << item["version"].get<std::string>() << " (failed)\n"
                            << item["log"].get<std::string>() << "\n";
        return 0;
    }
    if (action == "rollback") {
        const std::string device = m_cli.resolveDevice(m_cli.requireOption("--device"));
        const std::string patch = resolvePatch(m_cli.positional(2, "patch"), device);
        const auto started =
            m_cli
                .call("POST", "/api/v1/devices/" + device + "/patches/" + patch + "/rollback",
                      nlohmann::json::object())
                .body;
        if (!m_cli.flag("--wait")) {
            m_cli.printObject(started);
            return 0;
        }
        const auto command = waitForCommand(started["command_id"]);
        const auto results = command["output"].value("results", nlohmann::json::array());
        for (const auto& result : results)
            m_cli.out() << result["name"].get<std::string>() << ": " << result["status"].get<std::string>()
                        << " (now " << result["installed_version"].get<std::string>() << ")\n";
        return command["status"] == "completed" ? 0 : 1;
    }
    throw CliFailure("unknown patches action " + action);
}

// `--set key=value` pairs as a policy's fields: numbers and true/false as such, lists after commas (window
// days, severities), "null" to clear a script.
nlohmann::json PatchCli::policySettings() {
    nlohmann::json body = nlohmann::json::object();
    for (const auto& [key, value] : m_cli.pairs("--set")) {
        if (key == "window_days" || key == "auto_approve_severities") {
            nlohmann::json items = nlohmann::json::array();
            std::size_t start = 0;
            while (start <= value.size() && !value.empty()) {
                const auto end = std::min(value.find(',', start), value.size());
                const std::string item = value.substr(start, end - start);
                if (key != "window_days")
                    items.push_back(item);
                else if (item.size() == 1 && item[0] >= '0' && item[0] <= '6')
                    items.push_back(item[0] - '0');
                else
                    throw CliFailure("window_days are days of the week, 0 (Sunday) to 6, such as 1,3,5");
                start = end + 1;
            }
            body[key] = items;
        } else if (value == "true" || value == "false") {
            body[key] = value == "true";
        } else if (value == "null") {
            body[key] = nullptr;
        } else if (!value.empty() && value.find_first_not_of("0123456789") == std::string::npos &&
                   value.size() < 10 && key != "window_start") {
            body[key] = std::stoll(value);
        } else {
            body[key] = value;
        }
    }
    return body;
}

std::string PatchCli::resolvePolicy(const std::string& idOrName) {
    if (encoding::isUuid(idOrName))
        return idOrName;
    std::vector<std::string> matches;
    const auto policies = m_cli.call("GET", "/api/v1/patch-policies").body["items"];
    for (const auto& item : policies)
        if (item["name"] == idOrName)
            matches.push_back(item["id"]);
    if (matches.size() != 1)
        throw CliFailure(matches.empty()
                             ? "no patch policy named \"" + idOrName + "\""
                             : "several patch policies are named \"" + idOrName + "\"; use the id");
    return matches.front();
}

int PatchCli::policy() {
    const std::string step =
        m_cli.positional(2, "policy action (list, show, create, update, assign, delete)");
    const auto resolve = [this](const std::string& idOrName) { return resolvePolicy(idOrName); };
    if (step == "list") {
        m_cli.printItems(m_cli.call("GET", "/api/v1/patch-policies").body["items"],
                         {"id", "name", "org=org_id", "days=window_days", "start=window_start",
                          "minutes=window_minutes", "reboot", "security=auto_approve_security"});
        return 0;
    }
    if (step == "show") {
        m_cli.printObject(
            m_cli.call("GET", "/api/v1/patch-policies/" + resolve(m_cli.positional(3, "policy"))).body);
        return 0;
    }
    if (step == "create") {
        nlohmann::json body = policySettings();
        body["name"] = m_cli.requireOption("--name");
        if (m_cli.has("--org"))
            body["org_id"] = m_cli.resolveOrg(m_cli.option("--org"));
        m_cli.printObject(m_cli.call("POST", "/api/v1/patch-policies", body).body);
        return 0;
    }
    if (step == "update") {
        m_cli.printObject(m_cli
                              .call("PATCH",
                                    "/api/v1/patch-policies/" + resolve(m_cli.positional(3, "policy")),
                                    policySettings())
                              .body);
        return 0;
    }
    if (step == "assign") {
        nlohmann::json body = nlohmann::json::object();
        if (m_cli.has("--site"))
            body["site_id"] = m_cli.resolveSite(m_cli.option("--site"), m_cli.option("--org"));
        else
            body["org_id"] = m_cli.resolveOrg(m_cli.requireOption("--org"));
        m_cli.printObject(
            m_cli
                .call("POST",
                      "/api/v1/patch-policies/" + resolve(m_cli.positional(3, "policy")) + "/assignments",
                      body)
                .body);
        return 0;
    }
    if (step == "delete") {
        m_cli.call("DELETE", "/api/v1/patch-policies/" + resolve(m_cli.positional(3, "policy")));
        return 0;
    }
    throw CliFailure("unknown policy action " + step);
}

// A patch id, or a package name: the one update of that name the device (or the catalog) has.
std::string PatchCli::resolvePatch(const std::string& idOrName, const std::string& deviceId) {
    if (encoding::isUuid(idOrName))
        return idOrName;
    const auto items = deviceId.empty()
                           ? m_cli.listAll("/api/v1/patches?q=" + urlEncode(idOrName))
                           : m_cli.call("GET", "/api/v1/devices/" + deviceId + "/patches").body["items"];
    std::vector<std::string> matches;
    for (const auto& item : items)
        if (item["name"] == idOrName)
            matches.push_back(item["id"]);
    if (matches.empty())
        throw CliFailure("no update of a package named \"" + idOrName + "\"");
    if (matches.size() > 1)
        throw CliFailure("several updates of \"" + idOrName +
                         "\"; use the patch id (breeze-admin patches list)");
    return matches.front();
}

int PatchCli::decide(const std::string& decision) {
    nlohmann::json body{{"decision", decision}};
    std::string device;
    if (m_cli.has("--device")) {
        device = m_cli.resolveDevice(m_cli.option("--device"));
        body["device_id"] = device;
    } else if (m_cli.has("--site")) {
        body["site_id"] = m_cli.resolveSite(m_cli.option("--site"), m_cli.option("--org"));
    } else if (m_cli.has("--policy")) {
        body["policy_id"] = resolvePolicy(m_cli.option("--policy"));
    } else if (m_cli.has("--org")) {
        body["org_id"] = m_cli.resolveOrg(m_cli.option("--org"));
    }
    if (decision == "deferred") {
        if (m_cli.has("--until"))
            body["defer_until"] = m_cli.option("--until");
        else if (m_cli.has("--days"))
            body["defer_days"] = parseCount(m_cli.option("--days"));
        else
            throw CliFailure("defer needs --until DATE or --days N");
    }
    const std::string patch = resolvePatch(m_cli.positional(2, "patch"), device);
    m_cli.printObject(m_cli.call("POST", "/api/v1/patches/" + patch + "/decision", body).body);
    return 0;
}

int PatchCli::deploy() {
    nlohmann::json body = nlohmann::json::object();
    if (const auto ids = m_cli.resolveDevices(); !ids.empty()) {
        body["device_ids"] = ids;
    } else if (m_cli.has("--site")) {
        body["site_id"] = m_cli.resolveSite(m_cli.option("--site"), m_cli.option("--org"));
    } else if (m_cli.has("--org")) {
        body["org_id"] = m_cli.resolveOrg(m_cli.option("--org"));
    } else {
        throw CliFailure("deploy needs --device D (repeatable), --site S or --org O");
    }
    if (m_cli.has("--at"))
        body["scheduled_at"] = m_cli.option("--at");
    auto deployment = m_cli.call("POST", "/api/v1/patch-deployments", body).body;
    const std::string id = deployment["id"];
    if (!m_cli.flag("--wait")) {
        m_cli.printObject(deployment);
        return 0;
    }
    // Until it is queued (at its time), then until every device's install is final.
    std::string last;
    while (true) {
        deployment = m_cli.call("GET", "/api/v1/patch-deployments/" + id).body;
        bool open = deployment["status"] == "scheduled";
        for (const auto& device : deployment["devices"])
            open = open || kOpen.contains(device["status"].get<std::string>());
        const std::string now = deployment["status"].get<std::string>() + " " + deployment["statuses"].dump();
        if (now != last && !m_cli.flag("--json"))
            m_cli.err() << "deployment " << now << "\n";
        last = now;
        if (!open)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    if (m_cli.flag("--json")) {
        m_cli.out() << deployment.dump(2) << "\n";
    } else {
        for (const auto& device : deployment["devices"])
            for (const auto& result : device["results"])
                m_cli.out() << device["hostname"].get<std::string>() << "  "
                            << result["name"].get<std::string>() << " "
                            << result["version"].get<std::string>() << ": "
                            << result["status"].get<std::string>() << "\n";
        for (const auto& nothing : deployment["summary"].value("nothing_to_install", nlohmann::json::array()))
            m_cli.err() << nothing.get<std::string>() << ": nothing approved to install\n";
    }
    bool ok = true;
    for (const auto& device : deployment["devices"])
        ok = ok && device["status"] == "completed";
    return ok ? 0 : 1;
}

nlohmann::json PatchCli::waitForCommand(const std::string& commandId) {
    nlohmann::json command;
    std::string last;
    const auto started = std::chrono::steady_clock::now();
    do {
        if (!last.empty())
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
        command = m_cli.call("GET", "/api/v1/commands/" + commandId).body;
        if (command["status"] != last && !m_cli.flag("--json"))
            m_cli.err() << "status: " << command["status"].get<std::string>() << "\n";
        last = command["status"];
        if (std::chrono::steady_clock::now() - started > std::chrono::hours(2))
            throw CliFailure("still " + last + " after two hours; see breeze-admin commands show " +
                             commandId);
    } while (kOpen.contains(last));
    return command;
}

extern const Noun kPatchesNoun{
    "patches", R"(  patches scan --device D [--wait] | list [--device D] [--org ORG] [--site SITE]
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
)",
    [](CliContext& cli) { return PatchCli(cli).run(); }};

} // namespace breeze::admin
