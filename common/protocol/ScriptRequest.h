#pragma once

#include "units/Units.h"

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace breeze::protocol {

inline constexpr const char* kRunScriptCommand = "run_script";
inline constexpr std::size_t kMaxScriptBytes = 256 * kKiB;
inline constexpr std::size_t kMaxParameterValueBytes = 32 * kKiB;
inline constexpr std::size_t kMaxScriptParameters = 50;
// Each of stdout and stderr is kept up to this much; the rest is counted and dropped.
inline constexpr std::size_t kMaxScriptOutputBytes = kMiB;
inline constexpr std::size_t kMaxOutputChunkBytes = 64 * kKiB;

// bash, sh, python, powershell: what a script may be written in.
const std::vector<std::string>& scriptLanguages();
bool isScriptLanguage(std::string_view language);
// Parameters reach scripts as environment variables of the same name: a letter or '_' then letters, digits
// and '_', at most 64 bytes, and none of the names the runner sets itself (PATH, HOME, ..., BREEZE_*, LD_*).
bool isValidParameterName(std::string_view name);
// A local account name as Debian's adduser accepts it (lower-case), at most 32 bytes.
bool isValidLocalUserName(std::string_view name);

// The arguments of a run_script command as the agent receives them. The server fills in the version's content
// and opens sealed secrets only when it delivers the command, so neither is stored in the command row.
struct ScriptRequest {
    std::string language;
    std::string content;
    std::vector<std::pair<std::string, std::string>> environment; // parameter name -> value, in order
    std::string runAs;                                            // "" runs as the agent's own account

    // Throws MessageError naming the bad field.
    static ScriptRequest fromArgs(const nlohmann::json& args);
    nlohmann::json toArgs() const;
};

} // namespace breeze::protocol
