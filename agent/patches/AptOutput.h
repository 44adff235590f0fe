#pragma once

#include "protocol/PatchMessages.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace breeze::agent {

// Reading what apt prints. `apt-get -s dist-upgrade` lines such as
//   Inst libssl3 [3.0.11-1~deb12u1] (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])
// become updates (new packages pulled in as dependencies, which have no [installed] version, are left out);
// the security flag comes from the archive (a suite ending in "-security", or an origin naming Security).
std::vector<protocol::AvailableUpdate> parseSimulatedUpgrade(const std::string& text);
// "Package:", "Version:" and "Size:" of `apt-cache show NAME=VERSION ...` stanzas: sizes by "name=version".
std::map<std::string, std::uint64_t> parsePackageSizes(const std::string& text);
// Updates after which a reboot is usually needed: kernels, the C library, systemd, D-Bus, microcode,
// firmware.
bool needsRebootAfter(const std::string& packageName);

} // namespace breeze::agent
