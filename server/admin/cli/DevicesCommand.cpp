#include "TableWriter.h"
#include "cli/CliContext.h"
#include "cli/Noun.h"

#include <chrono>
#include <thread>

namespace breeze::admin {

namespace {
int runDevices(CliContext& cli) {
    const std::string action =
        cli.positional(1, "devices action (list, show, approve, revoke, software, inventory, events)");
    if (action == "list") {
        std::string extra = cli.flag("--pending") ? "approval=pending" : "";
        if (cli.has("--status"))
            extra += (extra.empty() ? "" : "&") + std::string("status=") + urlEncode(cli.option("--status"));
        if (cli.has("--tag"))
            extra += (extra.empty() ? "" : "&") + std::string("tag=") + urlEncode(cli.option("--tag"));
        const std::string query = cli.filterQuery(extra);
        auto items = cli.listAll("/api/v1/devices" + query);
        if (cli.flag("--pending")) {
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
            cli.printItems(items, {"id", "hostname", "status", "approval", "os", "request"});
            return 0;
        }
        cli.printItems(items, {"id", "hostname", "status", "approval", "os", "agent=agent_version", "tags",
                               "last_seen=last_seen_at"});
    } else if (action == "show") {
        cli.printObject(
            cli.call("GET", "/api/v1/devices/" + cli.resolveDevice(cli.positional(2, "DEVICE"))).body);
    } else if (action == "rotate-credential") {
        // The agent gets a new credential over its connection; the old one works until it has stored it.
        cli.printObject(cli.call("POST",
                                 "/api/v1/devices/" + cli.resolveDevice(cli.positional(2, "DEVICE")) +
                                     "/rotate-credential",
                                 nlohmann::json::object())
                            .body);
    } else if (action == "refuse") {
        // Turns down a machine's request to take over a device's identity.
        cli.printObject(
            cli.call("DELETE",
                     "/api/v1/devices/" + cli.resolveDevice(cli.positional(2, "DEVICE")) + "/reenrollment")
                .body);
    } else if (action == "approve" || action == "revoke") {
        cli.printObject(
            cli.call("POST",
                     "/api/v1/devices/" + cli.resolveDevice(cli.positional(2, "DEVICE")) + "/" + action,
                     nlohmann::json::object())
                .body);
    } else if (action == "move") {
        const std::string device = cli.resolveDevice(cli.positional(2, "DEVICE"));
        cli.patchDevice(device,
                        {{"site_id", cli.resolveSite(cli.requireOption("--site"), cli.option("--org"))}});
    } else if (action == "tag" || action == "untag") {
        const std::string device = cli.resolveDevice(cli.positional(2, "DEVICE"));
        std::vector<std::string> tags;
        for (std::size_t i = 3; i < cli.positionals().size(); ++i)
            tags.push_back(cli.positionals()[i]);
        if (tags.empty())
            throw CliFailure("name at least one tag: devices " + action + " DEVICE TAG...");
        cli.patchDevice(device, {{action == "tag" ? "add_tags" : "remove_tags", tags}});
    } else if (action == "group") {
        const std::string device = cli.resolveDevice(cli.positional(2, "DEVICE"));
        cli.patchDevice(device, {{"group_id", cli.flag("--none") ? nlohmann::json(nullptr)
                                                                 : nlohmann::json(cli.resolveGroup(
                                                                       cli.positional(3, "GROUP (or --none)"),
                                                                       cli.option("--org")))}});
    } else if (action == "software") {
        const std::string device = cli.resolveDevice(cli.positional(2, "DEVICE"));
        const auto body =
            cli.call("GET", "/api/v1/devices/" + device + "/software?q=" + urlEncode(cli.option("--search")))
                .body;
        if (cli.flag("--json"))
            cli.out() << body.dump(2) << "\n";
        else
            TableWriter({"name", "version", "arch", "source"}).write(cli.out(), body["items"]);
    } else if (action == "inventory") {
        const std::string device = cli.resolveDevice(cli.positional(2, "DEVICE"));
        const auto body = cli.call("GET", "/api/v1/devices/" + device + "/inventory").body;
        if (cli.flag("--json")) {
            cli.out() << body.dump(2) << "\n";
        } else {
            for (const auto& [section, entry] : body["sections"].items()) {
                const auto& data = entry["data"];
                cli.out() << section << " (" << entry["collected_at"].get<std::string>()
                          << "): " << (data.is_array() ? std::to_string(data.size()) + " items" : data.dump())
                          << "\n";
            }
        }
    } else if (action == "monitors") {
        const std::string device = cli.resolveDevice(cli.positional(2, "DEVICE"));
        const std::string path = "/api/v1/devices/" + device + "/monitors";
        auto body = cli.call("GET", path).body;
        if (cli.flag("--refresh")) {
            // The device collects its inventory now; its new report replaces the one shown.
            const auto before = body["collected_at"];
            const auto command =
                cli.call("POST", "/api/v1/devices/" + device + "/commands",
                         nlohmann::json{{"type", "collect_inventory"}, {"args", nlohmann::json::object()}})
                    .body;
            const auto started = std::chrono::steady_clock::now();
            while (body["collected_at"] == before) {
                if (std::chrono::steady_clock::now() - started > std::chrono::seconds(60))
                    throw CliFailure("the device did not report its monitors within a minute (command " +
                                     command["id"].get<std::string>() + ")");
                std::this_thread::sleep_for(std::chrono::milliseconds(250));
                body = cli.call("GET", path).body;
            }
        }
        if (cli.flag("--json")) {
            cli.out() << body.dump(2) << "\n";
        } else if (body["collected_at"].is_null()) {
            cli.out() << "the device has not reported its monitors yet (--refresh asks it now)\n";
        } else if (body["items"].empty()) {
            cli.out() << "nobody was logged in to a graphical session when the device looked ("
                      << body["collected_at"].get<std::string>() << ")\n";
        } else {
            nlohmann::json rows = nlohmann::json::array();
            for (const auto& monitor : body["items"])
                rows.push_back({{"name", monitor["name"]},
                                {"display", monitor["display"]},
                                {"position", std::to_string(monitor["x"].get<long long>()) + "," +
                                                 std::to_string(monitor["y"].get<long long>())},
                                {"size", std::to_string(monitor["width"].get<long long>()) + "x" +
                                             std::to_string(monitor["height"].get<long long>())},
                                {"primary", monitor["primary"].get<bool>() ? "yes" : ""}});
            TableWriter({"name", "display", "position", "size", "primary"}).write(cli.out(), rows);
            cli.out() << "(as of " << body["collected_at"].get<std::string>() << ")\n";
        }
    } else if (action == "events") {
        const std::string device = cli.resolveDevice(cli.positional(2, "DEVICE"));
        cli.printItems(cli.call("GET", "/api/v1/devices/" + device + "/events?limit=" +
                                           std::to_string(parseCount(cli.option("--limit", "50"))))
                           .body["items"],
                       {"id", "at", "kind", "detail"});
    } else {
        throw CliFailure("unknown devices action " + action);
    }
    return 0;
}
} // namespace

extern const Noun kDevicesNoun{
    "devices",
    R"(  devices list [--org ORG] [--site SITE] [--group GROUP] [--tag TAG] [--pending] [--status online|offline]
          | show DEVICE | approve DEVICE | refuse DEVICE | revoke DEVICE | rotate-credential DEVICE
          | software DEVICE [--search TEXT]
          | inventory DEVICE | monitors DEVICE [--refresh]
          | events DEVICE | move DEVICE --site SITE [--org ORG] | tag DEVICE TAG... | untag DEVICE TAG...
          | group DEVICE GROUP | group DEVICE --none
)",
    runDevices};

} // namespace breeze::admin
