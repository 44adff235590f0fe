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

SubprocessResult runSubprocess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                               const std::atomic<bool>* cancel, std::size_t maxOutputBytes) {
    SubprocessResult result;
    if (argv.empty()) {
        result.started = false;
        result.error = "nothing to run";
        return result;
    }
    int pipeFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0) {
        result.started = false;
        result.error = std::string("cannot create a pipe: ") + std::strerror(errno);
        return result;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 2);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setpgroup(&attributes, 0);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes,
                             POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    std::vector<char*> args;
    for (const auto& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(pipeFds[1]);
    if (spawned != 0) {
        ::close(pipeFds[0]);
        result.started = false;
        result.error = "cannot run " + argv[0] + ": " + std::strerror(spawned);
        return result;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool open = true;
    char buffer[8192];
    while (open) {
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
        pollfd p{pipeFds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 200)));
        if (ready <= 0)
            continue;
        const ssize_t got = ::read(pipeFds[0], buffer, sizeof buffer);
        if (got <= 0) {
            open = false;
            break;
        }
        const std::size_t room =
            maxOutputBytes > result.output.size() ? maxOutputBytes - result.output.size() : 0;
        result.output.append(buffer, std::min<std::size_t>(room, static_cast<std::size_t>(got)));
        if (static_cast<std::size_t>(got) > room)
            result.truncated = true;
    }
    if (result.timedOut || result.cancelled) {
        ::kill(-pid, SIGTERM);
        for (int i = 0; i < 20; ++i) {
            if (waitpid(pid, nullptr, WNOHANG) == pid) {
                ::kill(-pid, SIGKILL);
                ::close(pipeFds[0]);
                return result;
            }
            ::usleep(100'000);
        }
        ::kill(-pid, SIGKILL);
    }
    ::close(pipeFds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!result.timedOut && !result.cancelled)
        result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

} // namespace breeze::agent
