#pragma once

#include "platform/Subprocess.h"

#include <chrono>
#include <string>
#include <vector>

namespace breeze::agent {

// Runs one package-manager transaction (apt-get install, dnf upgrade) so that nothing the agent does can
// interrupt it half way: a cancel waits for it (the deployment stops at the next package, a safe point), and
// stopping or restarting the agent leaves it running. Under systemd it runs in a transient scope of its own,
// outside the agent's service cgroup, so `systemctl stop breeze-agent` (and the restart that an upgrade of
// the breeze-agent package itself triggers) does not kill the dpkg or rpm it started.
SubprocessResult runPackageTransaction(const std::vector<std::string>& argv,
                                       std::chrono::milliseconds timeout, std::size_t maxOutputBytes);

// The argument vector that runs `argv` in its own systemd scope when the agent runs as a systemd service with
// systemd-run at hand; `argv` as it is otherwise.
std::vector<std::string> outsideServiceCgroup(const std::vector<std::string>& argv,
                                              const std::string& unitName);

} // namespace breeze::agent
