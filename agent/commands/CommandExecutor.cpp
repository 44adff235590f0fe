#include "commands/CommandExecutor.h"

#include "collect/InventoryCollector.h"
#include "platform/Subprocess.h"
#include "protocol/CommandCatalog.h"
#include "protocol/MessageFields.h"
#include "protocol/PatchMessages.h"
#include "protocol/ScriptParameters.h"
#include "protocol/ScriptRequest.h"
#include "units/Units.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <map>
#include <pwd.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace breeze::agent {

namespace {
protocol::CommandUpdate finished(const protocol::CommandRequest& request, const std::string& status,
                                 nlohmann::json output, std::string error = {},
                                 std::optional<int> exitCode = {}) {
    protocol::CommandUpdate update;
    update.commandId = request.commandId;
    update.status = status;
    update.output = std::move(output);
    update.error = std::move(error);
    if (exitCode)
        update.exitCode = *exitCode;
    return update;
}

std::string userName(uid_t uid) {
    static std::map<uid_t, std::string> cache;
    if (const auto it = cache.find(uid); it != cache.end())
        return it->second;
    std::string name = std::to_string(uid);
    passwd entry{};
    passwd* found = nullptr;
    char buffer[1024];
    if (getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found)
        name = found->pw_name;
    return cache[uid] = name;
}
} // namespace

CommandExecutor::CommandExecutor(Hooks hooks)
    : m_hooks(std::move(hooks)), m_scripts(m_hooks.scripts),
      m_patches([this](const protocol::CommandRequest& request, const protocol::ScriptStep& step,
                       const std::string& stage, const std::atomic<bool>& cancel) {
          return runScriptStep(request, step, stage, cancel);
      }) {}

// A policy's script around updates: run like any script (private directory, supervisor, timeout), its output
// kept for the install report rather than streamed.
protocol::ScriptStepResult CommandExecutor::runScriptStep(const protocol::CommandRequest& request,
                                                          const protocol::ScriptStep& step,
                                                          const std::string& stage,
                                                          const std::atomic<bool>& cancel) {
    protocol::CommandRequest script;
    script.commandId = request.commandId;
    script.type = protocol::kRunScriptCommand;
    try {
        // Nobody is asked during a patch run: every parameter takes its default (or the step cannot run).
        const auto values = protocol::resolveScriptParameters(
            protocol::parseScriptParameters(step.parameters), nlohmann::json::object());
        auto environment = values.plain;
        environment.insert(environment.end(), values.secret.begin(), values.secret.end());
        script.args = protocol::ScriptRequest{step.language, step.content, environment, step.runAs}.toArgs();
    } catch (const protocol::MessageError& error) {
        return {stage, protocol::kCommandFailed, -1, std::string("the script cannot run: ") + error.what()};
    }
    script.timeoutSeconds = step.timeoutSeconds;
    std::string log;
    const auto update = m_scripts.run(script, cancel, [&log](const protocol::CommandOutput& chunk) {
        if (log.size() < protocol::kMaxPatchLogBytes)
            log += chunk.data.substr(0, protocol::kMaxPatchLogBytes - log.size());
    });
    if (!update.error.empty())
        log += (log.empty() || log.back() == '\n' ? "" : "\n") + update.error;
    if (log.size() > protocol::kMaxPatchLogBytes)
        log.resize(protocol::kMaxPatchLogBytes);
    return {stage, update.status, update.exitCode.value_or(-1), log};
}

std::vector<std::string> CommandExecutor::capabilities() {
    std::vector<std::string> names;
    for (const auto& spec : protocol::builtInCommands())
        names.push_back(spec.type);
    for (auto& script : ScriptRunner::capabilities())
        names.push_back(std::move(script));
    for (auto& manager : PatchRunner::capabilities())
        names.push_back(std::move(manager));
    names.emplace_back("inventory");
    names.emplace_back("metrics");
    names.emplace_back("spool");
    if (access("/usr/bin/dpkg-query", X_OK) == 0)
        names.emplace_back("pkg.dpkg");
    if (access("/usr/bin/rpm", X_OK) == 0)
        names.emplace_back("pkg.rpm");
    return names;
}

nlohmann::json CommandExecutor::listProcesses() {
    nlohmann::json items = nlohmann::json::array();
    const long ticks = sysconf(_SC_CLK_TCK);
    const long pageSize = sysconf(_SC_PAGESIZE);
    DIR* dir = opendir("/proc");
    if (!dir)
        return items;
    while (const dirent* entry = readdir(dir)) {
        const std::string pid = entry->d_name;
        if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::ifstream statFile("/proc/" + pid + "/stat");
        std::string stat;
        std::getline(statFile, stat);
        const auto open = stat.find('(');
        const auto close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos)
            continue;
        const std::string name = stat.substr(open + 1, close - open - 1);
        std::istringstream rest(stat.substr(close + 2));
        std::string state;
        long long ppid = 0, skip = 0, utime = 0, stime = 0, rss = 0;
        rest >> state >> ppid;
        for (int i = 0; i < 9; ++i)
            rest >> skip;
        rest >> utime >> stime;
        for (int i = 0; i < 8; ++i)
            rest >> skip;
        rest >> rss;
        struct stat info {};
        const uid_t uid = ::stat(("/proc/" + pid).c_str(), &info) == 0 ? info.st_uid : 0;
        std::ifstream cmdlineFile("/proc/" + pid + "/cmdline");
        std::string cmdline;
        std::getline(cmdlineFile, cmdline, '\x01');
        for (char& c : cmdline)
            if (c == '\0')
                c = ' ';
        while (!cmdline.empty() && cmdline.back() == ' ')
            cmdline.pop_back();
        items.push_back({{"pid", std::stoll(pid)},
                         {"ppid", ppid},
                         {"name", name},
                         {"user", userName(uid)},
                         {"state", state},
                         {"rss_bytes", rss * pageSize},
                         {"cpu_seconds", static_cast<double>(utime + stime) / static_cast<double>(ticks)},
                         {"command", cmdline.substr(0, 1024)}});
    }
    closedir(dir);
    return items;
}

nlohmann::json CommandExecutor::listServices() {
    return InventoryCollector().services();
}

protocol::CommandUpdate CommandExecutor::execute(const protocol::CommandRequest& request,
                                                 const std::atomic<bool>& cancel) {
    if (request.type == protocol::kRunScriptCommand)
        return m_scripts.run(request, cancel, m_hooks.output);
    if (protocol::isPatchCommand(request.type))
        return m_patches.run(request, cancel);
    try {
        protocol::validateCommandArgs(request.type, request.args);
    } catch (const protocol::MessageError& error) {
        return finished(request, protocol::kCommandFailed, nlohmann::json::object(), error.what());
    }
    if (request.type == "ping")
        return finished(request, protocol::kCommandCompleted,
                        {{"pong", true},
                         {"agent_time_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count()}});
    if (request.type == "collect_inventory") {
        const int sections = m_hooks.collectInventory ? m_hooks.collectInventory() : 0;
        return finished(request, protocol::kCommandCompleted, {{"sections", sections}});
    }
    if (request.type == "list_processes") {
        // With a monotonic time and the machine's size, two listings give each process's CPU and memory
        // share.
        const auto monotonicMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count();
        auto processes = listProcesses();
        const auto count = processes.size();
        return finished(request, protocol::kCommandCompleted,
                        {{"count", count},
                         {"processes", std::move(processes)},
                         {"monotonic_ms", monotonicMs},
                         {"cpu_count", sysconf(_SC_NPROCESSORS_ONLN)},
                         {"memory_total_bytes",
                          static_cast<long long>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE)}});
    }
    if (request.type == "list_services") {
        auto services = listServices();
        const auto count = services.size();
        return finished(request, protocol::kCommandCompleted,
                        {{"count", count}, {"services", std::move(services)}});
    }
    if (request.type == "kill_process")
        return killProcess(request);
    if (request.type == "service_action")
        return serviceAction(request, cancel);
    if (request.type == "reboot" || request.type == "shutdown")
        return power(request, request.type == "reboot");
    return finished(request, protocol::kCommandFailed, nlohmann::json::object(),
                    "this agent does not know the command type \"" + request.type + "\"");
}

protocol::CommandUpdate CommandExecutor::killProcess(const protocol::CommandRequest& request) {
    const auto args = protocol::validateCommandArgs(request.type, request.args);
    const pid_t pid = static_cast<pid_t>(args["pid"].get<long long>());
    if (pid == getpid())
        return finished(request, protocol::kCommandFailed, nlohmann::json::object(),
                        "refusing to kill the agent itself; restart the breeze-agent service instead");
    const int signal = args["signal"] == "KILL" ? SIGKILL : SIGTERM;
    if (::kill(pid, signal) != 0) {
        const std::string reason = errno == ESRCH   ? "no such process"
                                   : errno == EPERM ? "permission denied"
                                                    : std::strerror(errno);
        return finished(request, protocol::kCommandFailed, {{"pid", pid}},
                        "cannot signal process " + std::to_string(pid) + ": " + reason);
    }
    return finished(request, protocol::kCommandCompleted, {{"pid", pid}, {"signal", args["signal"]}});
}

protocol::CommandUpdate CommandExecutor::serviceAction(const protocol::CommandRequest& request,
                                                       const std::atomic<bool>& cancel) {
    const auto args = protocol::validateCommandArgs(request.type, request.args);
    const std::string action = args["action"];
    const std::string name = args["name"];
    const auto result = runSubprocess({"systemctl", action, "--no-ask-password", "--", name},
                                      std::chrono::seconds(request.timeoutSeconds), &cancel, 64 * kKiB);
    nlohmann::json output{{"name", name}, {"action", action}, {"output", result.output}};
    if (result.cancelled)
        return finished(request, protocol::kCommandCancelled, output, "cancelled");
    if (result.timedOut)
        return finished(request, protocol::kCommandTimedOut, output, "systemctl did not finish in time");
    if (!result.started)
        return finished(request, protocol::kCommandFailed, output, result.error);
    if (result.exitCode != 0)
        return finished(request, protocol::kCommandFailed, output,
                        "systemctl " + action + " " + name + " failed (exit " +
                            std::to_string(result.exitCode) + ")",
                        result.exitCode);
    return finished(request, protocol::kCommandCompleted, output, {}, 0);
}

protocol::CommandUpdate CommandExecutor::power(const protocol::CommandRequest& request, bool reboot) {
    const auto args = protocol::validateCommandArgs(request.type, request.args);
    const long long delay = args["delay_seconds"].get<long long>();
    // shutdown(8) takes minutes; systemd-logind keeps the schedule even if the agent stops meanwhile.
    const std::string when = delay <= 0 ? "now" : "+" + std::to_string((delay + 59) / 60);
    const auto result = runSubprocess(
        {m_hooks.powerCommand, reboot ? "-r" : "-h", when, "Breeze: scheduled by an administrator"},
        std::chrono::seconds(30), nullptr, 16 * kKiB);
    nlohmann::json output{{"scheduled", when}, {"output", result.output}};
    if (!result.started || result.exitCode != 0)
        return finished(request, protocol::kCommandFailed, output,
                        result.started ? "shutdown failed (exit " + std::to_string(result.exitCode) + ")"
                                       : result.error,
                        result.started ? std::optional<int>(result.exitCode) : std::nullopt);
    return finished(request, protocol::kCommandCompleted, output, {}, 0);
}

} // namespace breeze::agent
