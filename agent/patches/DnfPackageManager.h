#pragma once

#include "patches/PackageManager.h"

#include <map>
#include <string>

namespace breeze::agent {

// dnf on the RHEL family (and Fedora). Security flags and severities come from the repositories' updateinfo
// (`dnf updateinfo list --updates`). BREEZE_AGENT_DNF_CONFIG (a dnf.conf) and BREEZE_AGENT_DNF_ROOT (an
// installroot, which rpm is then asked about too) point it elsewhere than the system's own, for images and
// tests.
class DnfPackageManager : public PackageManager {
public:
    static bool available();
    DnfPackageManager();

    protocol::ScanReport scan(const std::atomic<bool>& cancel) override;
    std::vector<protocol::PackageResult> install(const std::vector<protocol::PackageVersion>& packages,
                                                 const std::atomic<bool>& cancel) override;
    protocol::PackageResult rollback(const protocol::PackageVersion& package,
                                     const std::atomic<bool>& cancel) override;
    bool rebootRequired() override;

    // `dnf check-update` lines ("name.arch  version-release  repository") as updates (installed versions
    // not yet filled in); `dnf updateinfo list` lines as security flags and severities by package name.
    static std::vector<protocol::AvailableUpdate> parseCheckUpdate(const std::string& text);
    struct Advisory {
        bool security = false;
        std::string severity;
    };
    static std::map<std::string, Advisory> parseUpdateInfo(const std::string& text);

private:
    std::vector<std::string> dnf(std::initializer_list<std::string> args) const;
    std::map<std::string, std::string> installedVersions(const std::vector<std::string>& names) const;
    protocol::PackageResult change(const protocol::PackageVersion& package, const char* verb,
                                   const std::atomic<bool>& cancel);

    std::string m_config;
    std::string m_root;
};

} // namespace breeze::agent
