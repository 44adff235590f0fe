#include "scripts/ScriptRunRoutes.h"

#include "db/PgText.h"
#include "devices/DeviceAccess.h"
#include "devices/DeviceTargets.h"
#include "encoding/Base64.h"
#include "encoding/Utf8.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "protocol/MessageFields.h"
#include "protocol/ScriptParameters.h"
#include "protocol/ScriptRequest.h"
#include "scripts/ScriptAccess.h"
#include "tenancy/TenantLookup.h"

#include <algorithm>
#include <set>

namespace breeze::server {

namespace {
using namespace permissions;

constexpr std::size_t kMaxTargets = 10'000;

constexpr const char* kRunJson =
    "json_build_object('id', r.id, 'org_id', r.org_id, 'script_id', r.script_id, 'script_name', s.name, "
    "'version', v.version, 'parameters', r.parameters, 'targets', r.targets, 'device_count', r.device_count, "
    "'refused', r.refused, 'requested_by', r.requested_by, 'created_at', r.created_at, 'statuses', "
    "(SELECT coalesce(json_object_agg(status, n), '{}'::json) FROM (SELECT c.status, count(*) AS n FROM "
    "device_commands c WHERE c.run_id = r.id GROUP BY c.status) counts))::text";
constexpr const char* kRunFrom =
    " FROM script_runs r JOIN scripts s ON s.id = r.script_id JOIN script_versions v ON v.id = "
    "r.script_version_id";

// One execution: a run_script command with its script, version and device (output in the detail only).
constexpr const char* kExecutionJson =
    "json_build_object('id', c.id, 'run_id', c.run_id, 'script_id', c.script_id, 'script_name', s.name, "
    "'version', v.version, 'language', v.language, 'device_id', c.device_id, 'hostname', d.hostname, "
    "'org_id', c.org_id, 'site_id', c.site_id, 'status', c.status, 'exit_code', c.exit_code, 'error', "
    "c.error, 'result', c.output, 'parameters', r.parameters, 'requested_by', c.requested_by, "
    "'requested_by_user', c.requested_by_user, 'timeout_seconds', c.timeout_seconds, 'expires_at', "
    "c.expires_at, 'created_at', c.created_at, 'sent_at', c.sent_at, 'started_at', c.started_at, "
    "'finished_at', c.finished_at)::text";
constexpr const char* kExecutionFrom =
    " FROM device_commands c JOIN scripts s ON s.id = c.script_id JOIN script_versions v ON v.id = "
    "c.script_version_id JOIN devices d ON d.id = c.device_id LEFT JOIN script_runs r ON r.id = c.run_id";
constexpr const char* kNewestFirstKey =
    "lpad((9223372036854775807 - (extract(epoch FROM c.created_at) * 1000000)::bigint)::text, 19, '0')";
constexpr const char* kRunNewestFirstKey =
    "lpad((9223372036854775807 - (extract(epoch FROM r.created_at) * 1000000)::bigint)::text, 19, '0')";

const std::set<std::string>& commandStatuses() {
    static const std::set<std::string> statuses{"pending", "sent",      "running",  "completed",
                                                "failed",  "timed_out", "cancelled"};
    return statuses;
}

struct VersionRow {
    std::string id;
    int number = 0;
    std::string language;
    std::vector<std::string> os;
    std::vector<protocol::ScriptParameter> parameters;
    int timeoutSeconds = 300;
};

struct Target {
    std::string id;
    std::string orgId;
    std::string hostname;
};

// Why a device cannot run this version, or "" when it can.
std::string refusal(const pqxx::row& device, const ScriptRef& script, const VersionRow& version) {
    if (device[5].as<bool>())
        return "the device has been revoked";
    if (device[4].as<std::string>() != "approved")
        return "the device is waiting for approval";
    if (script.orgId && *script.orgId != device[1].as<std::string>())
        return "the script belongs to another organisation";
    const std::string platform = device[6].is_null() ? "" : device[6].as<std::string>();
    if (!platform.empty() && std::find(version.os.begin(), version.os.end(), platform) == version.os.end()) {
        std::string list;
        for (const auto& os : version.os)
            list += (list.empty() ? "" : ", ") + os;
        return "the script is for " + list + "; this device runs " + platform;
    }
    // Capabilities come with the agent's hello; a device never seen since enrollment is given the benefit of
    // the doubt (its agent refuses with the reason if it has no interpreter).
    const auto capabilities = nlohmann::json::parse(device[7].as<std::string>());
    if (!capabilities.empty() && std::find(capabilities.begin(), capabilities.end(),
                                           "script." + version.language) == capabilities.end())
        return "this device has no interpreter for " + version.language +
               " scripts (or its agent is too old to run scripts)";
    return "";
}

ApiResponse createRun(RequestContext& ctx) {
    const std::string scriptId = ctx.pathId("id", "script");
    auto fields = ctx.fields();
    const auto versionNumber = fields.optionalInteger("version", 1, 1'000'000'000);
    DeviceTargets aim;
    aim.deviceIds = fields.optionalUuidList("device_ids", kMaxTargets);
    aim.siteId = fields.optionalUuid("site_id");
    aim.groupId = fields.optionalUuid("group_id");
    const nlohmann::json values = fields.optionalObject("parameters");
    const auto timeoutOverride = fields.optionalInteger("timeout_seconds", 1, 86400);
    const long long expiresIn = fields.optionalInteger("expires_in_seconds", 60, 365LL * 86400)
                                    .value_or(ctx.server.config.commandDefaultExpirySeconds);
    fields.finish();

    const AccessScope scope = ctx.require(ScriptsExecute);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const ScriptRef script = requireScript(ctx, tx, scriptId, ScriptUse::Read);
    const auto versionRows = tx.sql().exec_params(
        "SELECT id, version, language, array_to_string(os, ','), parameters::text, timeout_seconds FROM "
        "script_versions WHERE script_id = $1 AND version = $2",
        scriptId, versionNumber.value_or(script.currentVersion));
    if (versionRows.empty())
        throw ApiError::notFound("script version");
    VersionRow version{
        versionRows[0][0].as<std::string>(),
        versionRows[0][1].as<int>(),
        versionRows[0][2].as<std::string>(),
        splitCommaList(versionRows[0][3].as<std::string>()),
        protocol::parseScriptParameters(nlohmann::json::parse(versionRows[0][4].as<std::string>())),
        versionRows[0][5].as<int>()};
    // Every value is checked before anything is queued: a bad one stops the whole run, naming the parameter.
    protocol::ResolvedParameters parameters;
    try {
        parameters = protocol::resolveScriptParameters(version.parameters, values);
    } catch (const protocol::MessageError& error) {
        throw ApiError(400, "invalid_parameter", error.what());
    }

    aim.resolve(ctx, tx, ScriptsExecute);
    const nlohmann::json& targets = aim.targets;
    const auto devices = aim.params.exec(
        tx.sql(), "SELECT d.id, d.org_id, d.site_id, d.hostname, d.approval, d.revoked_at IS NOT NULL, "
                  "d.platform, d.capabilities::text FROM devices d WHERE " +
                      aim.where + " AND " + deviceScopeSql(scope) + " ORDER BY d.hostname, d.id");
    if (aim.listed > 0 && devices.size() != aim.listed)
        throw ApiError::notFound(std::to_string(aim.listed - devices.size()) + " of the devices");
    if (devices.size() > kMaxTargets)
        throw ApiError::badRequest("a run reaches at most " + std::to_string(kMaxTargets) + " devices");

    std::vector<Target> accepted;
    nlohmann::json refused = nlohmann::json::array();
    std::set<std::string> orgs;
    for (const auto& device : devices) {
        Target target{device[0].as<std::string>(), device[1].as<std::string>(), device[3].as<std::string>()};
        if (const std::string reason = refusal(device, script, version); !reason.empty()) {
            refused.push_back({{"device_id", target.id}, {"hostname", target.hostname}, {"reason", reason}});
            continue;
        }
        orgs.insert(target.orgId);
        accepted.push_back(std::move(target));
    }
    if (accepted.empty()) {
        std::string detail;
        for (std::size_t i = 0; i < std::min<std::size_t>(refused.size(), 3); ++i)
            detail += (i ? "; " : ": ") + refused[i]["hostname"].get<std::string>() + " - " +
                      refused[i]["reason"].get<std::string>();
        throw ApiError(409, "no_runnable_devices",
                       devices.empty() ? "the target holds no devices"
                                       : "no target device can run this script" + detail);
    }
    // A run spanning organisations belongs to the partner; each organisation still sees its executions.
    std::optional<std::string> runOrg;
    if (orgs.size() == 1)
        runOrg = *orgs.begin();
    else if (!scope.isWholePartner())
        throw ApiError::badRequest(
            "these devices are in several organisations; run the script once for each");

    nlohmann::json environment = nlohmann::json::array();
    for (const auto& [name, value] : parameters.plain)
        environment.push_back({name, value});
    // Secrets are stored only sealed with the server's key, and dropped from the row once the run ends.
    nlohmann::json sealed = nlohmann::json::array();
    for (const auto& [name, value] : parameters.secret)
        sealed.push_back({name, ctx.server.sealer.seal(value)});
    const nlohmann::json args{{"script", script.name},
                              {"version", version.number},
                              {"environment", environment},
                              {"sealed_environment", sealed}};

    AuditEvent event = ctx.auditEvent("scripts.run", "script_run", "");
    const std::string requester = event.actorType == "user" ? event.actorId.value_or("") : std::string();
    std::vector<std::string> acceptedIds;
    for (const auto& target : accepted)
        acceptedIds.push_back(target.id);
    const std::string runId =
        tx.sql()
            .exec_params1(
                "INSERT INTO script_runs (partner_id, org_id, script_id, script_version_id, "
                "parameters, targets, device_count, refused, requested_by, requested_by_user) VALUES "
                "($1, NULLIF($2, '')::uuid, $3, $4, $5::jsonb, $6::jsonb, $7, $8::jsonb, $9, "
                "NULLIF($10, '')::uuid) RETURNING id",
                scope.partnerId(), runOrg.value_or(""), scriptId, version.id, parameters.redacted.dump(),
                targets.dump(), static_cast<long long>(accepted.size()), refused.dump(), event.actorLabel,
                requester)[0]
            .as<std::string>();
    const auto executions = tx.sql().exec_params(
        "INSERT INTO device_commands (partner_id, org_id, site_id, device_id, command_type, args, "
        "timeout_seconds, expires_at, requested_by, requested_by_user, script_id, script_version_id, run_id) "
        "SELECT d.partner_id, d.org_id, d.site_id, d.id, 'run_script', $2::jsonb, $3, now() + "
        "make_interval(secs "
        "=> $4), $5, NULLIF($6, '')::uuid, $7, $8, $9 FROM devices d WHERE d.id = ANY($1::uuid[]) "
        "RETURNING id, device_id",
        uuidArrayLiteral(acceptedIds), args.dump(), timeoutOverride.value_or(version.timeoutSeconds),
        expiresIn, event.actorLabel, requester, scriptId, version.id, runId);
    std::map<std::string, std::string> commandOf;
    for (const auto& row : executions)
        commandOf[row[1].as<std::string>()] = row[0].as<std::string>();

    event.resourceId = runId;
    event.orgId = runOrg;
    event.details = {{"script_id", scriptId},           {"script", script.name},
                     {"version", version.number},       {"targets", targets},
                     {"device_count", accepted.size()}, {"parameters", parameters.redacted},
                     {"refused", refused.size()}};
    // Every device by id for runs of ordinary size; the executions name them all in any case.
    if (acceptedIds.size() <= 1000)
        event.details["device_ids"] = acceptedIds;
    ctx.audit(tx, event);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& target : accepted)
        items.push_back({{"id", commandOf[target.id]},
                         {"device_id", target.id},
                         {"hostname", target.hostname},
                         {"status", "pending"}});
    const auto run = jsonRow(
        tx.sql().exec_params1(std::string("SELECT ") + kRunJson + kRunFrom + " WHERE r.id = $1", runId));
    tx.commit();
    if (ctx.server.agents)
        for (const auto& target : accepted)
            ctx.server.agents->commandsQueued(target.id);
    return ApiResponse::json({{"run", run}, {"executions", items}, {"refused", refused}}, 201);
}

std::string runScopeSql(const AccessScope& scope) {
    return "(r.partner_id = '" + scope.partnerId() + "'::uuid AND " +
           (scope.isWholePartner() ? std::string("true")
                                   : "r.org_id IS NOT NULL AND " + scope.sqlOrg("r.partner_id", "r.org_id")) +
           ")";
}

ApiResponse listRuns(RequestContext& ctx) {
    const AccessScope scope = ctx.require(ScriptsRead);
    Pagination pagination(ctx);
    SqlParams params;
    std::string sql = std::string("SELECT ") + kRunJson + ", " + kRunNewestFirstKey + kRunFrom + " WHERE " +
                      runScopeSql(scope);
    if (const auto scriptId = ctx.uuidQuery("script"))
        sql += " AND r.script_id = " + params.add(*scriptId) + "::uuid";
    if (const auto user = ctx.uuidQuery("user"))
        sql += " AND r.requested_by_user = " + params.add(*user) + "::uuid";
    sql += pagination.sqlAfter(params, kRunNewestFirstKey, "r.id") + " ORDER BY " + kRunNewestFirstKey +
           ", r.id" + pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
}

ApiResponse getRun(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script run");
    const AccessScope scope = ctx.require(ScriptsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows = tx.sql().exec_params(
        std::string("SELECT ") + kRunJson + kRunFrom + " WHERE r.id = $1 AND " + runScopeSql(scope), id);
    if (rows.empty())
        throw ApiError::notFound("script run");
    return ApiResponse::json(jsonRow(rows[0]));
}

std::string executionScopeSql(const AccessScope& scope) {
    return "c.script_id IS NOT NULL AND " + scope.sqlSite("c.partner_id", "c.org_id", "c.site_id");
}

ApiResponse listExecutions(RequestContext& ctx) {
    const AccessScope scope = ctx.require(ScriptsRead);
    Pagination pagination(ctx);
    SqlParams params;
    std::string sql = std::string("SELECT ") + kExecutionJson + ", " + kNewestFirstKey + kExecutionFrom +
                      " WHERE " + executionScopeSql(scope);
    for (const auto& [name, column] : {std::pair<std::string, std::string>{"device", "c.device_id"},
                                       {"script", "c.script_id"},
                                       {"run", "c.run_id"},
                                       {"user", "c.requested_by_user"},
                                       {"org", "c.org_id"},
                                       {"site", "c.site_id"}}) {
        if (auto value = ctx.uuidQuery(name))
            sql += " AND " + column + " = " + params.add(*value) + "::uuid";
    }
    if (auto status = ctx.query("status")) {
        if (!commandStatuses().contains(*status))
            throw ApiError::badRequest(
                "status must be pending, sent, running, completed, failed, timed_out or cancelled");
        sql += " AND c.status = " + params.add(*status);
    }
    sql += pagination.sqlAfter(params, kNewestFirstKey, "c.id") + " ORDER BY " + kNewestFirstKey + ", c.id" +
           pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
}

// A stream's stored bytes from `offset` on, at most `limit` of them.
std::string streamBytes(ScopedTransaction& tx, const std::string& commandId, int stream, long long offset,
                        long long limit) {
    const auto rows = tx.sql().exec_params(
        "SELECT byte_offset, data FROM command_output WHERE command_id = $1 AND stream = $2 AND "
        "byte_offset + length(data) > $3 AND byte_offset < $3 + $4 ORDER BY byte_offset",
        commandId, stream, offset, limit);
    std::string bytes;
    long long position = offset;
    for (const auto& row : rows) {
        const long long start = row[0].as<long long>();
        if (start > position)
            break; // a gap: the chunk in between has not arrived yet
        const pqxx::binarystring data(row[1]);
        const auto skip = static_cast<std::size_t>(position - start);
        if (skip >= data.size())
            continue;
        bytes.append(data.get() + skip, data.size() - skip);
        position = start + static_cast<long long>(data.size());
    }
    if (static_cast<long long>(bytes.size()) > limit)
        bytes.resize(static_cast<std::size_t>(limit));
    return bytes;
}

ApiResponse getExecution(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script execution");
    const AccessScope scope = ctx.require(ScriptsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows = tx.sql().exec_params(std::string("SELECT ") + kExecutionJson + kExecutionFrom +
                                               " WHERE c.id = $1 AND " + executionScopeSql(scope),
                                           id);
    if (rows.empty())
        throw ApiError::notFound("script execution");
    auto body = jsonRow(rows[0]);
    const nlohmann::json result = body["result"].is_object() ? body["result"] : nlohmann::json::object();
    for (const auto& [name, stream] : {std::pair<std::string, int>{"stdout", 1}, {"stderr", 2}}) {
        const std::string bytes =
            streamBytes(tx, id, stream, 0, static_cast<long long>(protocol::kMaxScriptOutputBytes));
        // Text for people (invalid sequences become U+FFFD when the body is written); the exact bytes too
        // when they are not UTF-8.
        body[name] = bytes;
        if (!encoding::isValidUtf8(bytes))
            body[name + "_base64"] = encoding::base64Encode(bytes);
        body[name + "_truncated"] = result.value(name + "_truncated", false);
    }
    return ApiResponse::json(std::move(body));
}

// Live output: what arrived past the offsets the caller already has, as base64, and whether more can come.
ApiResponse getOutput(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "command");
    const AccessScope scope = ctx.require(ScriptsRead);
    const auto offsetOf = [&](const std::string& name) {
        const auto text = ctx.query(name).value_or("0");
        if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
            throw ApiError::badRequest(name + " must be a byte offset");
        return std::stoll(text);
    };
    const long long stdoutOffset = offsetOf("stdout_offset");
    const long long stderrOffset = offsetOf("stderr_offset");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const auto rows = tx.sql().exec_params(
        "SELECT c.status, c.exit_code, c.error, c.output::text FROM device_commands c WHERE c.id = $1 AND "
        "c.command_type = 'run_script' AND " +
            scope.sqlSite("c.partner_id", "c.org_id", "c.site_id"),
        id);
    if (rows.empty())
        throw ApiError::notFound("command");
    const std::string status = rows[0][0].as<std::string>();
    const bool final = status != "pending" && status != "sent" && status != "running";
    const nlohmann::json result =
        rows[0][3].is_null() ? nlohmann::json::object() : nlohmann::json::parse(rows[0][3].as<std::string>());
    nlohmann::json body{
        {"command_id", id},
        {"status", status},
        {"final", final},
        {"exit_code", rows[0][1].is_null() ? nlohmann::json() : nlohmann::json(rows[0][1].as<int>())},
        {"error", rows[0][2].is_null() ? "" : rows[0][2].as<std::string>()}};
    constexpr long long kPage = 512 * 1024;
    for (const auto& [name, stream, offset] :
         {std::tuple<std::string, int, long long>{"stdout", 1, stdoutOffset}, {"stderr", 2, stderrOffset}}) {
        const std::string bytes = streamBytes(tx, id, stream, offset, kPage);
        body[name] = encoding::base64Encode(bytes);
        body[name + "_offset"] = offset + static_cast<long long>(bytes.size());
        body[name + "_truncated"] = result.value(name + "_truncated", false);
    }
    // Final with everything delivered: the caller can stop asking once the offsets reach the stored sizes.
    body["complete"] = final && body["stdout_offset"].get<long long>() >= result.value("stdout_bytes", 0LL) &&
                       body["stderr_offset"].get<long long>() >= result.value("stderr_bytes", 0LL);
    return ApiResponse::json(std::move(body));
}

ApiResponse cancelRun(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script run");
    const AccessScope scope = ctx.require(CommandsCancel);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const AccessScope readScope = ctx.principal().scopeFor(ScriptsRead);
    if (tx.sql()
            .exec_params("SELECT 1 FROM script_runs r WHERE r.id = $1 AND " + runScopeSql(readScope), id)
            .empty())
        throw ApiError::notFound("script run");
    const auto cancelled = tx.sql().exec_params(
        "UPDATE device_commands c SET status = 'cancelled', cancel_requested = (c.status <> 'pending'), "
        "finished_at = now(), updated_at = now(), error = 'cancelled by ' || $2, args = c.args - "
        "'sealed_environment' WHERE c.run_id = $1 AND c.status IN ('pending', 'sent', 'running') AND " +
            scope.sqlSite("c.partner_id", "c.org_id", "c.site_id") +
            " RETURNING c.device_id, c.id, cancel_requested",
        id, ctx.principal().label);
    AuditEvent event = ctx.auditEvent("script_runs.cancel", "script_run", id);
    event.details = {{"cancelled", cancelled.size()}};
    ctx.audit(tx, event);
    tx.commit();
    if (ctx.server.agents)
        for (const auto& row : cancelled)
            if (row[2].as<bool>())
                ctx.server.agents->cancelRequested(row[0].as<std::string>(), row[1].as<std::string>());
    return ApiResponse::json({{"cancelled", cancelled.size()}});
}
} // namespace

void registerScriptRunRoutes(Router& router) {
    router.add({"POST", "/api/v1/scripts/{id}/runs", "scripts.run", RouteAccess::Authenticated, createRun});
    router.add({"GET", "/api/v1/script-runs", "", RouteAccess::Authenticated, listRuns});
    router.add({"GET", "/api/v1/script-runs/{id}", "", RouteAccess::Authenticated, getRun});
    router.add({"POST", "/api/v1/script-runs/{id}/cancel", "script_runs.cancel", RouteAccess::Authenticated,
                cancelRun});
    router.add({"GET", "/api/v1/script-executions", "", RouteAccess::Authenticated, listExecutions});
    router.add({"GET", "/api/v1/script-executions/{id}", "", RouteAccess::Authenticated, getExecution});
    router.add({"GET", "/api/v1/commands/{id}/output", "", RouteAccess::Authenticated, getOutput});
}

} // namespace breeze::server
