#pragma once

#include "protocol/AgentMessages.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace breeze::agent {

// Runs one run_script command: writes the script into a private temporary directory, starts it under the
// supervisor (`breeze-agent supervise-script`) with its parameters as environment variables, streams stdout
// and stderr separately through `output` as they come (each capped at kMaxScriptOutputBytes, the rest counted
// and dropped), stops the whole process tree on timeout or cancel, and removes the directory afterwards.
class ScriptRunner {
public:
    using OutputSink = std::function<void(const protocol::CommandOutput&)>;

    struct Options {
        std::string supervisorProgram; // the breeze-agent binary
        std::string temporaryRoot;     // where private directories are made; "" = the system's
    };

    explicit ScriptRunner(Options options) : m_options(std::move(options)) {}

    protocol::CommandUpdate run(const protocol::CommandRequest& request, const std::atomic<bool>& cancel,
                                const OutputSink& output) const;

    // "script.bash", "script.python", ...: the languages this machine has an interpreter for.
    static std::vector<std::string> capabilities();
    // The interpreter's absolute path, or nullopt when the machine has none.
    static std::optional<std::string> interpreterFor(const std::string& language);

private:
    Options m_options;
};

} // namespace breeze::agent
