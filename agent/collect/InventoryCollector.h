#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace breeze::agent {

// What the machine is (Linux): OS, hardware, disks, filesystems, network interfaces, installed software
// (dpkg and rpm), services (systemd) and local users. Each section is collected on its own, so one that fails
// (no DMI in a container, no systemd running) leaves the others intact.
class InventoryCollector {
public:
    static const std::vector<std::string>& sections();
    // Raw section data in the shape protocol::InventoryReport::canonicalSection expects.
    nlohmann::json collect(const std::string& section);

    nlohmann::json os();
    nlohmann::json hardware();
    nlohmann::json disks();
    nlohmann::json filesystems();
    nlohmann::json interfaces();
    nlohmann::json software();
    nlohmann::json services();
    nlohmann::json users();
};

} // namespace breeze::agent
