#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace breeze::agent {

class MonitorProbe;

// What the machine is (Linux): OS, hardware, disks, filesystems, network interfaces, installed software
// (dpkg and rpm), services (systemd), local users and the monitors a remote desktop would show. Each section
// is collected on its own, so one that fails (no DMI in a container, no systemd running, a display that does
// not answer) leaves the others intact.
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
    nlohmann::json monitors();

    // Where the monitors come from (none: the section is an empty list).
    void setMonitorProbe(std::shared_ptr<MonitorProbe> probe) { m_monitors = std::move(probe); }

private:
    std::shared_ptr<MonitorProbe> m_monitors;
};

} // namespace breeze::agent
