#include "protocol/CommandCatalog.h"

#include "protocol/MessageFields.h"

#include <set>

namespace breeze::protocol {

const std::vector<CommandSpec>& builtInCommands() {
    static const std::vector<CommandSpec> commands{
        {"ping", "answer at once (a round trip through the agent)", 30},
        {"collect_inventory", "collect and report the inventory now", 300},
        {"reboot", "restart the machine after delay_seconds (default 60)", 120},
        {"shutdown", "power the machine off after delay_seconds (default 60)", 120},
        {"list_processes", "list running processes", 60},
        {"kill_process", "send signal (TERM or KILL) to process pid", 30},
        {"list_services", "list services and their state", 60},
        {"service_action", "start, stop or restart the service name", 120},
    };
    return commands;
}

bool isBuiltInCommand(const std::string& type) {
    for (const auto& command : builtInCommands())
        if (command.type == type)
            return true;
    return false;
}

bool isValidUnitName(const std::string& name) {
    if (name.empty() || name.size() > 255 || name[0] == '-')
        return false;
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
              c == '_' || c == '.' || c == '@' || c == '-'))
            return false;
    }
    return true;
}

nlohmann::json validateCommandArgs(const std::string& type, const nlohmann::json& args) {
    if (!args.is_object())
        throw MessageError("args must be an object");
    const MessageFields fields(args, "args");
    const auto allowOnly = [&](const std::set<std::string>& names) {
        for (const auto& [name, value] : args.items())
            if (!names.contains(name))
                throw MessageError(type + " takes no argument \"" + name + "\"");
    };
    if (type == "ping" || type == "list_processes" || type == "list_services" ||
        type == "collect_inventory") {
        allowOnly({});
        return nlohmann::json::object();
    }
    if (type == "reboot" || type == "shutdown") {
        allowOnly({"delay_seconds"});
        return {{"delay_seconds", fields.optionalInteger("delay_seconds", 0, 86400).value_or(60)}};
    }
    if (type == "kill_process") {
        allowOnly({"pid", "signal"});
        const auto pid = fields.integer("pid", 2, 4'194'304);
        const std::string signal = fields.stringOr("signal", 8, "TERM");
        if (signal != "TERM" && signal != "KILL")
            throw MessageError("args.signal must be TERM or KILL");
        return {{"pid", pid}, {"signal", signal}};
    }
    if (type == "service_action") {
        allowOnly({"name", "action"});
        const std::string name = fields.string("name", 255);
        if (!isValidUnitName(name))
            throw MessageError("args.name must be a service (unit) name");
        const std::string action = fields.string("action", 16);
        if (action != "start" && action != "stop" && action != "restart")
            throw MessageError("args.action must be start, stop or restart");
        return {{"name", name}, {"action", action}};
    }
    throw MessageError("unknown command type \"" + type + "\"");
}

} // namespace breeze::protocol
