#include "collect/MountedFilesystems.h"

#include <fstream>
#include <set>
#include <sys/statvfs.h>

namespace breeze::agent {

bool isReportedFilesystem(const std::string& fsType) {
    static const std::set<std::string> reported{
        "ext2", "ext3", "ext4",     "xfs",     "btrfs", "zfs",     "vfat", "exfat", "ntfs", "ntfs3",
        "f2fs", "jfs",  "reiserfs", "hfsplus", "apfs",  "fuseblk", "nfs",  "nfs4",  "cifs", "smb3"};
    return reported.contains(fsType);
}

std::vector<MountedFilesystem> mountedFilesystems(const std::string& mounts) {
    std::vector<MountedFilesystem> found;
    std::ifstream in(mounts);
    std::set<std::string> seen;
    std::string device, mount, type, rest;
    while (in >> device >> mount >> type && std::getline(in, rest)) {
        if (!isReportedFilesystem(type) || !seen.insert(mount).second)
            continue;
        struct statvfs info {};
        if (statvfs(mount.c_str(), &info) != 0 || info.f_blocks == 0)
            continue;
        const std::uint64_t total = static_cast<std::uint64_t>(info.f_blocks) * info.f_frsize;
        const std::uint64_t freeBytes = static_cast<std::uint64_t>(info.f_bfree) * info.f_frsize;
        const std::uint64_t available = static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize;
        found.push_back({mount, device, type, total, total - std::min(total, freeBytes), available});
    }
    return found;
}

} // namespace breeze::agent
