#include "commands/CommandQueue.h"

#include "audit/AuditLog.h"
#include "db/ScopedTransaction.h"
#include "http/ApiError.h"

#include <pqxx/pqxx>

namespace breeze::server {

std::string queueDeviceCommand(ScopedTransaction& tx, const AuditEvent& requester,
                               const std::string& deviceId, const DeviceRef& device,
                               const QueuedCommand& command) {
    const auto state = tx.sql().exec_params1("SELECT d.approval, d.revoked_at IS NOT NULL AS revoked FROM "
                                             "devices d WHERE d.id = $1 AND d.org_id = $2",
                                             deviceId, device.orgId);
    if (state["revoked"].as<bool>())
        throw ApiError(409, "device_revoked", "this device has been revoked; it cannot receive commands");
    if (state["approval"].as<std::string>() != "approved")
        throw ApiError(409, "device_pending", "this device is waiting for approval; approve it first");
    return tx.sql()
        .exec_params1(
            "INSERT INTO device_commands (partner_id, org_id, site_id, device_id, command_type, args, "
            "timeout_seconds, expires_at, requested_by, requested_by_user) "
            "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, now() + make_interval(secs => $8), $9, "
            "NULLIF($10, '')::uuid) RETURNING id",
            device.partnerId, device.orgId, device.siteId, deviceId, command.type, command.args.dump(),
            command.timeoutSeconds, command.expiresInSeconds, requester.actorLabel,
            requester.actorType == "user" ? requester.actorId.value_or("") : std::string())[0]
        .as<std::string>();
}

} // namespace breeze::server
