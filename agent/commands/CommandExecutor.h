#pragma once

#include "patches/PatchRunner.h"
#include "protocol/AgentMessages.h"
#include "scripts/ScriptRunner.h"

#include <atomic>
#include <functional>
#include <string>

namespace breeze::agent {

// Carries out the built-in commands and scripts (Linux). Each runs on its own thread with the command's
// timeout; cancel stops it (and kills any process it started).
class CommandExecutor {
public:
    struct Hooks {
        // collect_inventory: collect and spool every section now; returns how many were collected.
        std::function<int()> collectInventory;
        // reboot/shutdown run this program ("shutdown" by default) with -r/-h and +minutes; the tests point
        // it at a script, since a test must not power off its machine.
        std::string powerCommand = "shutdown";
        ScriptRunner::Options scripts;
        // Receives script output as it is produced, in order (the runtime spools it).
        ScriptRunner::OutputSink output;
    };

    explicit CommandExecutor(Hooks hooks);

    // Returns the final update (completed, failed, timed_out or cancelled).
    protocol::CommandUpdate execute(const protocol::CommandRequest& request, const std::atomic<bool>& cancel);

    static std::vector<std::string> capabilities();
    static nlohmann::json listProcesses();
    static nlohmann::json listServices();

private:
    protocol::ScriptStepResult runScriptStep(const protocol::CommandRequest& request,
                                             const protocol::ScriptStep& step, const std::string& stage,
                                             const std::atomic<bool>& cancel);
    protocol::CommandUpdate power(const protocol::CommandRequest& request, bool reboot);
    protocol::CommandUpdate killProcess(const protocol::CommandRequest& request);
    protocol::CommandUpdate serviceAction(const protocol::CommandRequest& request,
                                          const std::atomic<bool>& cancel);

    Hooks m_hooks;
    ScriptRunner m_scripts;
    PatchRunner m_patches;
};

} // namespace breeze::agent
