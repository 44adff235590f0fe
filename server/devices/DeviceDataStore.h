#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class Pagination;
class ScopedTransaction;

// The SQL of what devices reported: inventory sections, installed software, the logs of changes and events,
// metrics. Every read names the device's organisation too, so a partition or index on it always applies.
class DeviceDataStore {
public:
    DeviceDataStore(ScopedTransaction& tx, std::string deviceId, std::string orgId)
        : m_tx(tx), m_deviceId(std::move(deviceId)), m_orgId(std::move(orgId)) {}

    // {section: {data, collected_at, updated_at}}
    nlohmann::json inventory();
    // The items of a list section of the inventory, and when the device collected them.
    struct SectionItems {
        nlohmann::json items;
        std::optional<std::string> collectedAt;
    };
    SectionItems software(const std::string& search); // by name and architecture
    SectionItems monitors();                          // by display, then left to right, top to bottom
    // A page of a log table (device_events, device_inventory_changes), newest first; `fields` are the
    // json_build_object pairs over `l`; `filterColumn` = `filterValue` when a value is given.
    nlohmann::json log(const std::string& table, const std::string& fields, const std::string& filterColumn,
                       const std::optional<std::string>& filterValue, const Pagination& pagination);
    // Raw samples for up to a day, hourly rollups beyond.
    nlohmann::json metrics(int hours);

private:
    ScopedTransaction& m_tx;
    std::string m_deviceId;
    std::string m_orgId;
};

} // namespace breeze::server
