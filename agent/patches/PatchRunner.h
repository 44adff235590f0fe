#pragma once

#include "patches/PackageManager.h"
#include "protocol/AgentMessages.h"

#include <memory>

namespace breeze::agent {

// Carries out patch_scan, patch_install and patch_rollback with this machine's package manager; the results
// are the reports of protocol/PatchMessages.
class PatchRunner {
public:
    // The machine's own manager (apt), or none.
    PatchRunner();
    explicit PatchRunner(std::unique_ptr<PackageManager> manager) : m_manager(std::move(manager)) {}

    // "patch.apt" when apt is here; nothing otherwise.
    static std::vector<std::string> capabilities();
    protocol::CommandUpdate run(const protocol::CommandRequest& request, const std::atomic<bool>& cancel);

private:
    std::unique_ptr<PackageManager> m_manager;
};

} // namespace breeze::agent
