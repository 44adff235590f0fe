#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace breeze::protocol {

// The commands every agent understands, and the arguments each takes. The server checks arguments when a
// command is created (so a technician hears about a typo at once) and the agent checks them again before it
// acts.
struct CommandSpec {
    std::string type;
    std::string summary;
    int defaultTimeoutSeconds;
};

const std::vector<CommandSpec>& builtInCommands();
bool isBuiltInCommand(const std::string& type);
// Returns the arguments with defaults filled in; throws MessageError naming the argument.
nlohmann::json validateCommandArgs(const std::string& type, const nlohmann::json& args);
// systemd unit names: letters, digits and ":_.@-", 1-255 bytes.
bool isValidUnitName(const std::string& name);

} // namespace breeze::protocol
