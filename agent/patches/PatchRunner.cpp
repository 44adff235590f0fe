#include "patches/PatchRunner.h"

#include "patches/AptPackageManager.h"
#include "protocol/MessageFields.h"

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

PatchRunner::PatchRunner() {
    if (AptPackageManager::available())
        m_manager = std::make_unique<AptPackageManager>();
}

std::vector<std::string> PatchRunner::capabilities() {
    if (AptPackageManager::available())
        return {"patch.apt"};
    return {};
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
        if (request.type == protocol::kPatchInstallCommand) {
            protocol::InstallReport report;
            report.results = m_manager->install(protocol::packagesFromInstallArgs(request.args), cancel);
            report.rebootRequired = m_manager->rebootRequired();
            std::size_t failed = 0;
            for (const auto& item : report.results)
                failed += item.status == "installed" ? 0 : 1;
            if (cancel.load())
                return result(request, protocol::kCommandCancelled, report.toJson(), "cancelled");
            return result(request, failed == 0 ? protocol::kCommandCompleted : protocol::kCommandFailed,
                          report.toJson(),
                          failed == 0
                              ? std::string()
                              : std::to_string(failed) + " of " + std::to_string(report.results.size()) +
                                    " updates failed; see each package's log");
        }
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
