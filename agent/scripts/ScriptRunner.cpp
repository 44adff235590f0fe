#include "scripts/ScriptRunner.h"

#include "platform/Account.h"
#include "platform/Subprocess.h"
#include "platform/WriteAll.h"
#include "protocol/MessageFields.h"
#include "protocol/ScriptRequest.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <pwd.h>
#include <unistd.h>

namespace breeze::agent {

namespace {
using Clock = std::chrono::steady_clock;
constexpr const char* kSafePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr auto kFlushEvery = std::chrono::milliseconds(200);

protocol::CommandUpdate finished(const protocol::CommandRequest& request, const std::string& status,
                                 std::string error, nlohmann::json output = nlohmann::json::object(),
                                 std::optional<int> exitCode = {}) {
    protocol::CommandUpdate update;
    update.commandId = request.commandId;
    update.status = status;
    update.error = std::move(error);
    update.output = std::move(output);
    if (exitCode)
        update.exitCode = *exitCode;
    return update;
}

// One of stdout and stderr: buffers what arrives and hands it on in chunks, keeping at most the limit.
class StreamPump {
public:
    StreamPump(std::string commandId, std::string name, int fd, const ScriptRunner::OutputSink& sink)
        : m_commandId(std::move(commandId)), m_name(std::move(name)), m_fd(fd), m_sink(sink) {}

    int fd() const { return m_fd; }
    bool open() const { return m_fd >= 0; }

    void read() {
        char buffer[16384];
        const ssize_t got = ::read(m_fd, buffer, sizeof buffer);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        if (got <= 0) {
            ::close(m_fd);
            m_fd = -1;
            flush();
            return;
        }
        m_total += static_cast<std::uint64_t>(got);
        const std::size_t room = protocol::kMaxScriptOutputBytes -
                                 std::min(protocol::kMaxScriptOutputBytes, m_sent + m_pending.size());
        if (room > 0) {
            if (m_pending.empty())
                m_pendingSince = Clock::now();
            m_pending.append(buffer, std::min(room, static_cast<std::size_t>(got)));
        }
        if (m_pending.size() >= protocol::kMaxOutputChunkBytes)
            flush();
    }

    void flushIfDue() {
        if (!m_pending.empty() && Clock::now() - m_pendingSince >= kFlushEvery)
            flush();
    }

    void flush() {
        while (!m_pending.empty()) {
            const std::size_t size = std::min(m_pending.size(), protocol::kMaxOutputChunkBytes);
            protocol::CommandOutput chunk{m_commandId, m_name, static_cast<std::int64_t>(m_sent),
                                          m_pending.substr(0, size)};
            m_pending.erase(0, size);
            m_sent += size;
            if (m_sink)
                m_sink(chunk);
        }
    }

    void close() {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
        flush();
    }

    void describe(nlohmann::json& output) const {
        output[m_name + "_bytes"] = m_sent;
        output[m_name + "_total_bytes"] = m_total;
        output[m_name + "_truncated"] = m_total > m_sent;
    }

private:
    std::string m_commandId;
    std::string m_name;
    int m_fd;
    const ScriptRunner::OutputSink& m_sink;
    std::string m_pending;
    Clock::time_point m_pendingSince;
    std::size_t m_sent = 0;
    std::uint64_t m_total = 0;
};

// The private directory and everything in it go when the run ends, however it ends.
class TemporaryDirectory {
public:
    explicit TemporaryDirectory(const std::string& root) {
        std::string pattern =
            (std::filesystem::path(root.empty() ? std::filesystem::temp_directory_path().string() : root) /
             "breeze-script-XXXXXX")
                .string();
        if (::mkdtemp(pattern.data()))
            m_path = pattern;
        else
            m_error = std::strerror(errno);
    }
    ~TemporaryDirectory() {
        if (!m_path.empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(m_path, ignored);
        }
    }
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

    const std::string& path() const { return m_path; }
    const std::string& error() const { return m_error; }

private:
    std::string m_path;
    std::string m_error;
};

bool writeScriptFile(const std::string& path, const std::string& content, const Account& owner,
                     bool chownTo) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0500);
    if (fd < 0)
        return false;
    if (!writeAll(fd, content)) {
        ::close(fd);
        return false;
    }
    const bool owned = !chownTo || ::fchown(fd, owner.uid, owner.gid) == 0;
    return ::close(fd) == 0 && owned;
}
} // namespace

std::optional<std::string> ScriptRunner::interpreterFor(const std::string& language) {
    const std::string program = language == "bash"         ? "bash"
                                : language == "sh"         ? "sh"
                                : language == "python"     ? "python3"
                                : language == "powershell" ? "pwsh"
                                                           : "";
    if (program.empty())
        return std::nullopt;
    std::string path = kSafePath;
    path += ":/opt/microsoft/powershell/7";
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = std::min(path.find(':', start), path.size());
        const std::string candidate = path.substr(start, end - start) + "/" + program;
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        start = end + 1;
    }
    return std::nullopt;
}

std::vector<std::string> ScriptRunner::capabilities() {
    std::vector<std::string> names;
    for (const auto& language : protocol::scriptLanguages())
        if (interpreterFor(language))
            names.push_back("script." + language);
    return names;
}

protocol::CommandUpdate ScriptRunner::run(const protocol::CommandRequest& request,
                                          const std::atomic<bool>& cancel, const OutputSink& output) const {
    const auto started = Clock::now();
    protocol::ScriptRequest script;
    try {
        script = protocol::ScriptRequest::fromArgs(request.args);
    } catch (const protocol::MessageError& error) {
        return finished(request, protocol::kCommandFailed, error.what());
    }
    const auto interpreter = interpreterFor(script.language);
    if (!interpreter)
        return finished(request, protocol::kCommandFailed,
                        "this device has no interpreter for " + script.language + " scripts");
    const bool switchUser = !script.runAs.empty();
    const auto user = switchUser ? Account::named(script.runAs) : Account::ofUid(::geteuid());
    if (!user)
        return finished(request, protocol::kCommandFailed,
                        switchUser ? "there is no local user \"" + script.runAs + "\" on this device"
                                   : "the agent's own account has no entry in the user database");
    if (switchUser && ::geteuid() != 0 && user->uid != ::geteuid())
        return finished(request, protocol::kCommandFailed,
                        "the agent does not run as root, so it cannot run scripts as \"" + script.runAs +
                            "\"; leave run-as empty or run the agent as root");

    TemporaryDirectory directory(m_options.temporaryRoot);
    if (directory.path().empty())
        return finished(request, protocol::kCommandFailed,
                        "cannot create a private directory for the script: " + directory.error());
    const bool chownTo = switchUser && user->uid != ::geteuid();
    if (chownTo && ::chown(directory.path().c_str(), user->uid, user->gid) != 0)
        return finished(request, protocol::kCommandFailed,
                        std::string("cannot hand the script's directory to its user: ") +
                            std::strerror(errno));
    const std::string extension = script.language == "python"       ? ".py"
                                  : script.language == "powershell" ? ".ps1"
                                                                    : ".sh";
    const std::string file = directory.path() + "/script" + extension;
    if (!writeScriptFile(file, script.content, *user, chownTo))
        return finished(request, protocol::kCommandFailed,
                        std::string("cannot write the script file: ") + std::strerror(errno));

    std::vector<std::string> argv{m_options.supervisorProgram, "supervise-script", "--dir", directory.path()};
    if (switchUser)
        argv.insert(argv.end(), {"--user", script.runAs});
    argv.emplace_back("--");
    argv.push_back(*interpreter);
    if (script.language == "python")
        argv.emplace_back("-u"); // unbuffered: output streams as it is printed
    if (script.language == "powershell")
        argv.insert(argv.end(), {"-NoProfile", "-NonInteractive", "-File"});
    argv.push_back(file);

    std::vector<std::string> environment{std::string("PATH=") + kSafePath,
                                         "HOME=" + user->home,
                                         "USER=" + user->name,
                                         "LOGNAME=" + user->name,
                                         "SHELL=" + user->shell,
                                         "LANG=C.UTF-8",
                                         "TMPDIR=" + directory.path(),
                                         "BREEZE_COMMAND_ID=" + request.commandId};
    for (const auto& [name, value] : script.environment)
        environment.push_back(name + "=" + value);

    const SpawnedProcess process = spawnProcess(argv, &environment, true);
    if (process.pid < 0)
        return finished(request, protocol::kCommandFailed, process.error);
    StreamPump out(request.commandId, "stdout", process.stdoutFd, output);
    StreamPump err(request.commandId, "stderr", process.stderrFd, output);
    const auto deadline = started + std::chrono::seconds(request.timeoutSeconds);
    bool timedOut = false;
    bool cancelled = false;
    while (out.open() || err.open()) {
        if (cancel.load()) {
            cancelled = true;
            break;
        }
        if (Clock::now() >= deadline) {
            timedOut = true;
            break;
        }
        pollfd fds[2] = {{out.fd(), POLLIN, 0}, {err.fd(), POLLIN, 0}};
        const int ready = ::poll(fds, 2, 100);
        if (ready > 0) {
            if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
                out.read();
            if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
                err.read();
        }
        out.flushIfDue();
        err.flushIfDue();
    }
    // Both pipes may close before the script ends (it can close them itself): wait on, still bounded.
    std::optional<int> exitCode;
    while (!timedOut && !cancelled && !(exitCode = exitCodeIfDone(process.pid))) {
        cancelled = cancel.load();
        timedOut = Clock::now() >= deadline;
        ::usleep(20'000);
    }
    if (!exitCode) // the supervisor stops the whole tree on TERM; it gets time for the grace and the KILLs
        stopProcessGroup(process.pid, std::chrono::seconds(5));
    out.close();
    err.close();
    nlohmann::json result{
        {"interpreter", *interpreter},
        {"run_as", user->name},
        {"duration_ms",
         std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()}};
    out.describe(result);
    err.describe(result);
    if (cancelled)
        return finished(request, protocol::kCommandCancelled,
                        "cancelled; the script's processes were stopped", result);
    if (timedOut)
        return finished(request, protocol::kCommandTimedOut,
                        "the script ran past its timeout of " + std::to_string(request.timeoutSeconds) +
                            " s; its processes were stopped",
                        result);
    if (*exitCode != 0)
        return finished(request, protocol::kCommandFailed,
                        *exitCode > 128 ? "the script was killed by signal " + std::to_string(*exitCode - 128)
                                        : "the script exited with code " + std::to_string(*exitCode),
                        result, *exitCode);
    return finished(request, protocol::kCommandCompleted, {}, result, 0);
}

} // namespace breeze::agent
