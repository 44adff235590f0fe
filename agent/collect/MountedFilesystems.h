#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace breeze::agent {

struct MountedFilesystem {
    std::string mount;
    std::string device;
    std::string type;
    std::uint64_t totalBytes = 0;
    std::uint64_t usedBytes = 0;
    std::uint64_t availableBytes =
        0; // to unprivileged users: what df calls "Avail" (root's reserve left out)
};

// The real, local (or network-share) filesystems mounted now, each once, with their size and use; what
// heartbeats and inventory both report. `mounts` is /proc/mounts or a stand-in for tests.
std::vector<MountedFilesystem> mountedFilesystems(const std::string& mounts = "/proc/mounts");

// Real filesystems worth reporting (no proc, sysfs, tmpfs, container overlays, squashfs snaps).
bool isReportedFilesystem(const std::string& fsType);

} // namespace breeze::agent
