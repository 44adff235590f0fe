#pragma once

#include <string>
#include <vector>

namespace breeze::agent {

// `breeze-agent supervise-script`: the process between the agent and a script. It makes itself a child
// subreaper, so every process the script starts, even one that double-forks or calls setsid, stays its
// descendant; when the script ends, or when the agent sends TERM (timeout, cancel), it stops them all (TERM,
// then KILL after a grace period) and leaves nothing behind. It switches to `user` (when not empty) in the
// script's process only, and exits with the script's exit code (128 + signal when the script was killed).
struct SupervisedScript {
    std::vector<std::string> argv; // interpreter, its options, the script file
    std::string user;
    std::string directory; // the working directory
};

int superviseScript(const SupervisedScript& script);

} // namespace breeze::agent
