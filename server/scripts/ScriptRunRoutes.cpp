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
#include "scripts/ScriptRunStore.h"
#include "tenancy/TenantLookup.h"
#include "units/Units.h"

#include <algorithm>
#include <set>

namespace breeze::server {

namespace {
using namespace permissions;

constexpr std::size_t kMaxTargets = 10'000;

const std::set<std::string>& commandStatuses() {
    static const std::set<std::string> statuses{"pending", "sent",      "running",  "completed",
                                                "failed",  "timed_out", "cancelled"};
    return statuses;
}

struct Target {
    std::string id;
    std::string orgId;
    std::string hostname;
};

// Why a device cannot run this version, or "" when it can.
std::string refusal(const ScriptRunStore::Candidate& device, const ScriptRef& script,
                    const ScriptRunStore::Version& version) {
    if (device.revoked)
        return "the device has been revoked";
    if (device.approval != "approved")
        return "the device is waiting for approval";
    if (script.orgId && *script.orgId != device.orgId)
        return "the script belongs to another organisation";
    const std::string& platform = device.platform;
    if (!platform.empty() && std::find(version.os.begin(), version.os.end(), platform) == version.os.end()) {
        std::string list;
        for (const auto& os : version.os)
            list += (list.empty() ? "" : ", ") + os;
        return "the script is for " + list + "; this device runs " + platform;
    }
    // Capabilities come with the agent's hello; a device never seen since enrollment is given the benefit of
    // the doubt (its agent refuses with the reason if it has no interpreter).
    const auto& capabilities = device.capabilities;
    if (!capabilities.empty() && std::find(capabilities.begin(), capabilities.end(),
                                           "script." + version.language) == capabilities.end())
        return "this device has no interpreter for " + version.language +
               " scripts (or its agent is too old to run scripts)";
    return "";
}

} // namespace

ApiResponse startScriptRun(RequestContext& ctx) {
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
    ScriptRunStore runs(tx);
    // Every value is checked before anything is queued: a bad one stops the whole run, naming the parameter.
    const auto [version, parameters] = requireRunVersion(runs, script, versionNumber, values);

    aim.resolve(ctx, tx, ScriptsExecute);
    const nlohmann::json& targets = aim.targets;
    const auto devices = runs.candidates(aim, deviceScopeSql(scope));
    if (aim.listed > 0 && devices.size() != aim.listed)
        throw ApiError::notFound(std::to_string(aim.listed - devices.size()) + " of the devices");
    if (devices.size() > kMaxTargets)
        throw ApiError::badRequest("a run reaches at most " + std::to_string(kMaxTargets) + " devices");

    std::vector<Target> accepted;
    nlohmann::json refused = nlohmann::json::array();
    std::set<std::string> orgs;
    for (const auto& device : devices) {
        Target target{device.id, device.orgId, device.hostname};
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
    acceptedIds.reserve(accepted.size());
    for (const auto& target : accepted)
        acceptedIds.push_back(target.id);
    const ScriptRunStore::NewRun newRun{
        scope.partnerId(),   runOrg,   scriptId, version.id,
        parameters.redacted, targets,  refused,  static_cast<long long>(accepted.size()),
        event.actorLabel,    requester};
    const std::string runId = runs.insertRun(newRun);
    auto commandOf = runs.insertExecutions(
        acceptedIds, args, timeoutOverride.value_or(version.timeoutSeconds), expiresIn, newRun, runId);

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
    const auto run = runs.fetchRun(runId);
    tx.commit();
    if (ctx.server.agents)
        for (const auto& target : accepted)
            ctx.server.agents->commandsQueued(target.id);
    return ApiResponse::json({{"run", run}, {"executions", items}, {"refused", refused}}, 201);
}

namespace {

std::string runScopeSql(const AccessScope& scope) {
    return "(r.partner_id = '" + scope.partnerId() + "'::uuid AND " +
           (scope.isWholePartner() ? std::string("true")
                                   : "r.org_id IS NOT NULL AND " + scope.sqlOrg("r.partner_id", "r.org_id")) +
           ")";
}

ApiResponse listRuns(RequestContext& ctx) {
    const AccessScope scope = ctx.require(ScriptsRead);
    Pagination pagination(ctx);
    const auto scriptId = ctx.uuidQuery("script");
    const auto userId = ctx.uuidQuery("user");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(ScriptRunStore(tx).listRuns(scriptId, userId, pagination, runScopeSql(scope)));
}

ApiResponse getRun(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script run");
    const AccessScope scope = ctx.require(ScriptsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    auto run = ScriptRunStore(tx).run(id, runScopeSql(scope));
    if (!run)
        throw ApiError::notFound("script run");
    return ApiResponse::json(std::move(*run));
}

std::string executionScopeSql(const AccessScope& scope) {
    return "c.script_id IS NOT NULL AND " + scope.sqlSite("c.partner_id", "c.org_id", "c.site_id");
}

ApiResponse listExecutions(RequestContext& ctx) {
    const AccessScope scope = ctx.require(ScriptsRead);
    Pagination pagination(ctx);
    ScriptRunStore::ExecutionFilter filter{
        ctx.uuidQuery("device"), ctx.uuidQuery("script"), ctx.uuidQuery("run"), ctx.uuidQuery("user"),
        ctx.uuidQuery("org"),    ctx.uuidQuery("site"),   ctx.query("status"),  std::nullopt};
    if (filter.status && !commandStatuses().contains(*filter.status))
        throw ApiError::badRequest(
            "status must be pending, sent, running, completed, failed, timed_out or cancelled");
    if (const auto hours = ctx.query("within_hours")) {
        if (hours->empty() || hours->size() > 4 ||
            hours->find_first_not_of("0123456789") != std::string::npos || std::stoi(*hours) < 1 ||
            std::stoi(*hours) > 8760)
            throw ApiError::badRequest("within_hours must be a number of hours from 1 to 8760");
        filter.withinHours = std::stoi(*hours);
    }
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(ScriptRunStore(tx).listExecutions(filter, pagination, executionScopeSql(scope)));
}

ApiResponse getExecution(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script execution");
    const AccessScope scope = ctx.require(ScriptsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    ScriptRunStore runs(tx);
    auto found = runs.execution(id, executionScopeSql(scope));
    if (!found)
        throw ApiError::notFound("script execution");
    auto body = std::move(*found);
    const nlohmann::json result = body["result"].is_object() ? body["result"] : nlohmann::json::object();
    for (const auto& [name, stream] : {std::pair<std::string, int>{"stdout", 1}, {"stderr", 2}}) {
        const std::string bytes =
            runs.streamBytes(id, stream, 0, static_cast<long long>(protocol::kMaxScriptOutputBytes));
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
    ScriptRunStore runs(tx);
    const auto state = runs.outputState(id, scope.sqlSite("c.partner_id", "c.org_id", "c.site_id"));
    if (!state)
        throw ApiError::notFound("command");
    const std::string& status = state->status;
    const bool final = status != "pending" && status != "sent" && status != "running";
    const nlohmann::json& result = state->result;
    nlohmann::json body{{"command_id", id},
                        {"status", status},
                        {"final", final},
                        {"exit_code", state->exitCode ? nlohmann::json(*state->exitCode) : nlohmann::json()},
                        {"error", state->error}};
    constexpr long long kPage = 512 * kKiB;
    for (const auto& [name, stream, offset] :
         {std::tuple<std::string, int, long long>{"stdout", 1, stdoutOffset}, {"stderr", 2, stderrOffset}}) {
        const std::string bytes = runs.streamBytes(id, stream, offset, kPage);
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
    ScriptRunStore runs(tx);
    if (!runs.runVisible(id, runScopeSql(readScope)))
        throw ApiError::notFound("script run");
    const auto cancelled =
        runs.cancelRun(id, ctx.principal().label, scope.sqlSite("c.partner_id", "c.org_id", "c.site_id"));
    AuditEvent event = ctx.auditEvent("script_runs.cancel", "script_run", id);
    event.details = {{"cancelled", cancelled.size()}};
    ctx.audit(tx, event);
    tx.commit();
    if (ctx.server.agents)
        for (const auto& command : cancelled)
            if (command.reachedAgent)
                ctx.server.agents->cancelRequested(command.deviceId, command.commandId);
    return ApiResponse::json({{"cancelled", cancelled.size()}});
}
} // namespace

void registerScriptRunRoutes(Router& router) {
    router.add({HttpMethod::Post, "/api/v1/scripts/{id}/runs", "scripts.run", RouteAccess::Authenticated,
                startScriptRun});
    router.add({HttpMethod::Get, "/api/v1/script-runs", "", RouteAccess::Authenticated, listRuns});
    router.add({HttpMethod::Get, "/api/v1/script-runs/{id}", "", RouteAccess::Authenticated, getRun});
    router.add({HttpMethod::Post, "/api/v1/script-runs/{id}/cancel", "script_runs.cancel",
                RouteAccess::Authenticated, cancelRun});
    router.add(
        {HttpMethod::Get, "/api/v1/script-executions", "", RouteAccess::Authenticated, listExecutions});
    router.add(
        {HttpMethod::Get, "/api/v1/script-executions/{id}", "", RouteAccess::Authenticated, getExecution});
    router.add({HttpMethod::Get, "/api/v1/commands/{id}/output", "", RouteAccess::Authenticated, getOutput});
}

} // namespace breeze::server
