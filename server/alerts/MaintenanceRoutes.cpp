#include "alerts/MaintenanceRoutes.h"

#include "alerts/AlertRuleStore.h"
#include "alerts/MaintenanceStore.h"
#include "db/ScopedTransaction.h"
#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "http/Router.h"

#include <pqxx/except>

namespace breeze::server {

namespace {
using namespace permissions;
constexpr long long kMostWindowsPerPartner = 10'000;

std::string windowScopeSql(const AccessScope& scope) {
    return scope.sqlOrg("w.partner_id", "w.org_id");
}

// A window on a site, or on a device of it, may be set by whoever manages alerts there; wider ones need the
// whole organisation.
bool mayManage(MaintenanceStore& windows, const AccessScope& scope, const std::string& orgId,
               const std::string& scopeName, const std::string& targetId) {
    if (scopeName == "site")
        return scope.allowsSite(orgId, targetId);
    if (scopeName == "device")
        if (const auto site = windows.siteOfDevice(targetId))
            return scope.allowsSite(orgId, *site);
    return scope.allowsWholeOrg(orgId);
}

ApiResponse listWindows(RequestContext& ctx) {
    const AccessScope scope = ctx.require(AlertsRead);
    const auto orgId = ctx.uuidQuery("org");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(MaintenanceStore(tx).list(windowScopeSql(scope), orgId));
}

ApiResponse createWindow(RequestContext& ctx) {
    auto fields = ctx.fields();
    MaintenanceStore::NewWindow window;
    window.scope = fields.requiredString("scope", 1, 16);
    window.targetId = fields.requiredUuid("target_id");
    window.startsAt = fields.requiredString("starts_at", 1, 64);
    window.endsAt = fields.requiredString("ends_at", 1, 64);
    window.repeat = fields.optionalString("repeat", 1, 16).value_or("none");
    window.reason = fields.optionalString("reason", 0, 500).value_or("");
    fields.finish();
    const auto level = levelNamed(window.scope);
    if (!level || *level == AssignmentLevel::Partner)
        throw ApiError::badRequest("scope must be org, site, group or device");
    if (window.repeat != "none" && window.repeat != "daily" && window.repeat != "weekly")
        throw ApiError::badRequest("repeat must be none, daily or weekly");
    for (const auto* time : {&window.startsAt, &window.endsAt})
        if (!(time->back() == 'Z' || time->find('+', 10) != std::string::npos ||
              time->find('-', 10) != std::string::npos))
            throw ApiError::badRequest(
                "starts_at and ends_at need their offset, such as 2026-12-31T22:00:00+01:00");
    const AccessScope scope = ctx.require(AlertsManage);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    bool found = false;
    const auto org = AlertRuleStore(tx).targetOrganisation(*level, window.targetId, found);
    if (!found || !org)
        throw ApiError::notFound(window.scope);
    MaintenanceStore windows(tx);
    if (!mayManage(windows, scope, *org, window.scope, window.targetId))
        throw ApiError::forbidden("this needs the alerts:manage permission where the window applies");
    if (windows.count(scope.partnerId()) >= kMostWindowsPerPartner)
        throw ApiError::conflict("at most 10000 current maintenance windows per partner; delete some first");
    window.partnerId = scope.partnerId();
    window.orgId = *org;
    AuditEvent event = ctx.auditEvent("maintenance_windows.create", "maintenance_window", "");
    window.createdBy = event.actorLabel;
    nlohmann::json created;
    try {
        created = windows.insert(window);
    } catch (const pqxx::data_exception&) {
        throw ApiError::badRequest("starts_at and ends_at must be times such as 2026-12-31T22:00:00+01:00");
    } catch (const pqxx::check_violation&) {
        throw ApiError::badRequest(
            "a window has real times, ends after it starts, and a repeating one is shorter than its period");
    }
    event.resourceId = created["id"];
    event.orgId = *org;
    event.details = {
        {"scope", window.scope},         {"target_id", window.targetId}, {"starts_at", created["starts_at"]},
        {"ends_at", created["ends_at"]}, {"repeat", window.repeat},      {"reason", window.reason}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(std::move(created), 201);
}

ApiResponse deleteWindow(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "maintenance window");
    const AccessScope readScope = ctx.require(AlertsRead);
    const AccessScope scope = ctx.require(AlertsManage);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    MaintenanceStore windows(tx);
    const auto window = windows.find(id, windowScopeSql(readScope));
    if (!window)
        throw ApiError::notFound("maintenance window");
    if (!mayManage(windows, scope, (*window)["org_id"], (*window)["scope"], (*window)["target_id"]))
        throw ApiError::forbidden("this needs the alerts:manage permission where the window applies");
    windows.remove(id);
    AuditEvent event = ctx.auditEvent("maintenance_windows.delete", "maintenance_window", id);
    event.orgId = (*window)["org_id"].get<std::string>();
    event.details = *window;
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}
} // namespace

void registerMaintenanceRoutes(Router& router) {
    router.add({HttpMethod::Get, "/api/v1/maintenance-windows", "", RouteAccess::Authenticated, listWindows});
    router.add({HttpMethod::Post, "/api/v1/maintenance-windows", "maintenance_windows.create",
                RouteAccess::Authenticated, createWindow});
    router.add({HttpMethod::Delete, "/api/v1/maintenance-windows/{id}", "maintenance_windows.delete",
                RouteAccess::Authenticated, deleteWindow});
}

} // namespace breeze::server
