#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace breeze::server {

class ScopedTransaction;

// Where a device event happened, for the tenant columns every event row carries.
struct DeviceEventSubject {
    std::string partnerId;
    std::string orgId;
    std::string siteId;
    std::string deviceId;
};

// Appends to device_events inside the caller's transaction; the row is announced to every server node's
// consoles when it commits (migrations/0005).
void recordDeviceEvent(ScopedTransaction& tx, const DeviceEventSubject& subject, const std::string& kind,
                       const nlohmann::json& detail = nlohmann::json::object());

} // namespace breeze::server
