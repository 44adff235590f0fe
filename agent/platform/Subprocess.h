#pragma once

#include <atomic>
#include <chrono>
#include <string>
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

// Runs a program from an argument vector (never a shell string), in its own process group so that a timeout
// or a cancel kills everything it started. Output is capped at maxOutputBytes.
SubprocessResult runSubprocess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                               const std::atomic<bool>* cancel = nullptr,
                               std::size_t maxOutputBytes = 1 << 20);

} // namespace breeze::agent
