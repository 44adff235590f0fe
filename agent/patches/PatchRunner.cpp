#include "patches/PatchRunner.h"

#include "patches/AptPackageManager.h"
#include "patches/DnfPackageManager.h"
#include "protocol/MessageFields.h"

#include <cstdlib>

namespace breeze::agent {

namespace {
protocol::CommandUpdate result(const protocol::CommandRequest& request, const std::string& status,
                               nlohmann::json output, std::string error = {}) {
    protocol::CommandUpdate update;
    update.commandId = request.commandId;
    update.status = status;
    update.output = std::move(output);
    update.error = std::move(error);
    return update;
}
} // namespace

namespace {
// apt where there is apt, else dnf; BREEZE_AGENT_PACKAGE_MANAGER (apt or dnf) chooses when a machine has
// both.
std::string chosenManager() {
    const char* forced = std::getenv("BREEZE_AGENT_PACKAGE_MANAGER");
    const std::string choice = forced ? forced : "";
    if ((choice.empty() || choice == "apt") && AptPackageManager::available())
        return "apt";
    if ((choice.empty() || choice == "dnf") && DnfPackageManager::available())
        return "dnf";
    return "";
}
} // namespace

PatchRunner::PatchRunner(ScriptStepRunner scripts) : m_scripts(std::move(scripts)) {
    const std::string manager = chosenManager();
    if (manager == "apt")
        m_manager = std::make_unique<AptPackageManager>();
    else if (manager == "dnf")
        m_manager = std::make_unique<DnfPackageManager>();
}

std::vector<std::string> PatchRunner::capabilities() {
    const std::string manager = chosenManager();
    if (manager.empty())
        return {};
    return {"patch." + manager};
}

// The policy's pre-install script first (the updates wait for it, and are skipped when it fails), then each
// update, then the post-install script.
protocol::CommandUpdate PatchRunner::install(const protocol::CommandRequest& request,
                                             const std::atomic<bool>& cancel) {
    const auto packages = protocol::packagesFromInstallArgs(request.args);
    const auto pre = protocol::scriptStepFromInstallArgs(request.args, "pre_script");
    const auto post = protocol::scriptStepFromInstallArgs(request.args, "post_script");
    protocol::InstallReport report;
    if (pre && m_scripts) {
        report.scripts.push_back(m_scripts(request, *pre, "pre", cancel));
        if (report.scripts.back().status != protocol::kCommandCompleted) {
            for (const auto& package : packages)
                report.results.push_back({package.name, package.version, "failed", "",
                                          "not installed: the pre-install script did not succeed (" +
                                              report.scripts.back().status + ", exit code " +
                                              std::to_string(report.scripts.back().exitCode) + ")"});
            report.rebootRequired = m_manager->rebootRequired();
            return result(request, protocol::kCommandFailed, report.toJson(),
                          "the pre-install script did not succeed; no update was installed");
        }
    }
    report.results = m_manager->install(packages, cancel);
    if (post && m_scripts && !cancel.load())
        report.scripts.push_back(m_scripts(request, *post, "post", cancel));
    report.rebootRequired = m_manager->rebootRequired();
    std::size_t failed = 0;
    for (const auto& item : report.results)
        failed += item.status == "installed" ? 0 : 1;
    const bool postFailed = post && !report.scripts.empty() && report.scripts.back().stage == "post" &&
                            report.scripts.back().status != protocol::kCommandCompleted;
    if (cancel.load())
        return result(request, protocol::kCommandCancelled, report.toJson(), "cancelled");
    std::string error;
    if (failed > 0)
        error = std::to_string(failed) + " of " + std::to_string(report.results.size()) +
                " updates failed; see each package's log";
    if (postFailed)
        error += std::string(error.empty() ? "" : "; ") + "the post-install script did not succeed";
    return result(request, error.empty() ? protocol::kCommandCompleted : protocol::kCommandFailed,
                  report.toJson(), error);
}

protocol::CommandUpdate PatchRunner::run(const protocol::CommandRequest& request,
                                         const std::atomic<bool>& cancel) {
    if (!m_manager)
        return result(request, protocol::kCommandFailed, nlohmann::json::object(),
                      "this device has no package manager the agent can drive (apt or dnf)");
    try {
        if (request.type == protocol::kPatchScanCommand) {
            const auto report = m_manager->scan(cancel);
            return result(request, protocol::kCommandCompleted, report.toJson());
        }
        if (request.type == protocol::kPatchInstallCommand)
            return install(request, cancel);
        if (request.type == protocol::kPatchRollbackCommand) {
            protocol::InstallReport report;
            report.results.push_back(
                m_manager->rollback(protocol::packageFromRollbackArgs(request.args), cancel));
            report.rebootRequired = m_manager->rebootRequired();
            const bool ok = report.results.front().status == "installed";
            return result(request, ok ? protocol::kCommandCompleted : protocol::kCommandFailed,
                          report.toJson(), ok ? std::string() : "the rollback failed; see the package's log");
        }
    } catch (const protocol::MessageError& error) {
        return result(request, protocol::kCommandFailed, nlohmann::json::object(), error.what());
    } catch (const std::exception& error) {
        return result(request, cancel.load() ? protocol::kCommandCancelled : protocol::kCommandFailed,
                      nlohmann::json::object(), error.what());
    }
    return result(request, protocol::kCommandFailed, nlohmann::json::object(), "not a patch command");
}

} // namespace breeze::agent
