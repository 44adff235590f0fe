#pragma once

#include "units/Units.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The patch commands an agent carries out (scan, install the chosen updates, roll one back) and the results
// it reports, with strict reading on both sides: the server checks what it sends, and reads what agents
// report as untrusted.
namespace breeze::protocol {

inline constexpr const char* kPatchScanCommand = "patch_scan";
inline constexpr const char* kPatchInstallCommand = "patch_install";
inline constexpr const char* kPatchRollbackCommand = "patch_rollback";
inline constexpr std::size_t kMaxPatchesPerScan = 5000;
inline constexpr std::size_t kMaxPackagesPerInstall = 1000;
inline constexpr std::size_t kMaxPatchLogBytes = 16 * kKiB;

bool isPatchCommand(std::string_view type);
// Debian and RPM package names (letters, digits, "+", ".", "-", "_"; an optional ":arch"), at most 128 bytes.
bool isValidPackageName(std::string_view name);
// Versions with epoch and revision ("1:2.3~rc1-4+deb12u1"), at most 128 bytes.
bool isValidPackageVersion(std::string_view version);

struct PackageVersion {
    std::string name;
    std::string version;
    bool operator==(const PackageVersion&) const = default;
};

// One update a scan found.
struct AvailableUpdate {
    std::string name;
    std::string arch;
    std::string installedVersion;
    std::string availableVersion;
    std::string repository; // "Debian-Security:12/oldstable-security"
    bool security = false;
    std::string severity; // dnf updateinfo: critical, important, moderate, low; "" when unknown
    std::uint64_t sizeBytes = 0;
    bool rebootHint = false;
};

struct ScanReport {
    std::string manager; // apt, dnf
    std::vector<AvailableUpdate> updates;
    bool rebootRequired = false;

    nlohmann::json toJson() const;
    // Throws MessageError naming the bad field.
    static ScanReport fromJson(const nlohmann::json& output);
};

// The outcome of one package of an install or rollback.
struct PackageResult {
    std::string name;
    std::string version;          // what was asked for
    std::string status;           // installed, failed
    std::string installedVersion; // what dpkg/rpm says afterwards ("" when not installed)
    std::string log;              // the package manager's output, the end of it when long

    bool operator==(const PackageResult&) const = default;
};

// A script run before or after the updates (from the policy): what ran and how it ended.
// A policy's script around updates, run like any script run: its own run-as user, timeout and parameters (the
// definitions travel; a patch run has nobody to ask, so each takes its default).
struct ScriptStep {
    std::string language;
    std::string content;
    std::string runAs; // "" runs as the agent's own account
    int timeoutSeconds = 900;
    nlohmann::json parameters = nlohmann::json::array(); // the version's definitions
};

struct ScriptStepResult {
    std::string stage;  // pre, post
    std::string status; // completed, failed, timed_out, cancelled
    std::int64_t exitCode = -1;
    std::string log; // its stdout and stderr, the end of it when long

    bool operator==(const ScriptStepResult&) const = default;
};

struct InstallReport {
    std::vector<PackageResult> results;
    std::vector<ScriptStepResult> scripts;
    bool rebootRequired = false;

    nlohmann::json toJson() const;
    static InstallReport fromJson(const nlohmann::json& output);
};

nlohmann::json installArgs(const std::vector<PackageVersion>& packages);
std::vector<PackageVersion> packagesFromInstallArgs(const nlohmann::json& args);
// "pre_script" or "post_script" of install args: {language, content}; nullopt when absent.
std::optional<ScriptStep> scriptStepFromInstallArgs(const nlohmann::json& args, const std::string& key);
nlohmann::json rollbackArgs(const PackageVersion& package);
PackageVersion packageFromRollbackArgs(const nlohmann::json& args);

} // namespace breeze::protocol
