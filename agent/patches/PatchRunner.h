#pragma once

#include "patches/PackageManager.h"
#include "protocol/AgentMessages.h"

#include <functional>
#include <memory>

namespace breeze::agent {

// Carries out patch_scan, patch_install and patch_rollback with this machine's package manager; the results
// are the reports of protocol/PatchMessages.
class PatchRunner {
public:
    // Runs a policy's script before or after the updates (the agent's script runner, under its supervisor).
    using ScriptStepRunner = std::function<protocol::ScriptStepResult(
        const protocol::CommandRequest& request, const protocol::ScriptStep& step, const std::string& stage,
        const std::atomic<bool>& cancel)>;

    // The machine's own manager (apt), or none.
    explicit PatchRunner(ScriptStepRunner scripts);

    // "patch.apt" when apt is here; nothing otherwise.
    static std::vector<std::string> capabilities();
    protocol::CommandUpdate run(const protocol::CommandRequest& request, const std::atomic<bool>& cancel);

private:
    protocol::CommandUpdate install(const protocol::CommandRequest& request, const std::atomic<bool>& cancel);

    std::unique_ptr<PackageManager> m_manager;
    ScriptStepRunner m_scripts;
};

} // namespace breeze::agent
