#include "patches/DnfPackageManager.h"

#include "patches/AptOutput.h"
#include "patches/PackageTransaction.h"
#include "patches/RebootCheck.h"
#include "platform/Subprocess.h"

#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace breeze::agent {

namespace {
using namespace std::chrono_literals;

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

// "openssl-1:3.0.9-2.fc38.x86_64" -> "openssl"
std::string nameOfNevra(const std::string& nevra) {
    std::string rest = nevra;
    if (const auto dot = rest.rfind('.'); dot != std::string::npos)
        rest = rest.substr(0, dot); // the architecture
    for (int i = 0; i < 2; ++i)     // release, then version
        if (const auto dash = rest.rfind('-'); dash != std::string::npos)
            rest = rest.substr(0, dash);
    return rest;
}

std::string lower(std::string text) {
    for (char& c : text)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return text;
}
} // namespace

bool DnfPackageManager::available() {
    return ::access("/usr/bin/dnf", X_OK) == 0 && ::access("/usr/bin/rpm", X_OK) == 0;
}

DnfPackageManager::DnfPackageManager()
    : m_config(environment("BREEZE_AGENT_DNF_CONFIG")), m_root(environment("BREEZE_AGENT_DNF_ROOT")) {}

std::vector<std::string> DnfPackageManager::dnf(std::initializer_list<std::string> args) const {
    std::vector<std::string> argv{"dnf", "-y", "-q"};
    if (!m_config.empty())
        argv.insert(argv.end(), {"-c", m_config});
    if (!m_root.empty())
        argv.push_back("--installroot=" + m_root);
    argv.insert(argv.end(), args);
    return argv;
}

std::vector<protocol::AvailableUpdate> DnfPackageManager::parseCheckUpdate(const std::string& text) {
    std::vector<protocol::AvailableUpdate> updates;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("Obsoleting", 0) == 0)
            break; // what follows replaces packages rather than updating them
        std::istringstream fields(line);
        std::string nameArch, version, repository;
        if (!(fields >> nameArch >> version >> repository))
            continue;
        const auto dot = nameArch.rfind('.');
        if (dot == std::string::npos)
            continue;
        protocol::AvailableUpdate update;
        update.name = nameArch.substr(0, dot);
        update.arch = nameArch.substr(dot + 1);
        update.availableVersion = version;
        update.repository = repository;
        update.rebootHint = needsRebootAfter(update.name) || update.name.rfind("kernel", 0) == 0 ||
                            update.name.rfind("glibc", 0) == 0;
        if (protocol::isValidPackageName(update.name) && protocol::isValidPackageVersion(version))
            updates.push_back(std::move(update));
    }
    return updates;
}

std::map<std::string, DnfPackageManager::Advisory>
DnfPackageManager::parseUpdateInfo(const std::string& text) {
    std::map<std::string, Advisory> advisories;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string id, type, nevra;
        if (!(fields >> id >> type >> nevra))
            continue;
        Advisory& advisory = advisories[nameOfNevra(nevra)];
        const auto slash = type.find('/');
        const std::string kind = slash == std::string::npos ? type : type.substr(slash + 1);
        if (lower(kind).rfind("sec", 0) == 0 || lower(type) == "security")
            advisory.security = true;
        if (slash != std::string::npos) {
            const std::string severity = lower(type.substr(0, slash));
            if (severity == "critical" || severity == "important" || severity == "moderate" ||
                severity == "low")
                advisory.severity = severity;
        }
    }
    return advisories;
}

std::map<std::string, std::string>
DnfPackageManager::installedVersions(const std::vector<std::string>& names) const {
    std::map<std::string, std::string> versions;
    if (names.empty())
        return versions;
    std::vector<std::string> argv{"rpm"};
    if (!m_root.empty())
        argv.insert(argv.end(), {"--root", m_root});
    argv.insert(argv.end(), {"-q", "--qf", "%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n"});
    argv.insert(argv.end(), names.begin(), names.end());
    const auto query = runSubprocess(argv, 60s, nullptr, 4 << 20);
    std::istringstream in(query.output);
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string name, version;
        if (fields >> name >> version && protocol::isValidPackageVersion(version))
            versions[name] = version;
    }
    return versions;
}

protocol::ScanReport DnfPackageManager::scan(const std::atomic<bool>& cancel) {
    const auto refresh = runSubprocess(dnf({"makecache", "--refresh"}), 10min, &cancel);
    if (cancel.load())
        throw std::runtime_error("cancelled");
    if (!refresh.started || refresh.exitCode != 0)
        throw std::runtime_error("dnf makecache failed: " +
                                 logTail(refresh.started ? refresh.output : refresh.error));
    // 100: updates listed; 0: none; anything else: an error.
    const auto check = runSubprocess(dnf({"check-update"}), 5min, &cancel, 16 << 20);
    if (!check.started || (check.exitCode != 0 && check.exitCode != 100))
        throw std::runtime_error("dnf check-update failed: " +
                                 logTail(check.started ? check.output : check.error));
    protocol::ScanReport report;
    report.manager = "dnf";
    report.updates = parseCheckUpdate(check.output);
    if (report.updates.size() > protocol::kMaxPatchesPerScan)
        report.updates.resize(protocol::kMaxPatchesPerScan);
    std::vector<std::string> names;
    for (const auto& update : report.updates)
        names.push_back(update.name);
    const auto installed = installedVersions(names);
    const auto advisories =
        parseUpdateInfo(runSubprocess(dnf({"updateinfo", "list", "--updates"}), 5min, &cancel).output);
    std::map<std::string, std::uint64_t> sizes;
    std::istringstream sizeLines(
        runSubprocess(dnf({"repoquery", "--upgrades", "--qf", "%{name} %{size}"}), 5min, &cancel).output);
    for (std::string line; std::getline(sizeLines, line);) {
        std::istringstream fields(line);
        std::string name;
        std::uint64_t size = 0;
        if (fields >> name >> size)
            sizes[name] = size;
    }
    for (auto& update : report.updates) {
        if (const auto it = installed.find(update.name); it != installed.end())
            update.installedVersion = it->second;
        if (const auto it = advisories.find(update.name); it != advisories.end()) {
            update.security = it->second.security;
            update.severity = it->second.severity;
        }
        if (const auto it = sizes.find(update.name); it != sizes.end())
            update.sizeBytes = it->second;
    }
    report.rebootRequired = rebootRequired();
    return report;
}

protocol::PackageResult DnfPackageManager::change(const protocol::PackageVersion& package, const char* verb,
                                                  const std::atomic<bool>& cancel) {
    // Once started, the transaction runs to its end: a cancel takes effect before the next package.
    const auto run = runPackageTransaction(dnf({verb, package.name + "-" + package.version}), 60min, 4 << 20);
    const auto now = installedVersions({package.name});
    protocol::PackageResult result{package.name, package.version, "failed",
                                   now.contains(package.name) ? now.at(package.name) : std::string(),
                                   logTail(run.started ? run.output : run.error)};
    if (run.cancelled)
        result.log += "\n(cancelled)";
    else if (run.exitCode == 0 && result.installedVersion == package.version)
        result.status = "installed";
    else if (run.exitCode == 0)
        result.log += "\ndnf finished, but rpm reports version \"" + result.installedVersion + "\"";
    return result;
}

std::vector<protocol::PackageResult>
DnfPackageManager::install(const std::vector<protocol::PackageVersion>& packages,
                           const std::atomic<bool>& cancel) {
    std::vector<protocol::PackageResult> results;
    results.reserve(packages.size());
    for (const auto& package : packages)
        results.push_back(cancel.load()
                              ? protocol::PackageResult{package.name, package.version, "failed", "",
                                                        "not attempted: the deployment was cancelled"}
                              : change(package, "upgrade", cancel));
    return results;
}

protocol::PackageResult DnfPackageManager::rollback(const protocol::PackageVersion& package,
                                                    const std::atomic<bool>& cancel) {
    const auto offered =
        runSubprocess(dnf({"repoquery", package.name + "-" + package.version}), 2min, &cancel);
    if (offered.output.find(package.name) == std::string::npos)
        return {package.name, package.version, "failed", installedVersions({package.name})[package.name],
                "version " + package.version + " of " + package.name +
                    " is no longer offered by any configured repository; it cannot be rolled back to"};
    return change(package, "downgrade", cancel);
}

bool DnfPackageManager::rebootRequired() {
    return rebootPendingFromSystem();
}

} // namespace breeze::agent
