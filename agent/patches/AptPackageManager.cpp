#include "patches/AptPackageManager.h"

#include "patches/AptOutput.h"
#include "patches/PackageTransaction.h"
#include "patches/RebootCheck.h"
#include "platform/Subprocess.h"

#include <stdexcept>
#include <unistd.h>

namespace breeze::agent {

namespace {
using namespace std::chrono_literals;

const std::vector<std::string>& aptPrefix() {
    static const std::vector<std::string> prefix{"env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-q",
                                                 "-o",  "DPkg::Lock::Timeout=300"};
    return prefix;
}

std::vector<std::string> apt(std::initializer_list<std::string> args) {
    std::vector<std::string> argv = aptPrefix();
    argv.insert(argv.end(), args);
    return argv;
}

void checkCancel(const std::atomic<bool>& cancel) {
    if (cancel.load())
        throw std::runtime_error("cancelled");
}
} // namespace

bool AptPackageManager::available() {
    return ::access("/usr/bin/apt-get", X_OK) == 0 && ::access("/usr/bin/dpkg-query", X_OK) == 0;
}

protocol::ScanReport AptPackageManager::scan(const std::atomic<bool>& cancel) {
    const auto update = runSubprocess(apt({"update"}), 10min, &cancel);
    checkCancel(cancel);
    if (!update.started || update.exitCode != 0)
        throw std::runtime_error("apt-get update failed: " +
                                 logTail(update.started ? update.output : update.error));
    // What a full upgrade would do, without doing it (no lock needed).
    const auto simulated =
        runSubprocess(apt({"-s", "-o", "Debug::NoLocking=1", "dist-upgrade"}), 5min, &cancel, 16 << 20);
    checkCancel(cancel);
    if (!simulated.started || simulated.exitCode != 0)
        throw std::runtime_error("apt-get -s dist-upgrade failed: " +
                                 logTail(simulated.started ? simulated.output : simulated.error));
    protocol::ScanReport report;
    report.manager = "apt";
    report.updates = parseSimulatedUpgrade(simulated.output);
    if (report.updates.size() > protocol::kMaxPatchesPerScan)
        report.updates.resize(protocol::kMaxPatchesPerScan);
    if (!report.updates.empty()) {
        std::vector<std::string> show{"apt-cache", "show", "--no-all-versions"};
        for (const auto& item : report.updates)
            show.push_back(item.name + "=" + item.availableVersion);
        const auto sizes = parsePackageSizes(runSubprocess(show, 2min, &cancel, 64 << 20).output);
        for (auto& item : report.updates)
            if (const auto it = sizes.find(item.name + "=" + item.availableVersion); it != sizes.end())
                item.sizeBytes = it->second;
    }
    report.rebootRequired = rebootRequired();
    return report;
}

std::string AptPackageManager::installedVersion(const std::string& name) {
    const auto query =
        runSubprocess({"dpkg-query", "-W", "-f", "${db:Status-Abbrev}|${Version}", "--", name}, 30s, nullptr);
    const auto bar = query.output.find('|');
    if (query.exitCode != 0 || bar == std::string::npos || query.output.compare(0, 2, "ii") != 0)
        return "";
    std::string version = query.output.substr(bar + 1);
    while (!version.empty() && (version.back() == '\n' || version.back() == ' '))
        version.pop_back();
    return version;
}

protocol::PackageResult AptPackageManager::installOne(const protocol::PackageVersion& package, bool downgrade,
                                                      const std::atomic<bool>& cancel) {
    std::vector<std::string> argv = apt(
        {"install", "-y", "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"});
    // Updates only ever upgrade what is there; a rollback may go back.
    argv.emplace_back(downgrade ? "--allow-downgrades" : "--only-upgrade");
    argv.emplace_back("--");
    argv.push_back(package.name + "=" + package.version);
    // Once started, the transaction runs to its end: a cancel takes effect before the next package.
    const auto run = runPackageTransaction(argv, 60min, 4 << 20);
    protocol::PackageResult result{package.name, package.version, "failed", installedVersion(package.name),
                                   logTail(run.started ? run.output : run.error)};
    if (run.cancelled)
        result.log += "\n(cancelled)";
    else if (run.timedOut)
        result.log += "\n(stopped after an hour)";
    else if (run.exitCode == 0 && result.installedVersion == package.version)
        result.status = "installed";
    else if (run.exitCode == 0)
        result.log += "\napt finished, but dpkg reports version \"" + result.installedVersion + "\"";
    return result;
}

std::vector<protocol::PackageResult>
AptPackageManager::install(const std::vector<protocol::PackageVersion>& packages,
                           const std::atomic<bool>& cancel) {
    std::vector<protocol::PackageResult> results;
    for (const auto& package : packages) {
        if (cancel.load()) {
            results.push_back({package.name, package.version, "failed", installedVersion(package.name),
                               "not attempted: the deployment was cancelled"});
            continue;
        }
        results.push_back(installOne(package, false, cancel));
    }
    return results;
}

protocol::PackageResult AptPackageManager::rollback(const protocol::PackageVersion& package,
                                                    const std::atomic<bool>& cancel) {
    // The repository must still offer the old version: say so plainly when it does not.
    const auto offered =
        runSubprocess({"apt-cache", "show", "--no-all-versions", "--", package.name + "=" + package.version},
                      2min, &cancel);
    if (offered.exitCode != 0 || offered.output.find("Package: ") == std::string::npos)
        return {package.name, package.version, "failed", installedVersion(package.name),
                "version " + package.version + " of " + package.name +
                    " is no longer offered by any configured repository; it cannot be rolled back to"};
    return installOne(package, true, cancel);
}

bool AptPackageManager::rebootRequired() {
    return rebootPendingFromSystem();
}

} // namespace breeze::agent
