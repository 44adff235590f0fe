#include "commands/CommandRoutes.h"

#include "commands/CommandQueue.h"
#include "devices/DeviceAccess.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "protocol/CommandCatalog.h"
#include "protocol/MessageFields.h"
#include "protocol/ScriptRequest.h"

#include <set>

namespace breeze::server {

namespace {
using namespace permissions;

constexpr const char* kCommandJson =
    "json_build_object('id', c.id, 'device_id', c.device_id, 'org_id', c.org_id, 'site_id', c.site_id, "
    "'type', "
    "c.command_type, 'args', c.args - 'sealed_environment', 'status', c.status, 'timeout_seconds', "
    "c.timeout_seconds, 'expires_at', "
    "c.expires_at, 'requested_by', c.requested_by, 'cancel_requested', c.cancel_requested, 'created_at', "
    "c.created_at, 'sent_at', c.sent_at, 'started_at', c.started_at, 'finished_at', c.finished_at, "
    "'exit_code', "
    "c.exit_code, 'output', c.output, 'error', c.error, 'deliveries', c.deliveries)::text";

// Newest first: the key counts down as creation time counts up, and sorts as text.
constexpr const char* kNewestFirstKey =
    "lpad((9223372036854775807 - (extract(epoch FROM c.created_at) * 1000000)::bigint)::text, 19, '0')";

std::string commandScopeSql(const AccessScope& scope) {
    return scope.sqlSite("c.partner_id", "c.org_id", "c.site_id");
}

nlohmann::json fetchCommand(ScopedTransaction& tx, const std::string& id) {
    return jsonRow(tx.sql().exec_params1(
        std::string("SELECT ") + kCommandJson + " FROM device_commands c WHERE c.id = $1", id));
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
        fields.optionalInteger("timeout_seconds", 1, 7 * 86400).value_or(defaultTimeout);
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
    SqlParams params;
    std::string sql = std::string("SELECT ") + kCommandJson + ", " + kNewestFirstKey +
                      " FROM device_commands c WHERE " + commandScopeSql(scope);
    for (const auto& [name, column] : {std::pair<std::string, std::string>{"device", "c.device_id"},
                                       {"org", "c.org_id"},
                                       {"site", "c.site_id"}}) {
        if (auto value = ctx.uuidQuery(name))
            sql += " AND " + column + " = " + params.add(*value) + "::uuid";
    }
    if (auto status = ctx.query("status")) {
        static const std::set<std::string> statuses{"pending", "sent",      "running",  "completed",
                                                    "failed",  "timed_out", "cancelled"};
        if (!statuses.contains(*status))
            throw ApiError::badRequest(
                "status must be pending, sent, running, completed, failed, timed_out or cancelled");
        sql += " AND c.status = " + params.add(*status);
    }
    if (auto type = ctx.query("type"))
        sql += " AND c.command_type = " + params.add(type->substr(0, 64));
    sql += pagination.sqlAfter(params, kNewestFirstKey, "c.id") + " ORDER BY " + kNewestFirstKey + ", c.id" +
           pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
}

struct CommandRef {
    std::string deviceId;
    std::string orgId;
    std::string status;
};

CommandRef requireCommand(RequestContext& ctx, ScopedTransaction& tx, const std::string& id,
                          const Permission& permission) {
    const AccessScope readScope = ctx.principal().scopeFor(CommandsRead);
    const auto rows =
        tx.sql().exec_params("SELECT c.device_id, c.org_id, c.site_id, c.status FROM device_commands c "
                             "WHERE c.id = $1 AND " +
                                 commandScopeSql(readScope),
                             id);
    if (readScope.isEmpty() || rows.empty())
        throw ApiError::notFound("command");
    if (!ctx.principal()
             .scopeFor(permission)
             .allowsSite(rows[0][1].as<std::string>(), rows[0][2].as<std::string>()))
        throw ApiError::forbidden("this needs the " + permission.key() + " permission on the device's site");
    return {rows[0][0].as<std::string>(), rows[0][1].as<std::string>(), rows[0][3].as<std::string>()};
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
    const auto status =
        tx.sql()
            .exec_params1("SELECT status FROM device_commands WHERE id = $1 AND org_id = $2 FOR UPDATE", id,
                          command.orgId)[0]
            .as<std::string>();
    if (status != "pending" && status != "sent" && status != "running")
        throw ApiError(409, "command_finished", "the command has already finished (" + status + ")");
    const bool reachedAgent = status != "pending";
    tx.sql().exec_params("UPDATE device_commands SET status = 'cancelled', cancel_requested = $3, "
                         "finished_at = now(), updated_at = now(), error = 'cancelled by ' || $4, "
                         "args = args - 'sealed_environment' "
                         "WHERE id = $1 AND org_id = $2",
                         id, command.orgId, reachedAgent, ctx.principal().label);
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
    router.add({"POST", "/api/v1/devices/{id}/commands", "commands.create", RouteAccess::Authenticated,
                createCommand});
    router.add({"GET", "/api/v1/commands", "", RouteAccess::Authenticated, listCommands});
    router.add({"GET", "/api/v1/commands/{id}", "", RouteAccess::Authenticated, getCommand});
    router.add({"POST", "/api/v1/commands/{id}/cancel", "commands.cancel", RouteAccess::Authenticated,
                cancelCommand});
    router.add({"GET", "/api/v1/command-types", "", RouteAccess::Authenticated, listCommandTypes});
}

} // namespace breeze::server
