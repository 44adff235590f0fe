#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace breeze::admin {

class AdminCli;

// `breeze-admin patches …`: scan a device, list the catalog or a device's patches, approve, reject or defer
// at a level (partner-wide with no scope flag), deploy now or at a time, read per-package results with their
// logs, roll an update back.
class PatchCli {
public:
    explicit PatchCli(AdminCli& cli) : m_cli(cli) {}
    int run();

private:
    int decide(const std::string& decision);
    int deploy();
    int policy();
    nlohmann::json policySettings();
    // Polls a command until it is final; prints status changes on stderr. Returns the command.
    nlohmann::json waitForCommand(const std::string& commandId);
    std::string resolvePatch(const std::string& idOrName, const std::string& deviceId);
    std::string resolvePolicy(const std::string& idOrName);

    AdminCli& m_cli;
};

} // namespace breeze::admin
