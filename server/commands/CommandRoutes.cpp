#include "commands/CommandRoutes.h"

#include "commands/CommandQueue.h"
#include "commands/DeviceCommandStore.h"
#include "devices/DeviceAccess.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "protocol/CommandCatalog.h"
#include "protocol/MessageFields.h"
#include "protocol/ScriptRequest.h"
#include "units/Units.h"

#include <set>

namespace breeze::server {

namespace {
using namespace permissions;

std::string commandScopeSql(const AccessScope& scope) {
    return scope.sqlSite("c.partner_id", "c.org_id", "c.site_id");
}

nlohmann::json fetchCommand(ScopedTransaction& tx, const std::string& id) {
    return DeviceCommandStore(tx).fetch(id);
}

ApiResponse createCommand(RequestContext& ctx) {
    const std::string deviceId = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(CommandsCreate);
    auto fields = ctx.fields();
    const std::string type = fields.requiredString("type", 1, 64);
    nlohmann::json args = fields.optionalObject("args");
    if (type == protocol::kRunScriptCommand)
        throw ApiError::badRequest("scripts run through POST /api/v1/scripts/{id}/runs");
    if (!protocol::isBuiltInCommand(type))
        throw ApiError::badRequest("unknown command type \"" + type + "\" (see /api/v1/command-types)");
    try {
        args = protocol::validateCommandArgs(type, args);
    } catch (const protocol::MessageError& error) {
        throw ApiError::badRequest(error.what());
    }
    int defaultTimeout = 300;
    for (const auto& spec : protocol::builtInCommands())
        if (spec.type == type)
            defaultTimeout = spec.defaultTimeoutSeconds;
    const long long timeout =
        fields.optionalInteger("timeout_seconds", 1, 7 * kSecondsPerDay).value_or(defaultTimeout);
    const long long expiresIn = fields.optionalInteger("expires_in_seconds", 60, 365LL * 86400)
                                    .value_or(ctx.server.config.commandDefaultExpirySeconds);
    fields.finish();

    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, deviceId, CommandsCreate);
    AuditEvent event = ctx.auditEvent("commands.create", "command", "");
    const std::string id = queueDeviceCommand(tx, event, deviceId, device, {type, args, timeout, expiresIn});
    event.resourceId = id;
    event.orgId = device.orgId;
    event.details = {{"device_id", deviceId}, {"type", type}, {"args", args}};
    ctx.audit(tx, event);
    const nlohmann::json body = fetchCommand(tx, id);
    tx.commit();
    if (ctx.server.agents)
        ctx.server.agents->commandsQueued(deviceId);
    return ApiResponse::json(body, 201);
}

ApiResponse listCommands(RequestContext& ctx) {
    const AccessScope scope = ctx.require(CommandsRead);
    Pagination pagination(ctx);
    DeviceCommandStore::Filter filter{ctx.uuidQuery("device"), ctx.uuidQuery("org"), ctx.uuidQuery("site"),
                                      ctx.query("status"),     ctx.query("type"),    std::nullopt};
    if (const auto listings = ctx.query("listings")) {
        if (*listings != "true" && *listings != "false")
            throw ApiError::badRequest("listings must be true or false");
        filter.listings = *listings == "true";
    }
    if (filter.status) {
        static const std::set<std::string> statuses{"pending", "sent",      "running",  "completed",
                                                    "failed",  "timed_out", "cancelled"};
        if (!statuses.contains(*filter.status))
            throw ApiError::badRequest(
                "status must be pending, sent, running, completed, failed, timed_out or cancelled");
    }
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(DeviceCommandStore(tx).list(filter, pagination, commandScopeSql(scope)));
}

struct CommandRef {
    std::string deviceId;
    std::string orgId;
    std::string status;
};

CommandRef requireCommand(RequestContext& ctx, ScopedTransaction& tx, const std::string& id,
                          const Permission& permission) {
    const AccessScope readScope = ctx.principal().scopeFor(CommandsRead);
    const auto place = DeviceCommandStore(tx).place(id, commandScopeSql(readScope));
    if (readScope.isEmpty() || !place)
        throw ApiError::notFound("command");
    if (!ctx.principal().scopeFor(permission).allowsSite(place->orgId, place->siteId))
        throw ApiError::forbidden("this needs the " + permission.key() + " permission on the device's site");
    return {place->deviceId, place->orgId, place->status};
}

ApiResponse getCommand(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "command");
    const AccessScope scope = ctx.require(CommandsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireCommand(ctx, tx, id, CommandsRead);
    return ApiResponse::json(fetchCommand(tx, id));
}

ApiResponse cancelCommand(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "command");
    const AccessScope scope = ctx.require(CommandsCancel);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const CommandRef command = requireCommand(ctx, tx, id, CommandsCancel);
    // Lock and re-read: the agent may be finishing it right now.
    const std::string status = DeviceCommandStore(tx).lockStatus(id, command.orgId);
    if (status != "pending" && status != "sent" && status != "running")
        throw ApiError(409, "command_finished", "the command has already finished (" + status + ")");
    const bool reachedAgent = status != "pending";
    DeviceCommandStore(tx).cancel(id, command.orgId, reachedAgent, ctx.principal().label);
    AuditEvent event = ctx.auditEvent("commands.cancel", "command", id);
    event.orgId = command.orgId;
    event.details = {{"device_id", command.deviceId}, {"previous_status", status}};
    ctx.audit(tx, event);
    const nlohmann::json body = fetchCommand(tx, id);
    tx.commit();
    if (reachedAgent && ctx.server.agents)
        ctx.server.agents->cancelRequested(command.deviceId, id);
    return ApiResponse::json(body);
}

ApiResponse listCommandTypes(RequestContext&) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& spec : protocol::builtInCommands())
        items.push_back({{"type", spec.type},
                         {"summary", spec.summary},
                         {"default_timeout_seconds", spec.defaultTimeoutSeconds}});
    return ApiResponse::json({{"items", items}});
}
} // namespace

void registerCommandRoutes(Router& router) {
    router.add({HttpMethod::Post, "/api/v1/devices/{id}/commands", "commands.create",
                RouteAccess::Authenticated, createCommand});
    router.add({HttpMethod::Get, "/api/v1/commands", "", RouteAccess::Authenticated, listCommands});
    router.add({HttpMethod::Get, "/api/v1/commands/{id}", "", RouteAccess::Authenticated, getCommand});
    router.add({HttpMethod::Post, "/api/v1/commands/{id}/cancel", "commands.cancel",
                RouteAccess::Authenticated, cancelCommand});
    router.add({HttpMethod::Get, "/api/v1/command-types", "", RouteAccess::Authenticated, listCommandTypes});
}

} // namespace breeze::server
