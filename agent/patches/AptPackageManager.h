#pragma once

#include "patches/PackageManager.h"

namespace breeze::agent {

// apt on Debian and Ubuntu. Non-interactive (DEBIAN_FRONTEND=noninteractive, existing configuration files
// kept), waiting up to five minutes for the dpkg lock another apt may hold. APT_CONFIG in the agent's
// environment is honoured, as by every apt command.
class AptPackageManager : public PackageManager {
public:
    static bool available();

    protocol::ScanReport scan(const std::atomic<bool>& cancel) override;
    std::vector<protocol::PackageResult> install(const std::vector<protocol::PackageVersion>& packages,
                                                 const std::atomic<bool>& cancel) override;
    protocol::PackageResult rollback(const protocol::PackageVersion& package,
                                     const std::atomic<bool>& cancel) override;
    bool rebootRequired() override;

private:
    protocol::PackageResult installOne(const protocol::PackageVersion& package, bool downgrade,
                                       const std::atomic<bool>& cancel);
    // The installed version, "" when the package is not (fully) installed.
    static std::string installedVersion(const std::string& name);
};

} // namespace breeze::agent
