#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace breeze::protocol {

// One typed parameter of a script version: string, number, boolean, choice or secret.
struct ScriptParameter {
    std::string name; // also the environment variable's name
    std::string type;
    std::string label;
    std::string description;
    bool required = false;
    std::optional<std::string> defaultValue; // never for secrets: a default would sit in the library in clear
    std::vector<std::string> choices;        // choice only
};

// Reads a version's parameter definitions (a JSON array); throws MessageError naming the bad item.
std::vector<ScriptParameter> parseScriptParameters(const nlohmann::json& definitions);
nlohmann::json scriptParametersJson(const std::vector<ScriptParameter>& parameters);

// The values a run gives, checked against the definitions, as environment pairs in definition order.
struct ResolvedParameters {
    std::vector<std::pair<std::string, std::string>> plain;
    std::vector<std::pair<std::string, std::string>> secret;
    nlohmann::json redacted =
        nlohmann::json::object(); // every value, secrets replaced, for audit and history
};

inline constexpr const char* kRedacted = "[redacted]";

// Values may be JSON strings (as typed on a command line) or native numbers and booleans. Throws MessageError
// naming the parameter: unknown, missing when required, not a number, not one of the choices, too long.
ResolvedParameters resolveScriptParameters(const std::vector<ScriptParameter>& parameters,
                                           const nlohmann::json& values);

} // namespace breeze::protocol
