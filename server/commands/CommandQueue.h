#pragma once

#include "devices/DeviceAccess.h"

#include <nlohmann/json.hpp>
#include <string>

namespace breeze::server {

class ScopedTransaction;
struct AuditEvent;

// Queues one command for one device on behalf of the request's caller (409 when the device is revoked or
// awaiting approval); returns the command's id. The caller audits and commits, then tells the agents.
struct QueuedCommand {
    std::string type;
    nlohmann::json args = nlohmann::json::object();
    long long timeoutSeconds = 300;
    long long expiresInSeconds = 0;
};

std::string queueDeviceCommand(ScopedTransaction& tx, const AuditEvent& requester,
                               const std::string& deviceId, const DeviceRef& device,
                               const QueuedCommand& command);

} // namespace breeze::server
