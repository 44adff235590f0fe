#include "alerts/AlertRoutes.h"

#include "alerts/AlertStore.h"
#include "db/ScopedTransaction.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/Router.h"

namespace breeze::server {

namespace {
using namespace permissions;

std::string alertScopeSql(const AccessScope& scope) {
    return scope.sqlSite("a.partner_id", "a.org_id", "a.site_id");
}

std::optional<std::string> oneOf(const RequestContext& ctx, const char* name,
                                 std::initializer_list<const char*> allowed, const char* message) {
    auto value = ctx.query(name);
    if (!value)
        return value;
    for (const char* option : allowed)
        if (*value == option)
            return value;
    throw ApiError::badRequest(message);
}

ApiResponse listAlerts(RequestContext& ctx) {
    const AccessScope scope = ctx.require(AlertsRead);
    Pagination pagination(ctx);
    AlertStore::Filter filter;
    filter.state = oneOf(ctx, "state", {"open", "active", "acknowledged", "resolved"},
                         "state must be open, active, acknowledged or resolved");
    filter.severity =
        oneOf(ctx, "severity", {"info", "warning", "critical"}, "severity must be info, warning or critical");
    filter.deviceId = ctx.uuidQuery("device");
    filter.ruleId = ctx.uuidQuery("rule");
    filter.orgId = ctx.uuidQuery("org");
    filter.siteId = ctx.uuidQuery("site");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(AlertStore(tx).list(filter, pagination, alertScopeSql(scope)));
}

ApiResponse alertSummary(RequestContext& ctx) {
    const AccessScope scope = ctx.require(AlertsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(AlertStore(tx).summary(alertScopeSql(scope)));
}

ApiResponse getAlert(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "alert");
    const AccessScope scope = ctx.require(AlertsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    auto alert = AlertStore(tx).find(id, alertScopeSql(scope));
    if (!alert)
        throw ApiError::notFound("alert");
    return ApiResponse::json(std::move(*alert));
}

// Acknowledge and resolve share their checks: visible with alerts:read, changed with alerts:acknowledge where
// the alert is.
template <typename Change> ApiResponse changeAlert(RequestContext& ctx, const char* action, Change change) {
    const std::string id = ctx.pathId("id", "alert");
    const AccessScope readScope = ctx.require(AlertsRead);
    const AccessScope scope = ctx.require(AlertsAcknowledge);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    AlertStore alerts(tx);
    const auto alert = alerts.find(id, alertScopeSql(readScope));
    if (!alert)
        throw ApiError::notFound("alert");
    if (!scope.allowsSite((*alert)["org_id"], (*alert)["site_id"]))
        throw ApiError::forbidden("this needs the alerts:acknowledge permission where the alert is");
    AuditEvent event = ctx.auditEvent(action, "alert", id);
    change(alerts, *alert, event);
    event.orgId = (*alert)["org_id"].get<std::string>();
    ctx.audit(tx, event);
    auto changed = *alerts.find(id, alertScopeSql(readScope));
    tx.commit();
    return ApiResponse::json(std::move(changed));
}

ApiResponse acknowledgeAlert(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string note = fields.optionalString("note", 0, 2000).value_or("");
    fields.finish();
    return changeAlert(ctx, "alerts.acknowledge",
                       [&note](AlertStore& alerts, const nlohmann::json& alert, AuditEvent& event) {
                           if (!alerts.acknowledge(alert["id"], event.actorLabel, note))
                               throw ApiError::conflict("the alert is " + alert["state"].get<std::string>() +
                                                        "; only an active alert can be acknowledged");
                           event.details = {{"title", alert["title"]}, {"note", note}};
                       });
}

ApiResponse resolveAlert(RequestContext& ctx) {
    return changeAlert(ctx, "alerts.resolve",
                       [](AlertStore& alerts, const nlohmann::json& alert, AuditEvent& event) {
                           if (!alerts.resolveByHand(alert["id"], event.actorLabel))
                               throw ApiError::conflict("the alert is already resolved");
                           event.details = {{"title", alert["title"]}};
                       });
}
} // namespace

void registerAlertRoutes(Router& router) {
    router.add({HttpMethod::Get, "/api/v1/alerts", "", RouteAccess::Authenticated, listAlerts});
    router.add({HttpMethod::Get, "/api/v1/alerts/summary", "", RouteAccess::Authenticated, alertSummary});
    router.add({HttpMethod::Get, "/api/v1/alerts/{id}", "", RouteAccess::Authenticated, getAlert});
    router.add({HttpMethod::Post, "/api/v1/alerts/{id}/acknowledge", "alerts.acknowledge",
                RouteAccess::Authenticated, acknowledgeAlert});
    router.add({HttpMethod::Post, "/api/v1/alerts/{id}/resolve", "alerts.resolve", RouteAccess::Authenticated,
                resolveAlert});
}

} // namespace breeze::server
