#include "schedules/ScheduleRoutes.h"

#include "db/ScopedTransaction.h"
#include "devices/DeviceAccess.h"
#include "devices/DeviceTargets.h"
#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "http/Router.h"
#include "protocol/MessageFields.h"
#include "protocol/ScriptParameters.h"
#include "schedules/ScheduleStore.h"
#include "scripts/ScriptAccess.h"
#include "scripts/ScriptRunStore.h"

#include <pqxx/except>
#include <set>

namespace breeze::server {

namespace {
using namespace permissions;

// A schedule is visible where a run of it would be: its organisation, or partner-wide scopes for one that
// spans organisations.
std::string scheduleScopeSql(const AccessScope& scope) {
    return "(s.partner_id = '" + scope.partnerId() + "'::uuid AND " +
           (scope.isWholePartner() ? std::string("true")
                                   : "s.org_id IS NOT NULL AND " + scope.sqlOrg("s.partner_id", "s.org_id")) +
           ")";
}

// The organisation the target lies in: a site's or group's, or the one all listed devices share (none when
// they span several, which only a partner-wide scope may schedule).
std::optional<std::string> targetOrganisation(ScheduleStore& schedules, ScriptRunStore& runs,
                                              const DeviceTargets& aim, const AccessScope& scope) {
    if (!aim.deviceIds)
        return schedules.organisationOf(aim.siteId, aim.groupId);
    const auto devices = runs.candidates(aim, deviceScopeSql(scope));
    if (devices.size() != aim.listed)
        throw ApiError::notFound(std::to_string(aim.listed - devices.size()) + " of the devices");
    std::set<std::string> orgs;
    for (const auto& device : devices)
        orgs.insert(device.orgId);
    if (orgs.size() == 1)
        return *orgs.begin();
    if (!scope.isWholePartner())
        throw ApiError::badRequest(
            "these devices are in several organisations; schedule the script for each");
    return std::nullopt;
}

// Whether `scope` reaches every device a schedule may run on: its site, or its whole organisation (a group or
// a list of devices), or the partner for one that spans organisations.
bool coversTarget(const AccessScope& scope, const nlohmann::json& schedule) {
    if (!schedule["org_id"].is_string())
        return scope.isWholePartner();
    const std::string org = schedule["org_id"];
    const auto& targets = schedule["targets"];
    if (targets.contains("site_id") && targets["site_id"].is_string())
        return scope.allowsSite(org, targets["site_id"]);
    return scope.allowsWholeOrg(org);
}

ApiResponse createSchedule(RequestContext& ctx) {
    const std::string scriptId = ctx.pathId("id", "script");
    auto fields = ctx.fields();
    const auto versionNumber = fields.optionalInteger("version", 1, 1'000'000'000);
    DeviceTargets aim;
    aim.deviceIds = fields.optionalUuidList("device_ids", 10'000);
    aim.siteId = fields.optionalUuid("site_id");
    aim.groupId = fields.optionalUuid("group_id");
    const nlohmann::json values = fields.optionalObject("parameters");
    const auto timeout = fields.optionalInteger("timeout_seconds", 1, 86400);
    const std::string runAt = fields.requiredString("run_at", 1, 64);
    const std::string repeat = fields.optionalString("repeat", 1, 16).value_or("once");
    const std::string zone = fields.requiredString("timezone", 1, 64);
    fields.finish();
    if (repeat != "once" && repeat != "daily" && repeat != "weekly")
        throw ApiError::badRequest("repeat must be once, daily or weekly");
    // Each run has the authority of the person who made the schedule, checked again when it runs.
    if (ctx.principal().kind != Principal::Kind::User)
        throw ApiError::forbidden("a schedule runs with a person's authority; an API key cannot make one");

    const AccessScope scope = ctx.require(ScriptsExecute);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const ScriptRef script = requireScript(ctx, tx, scriptId, ScriptUse::Read);
    ScriptRunStore runs(tx);
    const auto [version, parameters] = requireRunVersion(runs, script, versionNumber, values);
    aim.resolve(ctx, tx, ScriptsExecute);
    ScheduleStore schedules(tx);
    if (!schedules.timezoneKnown(zone))
        throw ApiError::badRequest("timezone must be an IANA time zone such as Europe/Berlin");
    const auto org = targetOrganisation(schedules, runs, aim, scope);
    if (schedules.count(scope.partnerId()) >= ScheduleStore::kMostPerPartner)
        throw ApiError::conflict("at most 1000 schedules per partner; delete some first");
    AuditEvent event = ctx.auditEvent("scripts.schedule", "script_schedule", "");
    nlohmann::json schedule;
    try {
        schedule = schedules.insert(
            {scope.partnerId(), org, scriptId, ctx.principal().id, event.actorLabel,
             // Pinned: a version's parameters never change, so a value sealed as a secret
             // is never replayed into a later version where the same name is plain.
             aim.targets, static_cast<long long>(version.number), timeout,
             ctx.server.sealer.seal(values.dump()), parameters.redacted, runAt, repeat, zone});
    } catch (const pqxx::data_exception&) {
        throw ApiError::badRequest("\"run_at\" must be a time such as 2026-12-31T22:00:00+01:00");
    }
    if (schedule["next_run_at"].is_null())
        throw ApiError::badRequest("\"run_at\" has passed; choose a time ahead, or a repetition");
    event.resourceId = schedule["id"];
    event.orgId = org;
    event.details = {{"script_id", scriptId},
                     {"script", script.name},
                     {"targets", aim.targets},
                     {"run_at", runAt},
                     {"repeat", repeat},
                     {"timezone", zone},
                     {"parameters", parameters.redacted}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(std::move(schedule), 201);
}

ApiResponse listSchedules(RequestContext& ctx) {
    const AccessScope scope = ctx.require(ScriptsRead);
    const auto scriptId = ctx.uuidQuery("script");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(ScheduleStore(tx).list(scriptId, scheduleScopeSql(scope)));
}

ApiResponse deleteSchedule(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script schedule");
    const AccessScope readScope = ctx.require(ScriptsRead);
    const AccessScope scope = ctx.require(ScriptsExecute);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    ScheduleStore schedules(tx);
    const auto schedule = schedules.find(id, scheduleScopeSql(readScope));
    if (!schedule)
        throw ApiError::notFound("script schedule");
    if (!coversTarget(scope, *schedule))
        throw ApiError::forbidden("this needs the scripts:execute permission everywhere the schedule runs");
    schedules.remove(id);
    AuditEvent event = ctx.auditEvent("script_schedules.delete", "script_schedule", id);
    event.orgId =
        (*schedule)["org_id"].is_string() ? std::optional<std::string>((*schedule)["org_id"]) : std::nullopt;
    event.details = {{"script", (*schedule)["script_name"]}, {"targets", (*schedule)["targets"]}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}
} // namespace

void registerScheduleRoutes(Router& router) {
    router.add({HttpMethod::Post, "/api/v1/scripts/{id}/schedules", "scripts.schedule",
                RouteAccess::Authenticated, createSchedule});
    router.add({HttpMethod::Get, "/api/v1/script-schedules", "", RouteAccess::Authenticated, listSchedules});
    router.add({HttpMethod::Delete, "/api/v1/script-schedules/{id}", "script_schedules.delete",
                RouteAccess::Authenticated, deleteSchedule});
}

} // namespace breeze::server
