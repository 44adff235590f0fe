#include "scripts/ScriptSupervisor.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <grp.h>
#include <map>
#include <pwd.h>
#include <set>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace breeze::agent {

namespace {
constexpr auto kGrace = std::chrono::seconds(2);

// Every living descendant of this process, from /proc (children of children included).
std::set<pid_t> descendants() {
    std::map<pid_t, std::vector<pid_t>> children;
    if (DIR* dir = opendir("/proc")) {
        while (const dirent* entry = readdir(dir)) {
            const std::string name = entry->d_name;
            if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
                continue;
            std::ifstream file("/proc/" + name + "/stat");
            std::string stat;
            std::getline(file, stat);
            const auto close = stat.rfind(')');
            if (close == std::string::npos || close + 4 >= stat.size())
                continue;
            // After ") ": state, then the parent's pid.
            const auto parent = std::atol(stat.c_str() + close + 4);
            children[static_cast<pid_t>(parent)].push_back(static_cast<pid_t>(std::stol(name)));
        }
        closedir(dir);
    }
    std::set<pid_t> found;
    std::vector<pid_t> pending{getpid()};
    while (!pending.empty()) {
        const pid_t pid = pending.back();
        pending.pop_back();
        for (pid_t child : children[pid])
            if (found.insert(child).second)
                pending.push_back(child);
    }
    return found;
}

// Reaps whatever has exited; true when no child is left at all.
bool reapAll(pid_t script, int& scriptStatus, bool& scriptDone) {
    while (true) {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid == 0)
            return false;
        if (pid < 0)
            return errno == ECHILD;
        if (pid == script) {
            scriptStatus = status;
            scriptDone = true;
        }
    }
}

void stopEverything(pid_t script, int& scriptStatus, bool& scriptDone) {
    for (pid_t pid : descendants()) {
        ::kill(pid, SIGTERM);
        ::kill(pid, SIGCONT);
    }
    const auto deadline = std::chrono::steady_clock::now() + kGrace;
    while (std::chrono::steady_clock::now() < deadline) {
        if (reapAll(script, scriptStatus, scriptDone))
            return;
        ::usleep(20'000);
    }
    // Whatever ignored TERM, and whatever it spawned meanwhile: KILL until nothing is left (orphans come to
    // us).
    while (!reapAll(script, scriptStatus, scriptDone)) {
        for (pid_t pid : descendants())
            ::kill(pid, SIGKILL);
        ::usleep(10'000);
    }
}
} // namespace

int superviseScript(const SupervisedScript& script) {
    if (script.argv.empty()) {
        std::fprintf(stderr, "breeze-agent: nothing to supervise\n");
        return 125;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        std::fprintf(stderr, "breeze-agent: cannot become a subreaper: %s\n", std::strerror(errno));
        return 125;
    }
    // If the agent dies, stop the script too rather than leave it running unsupervised.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    sigset_t watched;
    sigemptyset(&watched);
    for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGCHLD})
        sigaddset(&watched, signal);
    sigset_t previous;
    sigprocmask(SIG_BLOCK, &watched, &previous);
    if (getppid() == 1)
        return 125; // the agent is already gone

    uid_t uid = 0;
    gid_t gid = 0;
    if (!script.user.empty()) {
        passwd entry{};
        passwd* found = nullptr;
        char buffer[4096];
        if (getpwnam_r(script.user.c_str(), &entry, buffer, sizeof buffer, &found) != 0 || !found) {
            std::fprintf(stderr, "breeze-agent: no local user \"%s\"\n", script.user.c_str());
            return 125;
        }
        uid = found->pw_uid;
        gid = found->pw_gid;
    }
    const pid_t child = fork();
    if (child < 0) {
        std::fprintf(stderr, "breeze-agent: cannot start the script: %s\n", std::strerror(errno));
        return 125;
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &previous, nullptr);
        if (!script.user.empty() &&
            (initgroups(script.user.c_str(), gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) {
            std::fprintf(stderr, "breeze-agent: cannot switch to user \"%s\": %s\n", script.user.c_str(),
                         std::strerror(errno));
            _exit(126);
        }
        if (chdir(script.directory.c_str()) != 0) {
            std::fprintf(stderr, "breeze-agent: cannot enter %s: %s\n", script.directory.c_str(),
                         std::strerror(errno));
            _exit(126);
        }
        std::vector<char*> args;
        for (const auto& arg : script.argv)
            args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        std::fprintf(stderr, "breeze-agent: cannot run %s: %s\n", args[0], std::strerror(errno));
        _exit(127);
    }

    int status = 0;
    bool done = false;
    bool stopped = false;
    while (!done) {
        siginfo_t info{};
        const int signal = sigwaitinfo(&watched, &info);
        if (signal == SIGCHLD) {
            reapAll(child, status, done);
        } else if (signal > 0) {
            stopped = true;
            break;
        }
    }
    // The script has ended (or is being stopped): nothing it started may outlive it.
    stopEverything(child, status, done);
    if (stopped)
        return 128 + SIGTERM;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace breeze::agent
