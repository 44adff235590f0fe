#include "protocol/PatchMessages.h"

#include "protocol/MessageFields.h"
#include "protocol/ScriptParameters.h"
#include "protocol/ScriptRequest.h"

namespace breeze::protocol {

namespace {
bool allowed(std::string_view text, std::string_view extra) {
    for (char c : text)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              extra.find(c) != std::string_view::npos))
            return false;
    return true;
}

std::string text(const MessageFields& fields, std::string_view name, std::size_t maxBytes) {
    std::string value = fields.stringOr(name, maxBytes, "", Text::Multiline);
    for (char& c : value)
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
            c = ' ';
    return value;
}

PackageVersion packageOf(const MessageFields& fields) {
    PackageVersion package{fields.string("name", 128), fields.string("version", 128)};
    if (!isValidPackageName(package.name))
        throw MessageError("\"" + package.name.substr(0, 40) + "\" is not a package name");
    if (!isValidPackageVersion(package.version))
        throw MessageError("\"" + package.version.substr(0, 40) + "\" is not a package version");
    return package;
}
} // namespace

bool isPatchCommand(std::string_view type) {
    return type == kPatchScanCommand || type == kPatchInstallCommand || type == kPatchRollbackCommand;
}

bool isValidPackageName(std::string_view name) {
    if (name.empty() || name.size() > 128 || !std::isalnum(static_cast<unsigned char>(name[0])))
        return false;
    const auto colon = name.find(':');
    if (colon == std::string_view::npos)
        return allowed(name, "+.-_");
    return colon > 0 && colon + 1 < name.size() && allowed(name.substr(0, colon), "+.-_") &&
           allowed(name.substr(colon + 1), "_");
}

bool isValidPackageVersion(std::string_view version) {
    return !version.empty() && version.size() <= 128 &&
           std::isalnum(static_cast<unsigned char>(version[0])) && allowed(version, ".+~:-_");
}

nlohmann::json ScanReport::toJson() const {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& update : updates)
        items.push_back({{"name", update.name},
                         {"arch", update.arch},
                         {"installed_version", update.installedVersion},
                         {"available_version", update.availableVersion},
                         {"repository", update.repository},
                         {"security", update.security},
                         {"severity", update.severity},
                         {"size_bytes", update.sizeBytes},
                         {"reboot_hint", update.rebootHint}});
    return {{"manager", manager}, {"updates", items}, {"reboot_required", rebootRequired}};
}

ScanReport ScanReport::fromJson(const nlohmann::json& output) {
    if (!output.is_object())
        throw MessageError("a scan report must be an object");
    const MessageFields fields(output, "output");
    ScanReport report;
    report.manager = fields.string("manager", 16);
    if (report.manager != "apt" && report.manager != "dnf")
        throw MessageError("output.manager must be apt or dnf");
    report.rebootRequired = fields.boolean("reboot_required", false);
    report.updates = fields.objects("updates", kMaxPatchesPerScan, [](const MessageFields& item) {
        AvailableUpdate update;
        update.name = item.string("name", 128);
        if (!isValidPackageName(update.name))
            throw MessageError("an update has an invalid package name");
        update.arch = item.stringOr("arch", 32, "");
        if (!allowed(update.arch, "_-"))
            throw MessageError("an update has an invalid architecture");
        update.installedVersion = item.stringOr("installed_version", 128, "");
        update.availableVersion = item.string("available_version", 128);
        if ((!update.installedVersion.empty() && !isValidPackageVersion(update.installedVersion)) ||
            !isValidPackageVersion(update.availableVersion))
            throw MessageError("update " + update.name + " has an invalid version");
        update.repository = text(item, "repository", 512);
        update.security = item.boolean("security", false);
        update.severity = item.stringOr("severity", 16, "");
        if (!update.severity.empty() && update.severity != "critical" && update.severity != "important" &&
            update.severity != "moderate" && update.severity != "low")
            throw MessageError("update " + update.name + " has an unknown severity");
        update.sizeBytes = item.counter("size_bytes");
        update.rebootHint = item.boolean("reboot_hint", false);
        return update;
    });
    return report;
}

nlohmann::json InstallReport::toJson() const {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& result : results)
        items.push_back({{"name", result.name},
                         {"version", result.version},
                         {"status", result.status},
                         {"installed_version", result.installedVersion},
                         {"log", result.log}});
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& step : scripts)
        steps.push_back({{"stage", step.stage},
                         {"status", step.status},
                         {"exit_code", step.exitCode},
                         {"log", step.log}});
    return {{"results", items}, {"scripts", steps}, {"reboot_required", rebootRequired}};
}

InstallReport InstallReport::fromJson(const nlohmann::json& output) {
    if (!output.is_object())
        throw MessageError("an install report must be an object");
    const MessageFields fields(output, "output");
    InstallReport report;
    report.rebootRequired = fields.boolean("reboot_required", false);
    report.results = fields.objects("results", kMaxPackagesPerInstall, [](const MessageFields& item) {
        PackageResult result;
        const PackageVersion package = packageOf(item);
        result.name = package.name;
        result.version = package.version;
        result.status = item.string("status", 16);
        if (result.status != "installed" && result.status != "failed")
            throw MessageError("a package result's status must be installed or failed");
        result.installedVersion = item.stringOr("installed_version", 128, "");
        if (!result.installedVersion.empty() && !isValidPackageVersion(result.installedVersion))
            throw MessageError("a package result has an invalid installed version");
        result.log = text(item, "log", kMaxPatchLogBytes);
        return result;
    });
    report.scripts = fields.objects("scripts", 2, [](const MessageFields& item) {
        ScriptStepResult step;
        step.stage = item.string("stage", 8);
        if (step.stage != "pre" && step.stage != "post")
            throw MessageError("a script step's stage must be pre or post");
        step.status = item.string("status", 16);
        if (step.status != "completed" && step.status != "failed" && step.status != "timed_out" &&
            step.status != "cancelled")
            throw MessageError("a script step's status must be completed, failed, timed_out or cancelled");
        step.exitCode = item.integer("exit_code", -1, 255);
        step.log = text(item, "log", kMaxPatchLogBytes);
        return step;
    });
    return report;
}

std::optional<ScriptStep> scriptStepFromInstallArgs(const nlohmann::json& args, const std::string& key) {
    if (!args.is_object() || !args.contains(key) || args[key].is_null())
        return std::nullopt;
    if (!args[key].is_object())
        throw MessageError("args." + key + " must be an object");
    const MessageFields fields(args[key], "args." + key);
    ScriptStep step;
    step.language = fields.string("language", 16);
    step.content = fields.string("content", kMaxScriptBytes, Text::Verbatim);
    if (!isScriptLanguage(step.language))
        throw MessageError("args." + key + ".language must be bash, sh, python or powershell");
    step.runAs = fields.stringOr("run_as", 32, "", Text::Name);
    step.timeoutSeconds = static_cast<int>(fields.optionalInteger("timeout_seconds", 1, 86400).value_or(900));
    if (const nlohmann::json* parameters = fields.find("parameters")) {
        parseScriptParameters(*parameters); // refused here, whole, rather than half way through a deployment
        step.parameters = *parameters;
    }
    return step;
}

nlohmann::json installArgs(const std::vector<PackageVersion>& packages) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& package : packages)
        items.push_back({{"name", package.name}, {"version", package.version}});
    return {{"packages", items}};
}

std::vector<PackageVersion> packagesFromInstallArgs(const nlohmann::json& args) {
    if (!args.is_object())
        throw MessageError("args must be an object");
    auto packages = MessageFields(args, "args").objects("packages", kMaxPackagesPerInstall, packageOf);
    if (packages.empty())
        throw MessageError("args.packages must name at least one package");
    return packages;
}

nlohmann::json rollbackArgs(const PackageVersion& package) {
    return {{"name", package.name}, {"version", package.version}};
}

PackageVersion packageFromRollbackArgs(const nlohmann::json& args) {
    if (!args.is_object())
        throw MessageError("args must be an object");
    return packageOf(MessageFields(args, "args"));
}

} // namespace breeze::protocol
