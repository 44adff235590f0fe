#include "cli/CliContext.h"
#include "cli/Noun.h"

#include <chrono>
#include <thread>

namespace breeze::admin {

namespace {
// --arg NAME=VALUE pairs as a command's arguments.
nlohmann::json commandArgs(CliContext& cli) {
    nlohmann::json args = nlohmann::json::object();
    for (const auto& [name, value] : cli.pairs("--arg")) {
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

void printCommand(CliContext& cli, const nlohmann::json& command) {
    if (cli.flag("--json")) {
        cli.out() << command.dump(2) << "\n";
        return;
    }
    cli.out() << "command " << command["id"].get<std::string>() << " (" << command["type"].get<std::string>()
              << "): " << command["status"].get<std::string>() << "\n";
    if (command.contains("exit_code") && !command["exit_code"].is_null())
        cli.out() << "exit code: " << command["exit_code"].dump() << "\n";
    if (command.contains("error") && command["error"].is_string())
        cli.out() << "error: " << command["error"].get<std::string>() << "\n";
    if (command.contains("output") && command["output"].is_object() && !command["output"].empty())
        cli.out() << command["output"].dump(2) << "\n";
}

int runCommands(CliContext& cli) {
    const std::string action = cli.positional(1, "commands action (send, list, show, cancel, types)");
    if (action == "send") {
        const std::string device = cli.resolveDevice(cli.requireOption("--device"));
        nlohmann::json body{{"type", cli.requireOption("--type")}, {"args", commandArgs(cli)}};
        if (cli.has("--timeout"))
            body["timeout_seconds"] = parseCount(cli.option("--timeout"));
        nlohmann::json command = cli.call("POST", "/api/v1/devices/" + device + "/commands", body).body;
        if (!cli.flag("--wait")) {
            printCommand(cli, command);
            return 0;
        }
        // Poll until a final state; say so on stderr while it is queued for an offline device.
        const std::set<std::string> open{"pending", "sent", "running"};
        std::string last = command["status"];
        const auto started = std::chrono::steady_clock::now();
        const long long waitLimit = parseCount(cli.option("--wait-timeout", "600"));
        while (open.contains(command["status"].get<std::string>())) {
            if (std::chrono::steady_clock::now() - started > std::chrono::seconds(waitLimit))
                throw CliFailure("still " + command["status"].get<std::string>() + " after " +
                                 std::to_string(waitLimit) + " s; see `breeze-admin commands show " +
                                 command["id"].get<std::string>() + "`");
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            command = cli.call("GET", "/api/v1/commands/" + command["id"].get<std::string>()).body;
            if (command["status"] != last && !cli.flag("--json")) {
                last = command["status"];
                cli.err() << "status: " << last << "\n";
            }
        }
        printCommand(cli, command);
        return command["status"] == "completed" ? 0 : 1;
    }
    if (action == "list") {
        std::string query = "?limit=" + std::to_string(parseCount(cli.option("--limit", "50")));
        if (cli.has("--device"))
            query += "&device=" + cli.resolveDevice(cli.option("--device"));
        if (cli.has("--status"))
            query += "&status=" + urlEncode(cli.option("--status"));
        cli.printItems(cli.call("GET", "/api/v1/commands" + query).body["items"],
                       {"id", "device=device_id", "type", "status", "exit=exit_code", "created=created_at",
                        "by=requested_by"});
    } else if (action == "show") {
        printCommand(cli, cli.call("GET", "/api/v1/commands/" + cli.positional(2, "command id")).body);
    } else if (action == "cancel") {
        printCommand(cli, cli.call("POST", "/api/v1/commands/" + cli.positional(2, "command id") + "/cancel",
                                   nlohmann::json::object())
                              .body);
    } else if (action == "types") {
        cli.printItems(cli.call("GET", "/api/v1/command-types").body["items"],
                       {"type", "timeout=default_timeout_seconds", "summary"});
    } else {
        throw CliFailure("unknown commands action " + action);
    }
    return 0;
}
} // namespace

extern const Noun kCommandsNoun{
    "commands",
    R"(  commands send --device DEVICE --type TYPE [--arg NAME=VALUE]... [--timeout SECONDS] [--wait]
          | list [--device DEVICE] [--status S] [--limit N] | show ID | cancel ID | types
)",
    runCommands};

} // namespace breeze::admin
