#include "platform/Subprocess.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace breeze::agent {

SpawnedProcess spawnProcess(const std::vector<std::string>& argv, const std::vector<std::string>* environment,
                            bool separateStderr) {
    SpawnedProcess process;
    if (argv.empty()) {
        process.error = "nothing to run";
        return process;
    }
    int out[2] = {-1, -1};
    int err[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) != 0 || (separateStderr && pipe2(err, O_CLOEXEC) != 0)) {
        process.error = std::string("cannot create a pipe: ") + std::strerror(errno);
        for (int fd : {out[0], out[1], err[0], err[1]})
            if (fd >= 0)
                ::close(fd);
        return process;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, separateStderr ? err[1] : out[1], 2);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setpgroup(&attributes, 0);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGCHLD);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes,
                             POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    std::vector<char*> env;
    if (environment) {
        for (const auto& entry : *environment)
            env.push_back(const_cast<char*>(entry.c_str()));
        env.push_back(nullptr);
    }
    pid_t pid = 0;
    const int spawned =
        posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environment ? env.data() : environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(out[1]);
    if (separateStderr)
        ::close(err[1]);
    if (spawned != 0) {
        ::close(out[0]);
        if (separateStderr)
            ::close(err[0]);
        process.error = "cannot run " + argv[0] + ": " + std::strerror(spawned);
        return process;
    }
    process.pid = pid;
    process.stdoutFd = out[0];
    process.stderrFd = separateStderr ? err[0] : -1;
    return process;
}

void stopProcessGroup(pid_t pid, std::chrono::milliseconds grace) {
    ::kill(-pid, SIGTERM);
    ::kill(-pid, SIGCONT); // a stopped process cannot act on TERM
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitpid(pid, nullptr, WNOHANG) == pid) {
            ::kill(-pid, SIGKILL); // anything of the group the leader left behind
            return;
        }
        ::usleep(20'000);
    }
    ::kill(-pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

namespace {
int exitCodeOf(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
} // namespace

int waitExitCode(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return exitCodeOf(status);
}

std::optional<int> exitCodeIfDone(pid_t pid) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid)
        return exitCodeOf(status);
    if (done < 0 && errno != EINTR)
        return -1;
    return std::nullopt;
}

SubprocessResult runSubprocess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                               const std::atomic<bool>* cancel, std::size_t maxOutputBytes) {
    SubprocessResult result;
    const SpawnedProcess process = spawnProcess(argv, nullptr, false);
    if (process.pid < 0) {
        result.started = false;
        result.error = process.error;
        return result;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[8192];
    while (true) {
        if (cancel && cancel->load()) {
            result.cancelled = true;
            break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timedOut = true;
            break;
        }
        pollfd p{process.stdoutFd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 200)));
        if (ready <= 0)
            continue;
        const ssize_t got = ::read(process.stdoutFd, buffer, sizeof buffer);
        if (got <= 0)
            break;
        const std::size_t room =
            maxOutputBytes > result.output.size() ? maxOutputBytes - result.output.size() : 0;
        result.output.append(buffer, std::min<std::size_t>(room, static_cast<std::size_t>(got)));
        if (static_cast<std::size_t>(got) > room)
            result.truncated = true;
    }
    ::close(process.stdoutFd);
    if (result.timedOut || result.cancelled) {
        stopProcessGroup(process.pid, std::chrono::seconds(2));
        return result;
    }
    result.exitCode = waitExitCode(process.pid);
    return result;
}

} // namespace breeze::agent
