#pragma once

#include "protocol/PatchMessages.h"

#include <atomic>
#include <string>
#include <vector>

namespace breeze::agent {

// One package manager behind one interface: apt today, dnf next; Windows Update and macOS softwareupdate slot
// in the same way.
class PackageManager {
public:
    virtual ~PackageManager() = default;

    // The end of a long log (where the manager says what went wrong), within what a result carries.
    static std::string logTail(const std::string& log) {
        if (log.size() <= protocol::kMaxPatchLogBytes)
            return log;
        return "…\n" + log.substr(log.size() - protocol::kMaxPatchLogBytes + 8);
    }

    // Refreshes the package lists, then lists what can be updated. Throws std::runtime_error with the
    // manager's own words when it cannot.
    virtual protocol::ScanReport scan(const std::atomic<bool>& cancel) = 0;
    // Installs exactly these versions, one package at a time, so one that fails does not take the others
    // with it; each result carries the manager's log.
    virtual std::vector<protocol::PackageResult>
    install(const std::vector<protocol::PackageVersion>& packages, const std::atomic<bool>& cancel) = 0;
    // Installs an older version, when the repository still has it.
    virtual protocol::PackageResult rollback(const protocol::PackageVersion& package,
                                             const std::atomic<bool>& cancel) = 0;
    // A reboot is pending: the system says so, or a newer kernel is installed than the one running.
    virtual bool rebootRequired() = 0;
};

} // namespace breeze::agent
