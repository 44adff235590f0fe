#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace breeze::agent {

struct SubprocessResult {
    int exitCode = -1; // -1 when killed or not started
    bool timedOut = false;
    bool cancelled = false;
    bool started = true;
    std::string output; // stdout and stderr, interleaved, capped
    bool truncated = false;
    std::string error; // why it could not start
};

// A program started from an argument vector (never a shell string), leading its own process group, with
// stdin from /dev/null and its output on pipes the caller reads and closes.
struct SpawnedProcess {
    pid_t pid = -1;
    int stdoutFd = -1;
    int stderrFd = -1; // -1 when stderr shares stdout's pipe
    std::string error; // why it could not start (pid stays -1)
};

// environment: nullptr keeps the agent's own.
SpawnedProcess spawnProcess(const std::vector<std::string>& argv, const std::vector<std::string>* environment,
                            bool separateStderr);
// TERM to the process group, KILL after `grace` if the leader has not exited; reaps the leader.
void stopProcessGroup(pid_t pid, std::chrono::milliseconds grace);
// Waits for the process; its exit code, or 128 + the signal that ended it.
int waitExitCode(pid_t pid);
// The same without waiting: nullopt while it runs.
std::optional<int> exitCodeIfDone(pid_t pid);

// Runs a program to completion so that a timeout or a cancel kills everything it started (its process
// group). Output is capped at maxOutputBytes.
SubprocessResult runSubprocess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                               const std::atomic<bool>* cancel = nullptr,
                               std::size_t maxOutputBytes = 1 << 20);

} // namespace breeze::agent
