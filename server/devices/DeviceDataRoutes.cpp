#include "devices/DeviceDataRoutes.h"

#include "devices/DeviceAccess.h"
#include "devices/DeviceDataStore.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"

namespace breeze::server {

namespace {
using namespace permissions;

ApiResponse getInventory(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(DevicesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, id, DevicesRead);
    return ApiResponse::json(
        {{"device_id", id}, {"sections", DeviceDataStore(tx, id, device.orgId).inventory()}});
}

// The monitors a remote desktop of the device would show, as its last inventory found them (an empty list
// with a time: nobody was logged in to a graphical session then; no time: not reported yet).
ApiResponse getMonitors(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(DevicesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, id, DevicesRead);
    auto monitors = DeviceDataStore(tx, id, device.orgId).monitors();
    return ApiResponse::json({{"device_id", id},
                              {"collected_at", monitors.collectedAt ? nlohmann::json(*monitors.collectedAt)
                                                                    : nlohmann::json(nullptr)},
                              {"items", std::move(monitors.items)}});
}

ApiResponse getSoftware(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(DevicesRead);
    const std::string search = ctx.query("q").value_or("").substr(0, 200);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, id, DevicesRead);
    auto software = DeviceDataStore(tx, id, device.orgId).software(search);
    const auto count = software.items.size();
    return ApiResponse::json({{"device_id", id},
                              {"collected_at", software.collectedAt ? nlohmann::json(*software.collectedAt)
                                                                    : nlohmann::json(nullptr)},
                              {"count", count},
                              {"items", std::move(software.items)}});
}

// A device's log (events, inventory changes), newest first, optionally filtered on one column by a query
// parameter of the same name.
ApiResponse listDeviceLog(RequestContext& ctx, const std::string& table, const std::string& fields,
                          const std::string& filter) {
    const std::string id = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(DevicesRead);
    Pagination pagination(ctx);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, id, DevicesRead);
    return ApiResponse::json(
        DeviceDataStore(tx, id, device.orgId).log(table, fields, filter, ctx.query(filter), pagination));
}

ApiResponse listInventoryChanges(RequestContext& ctx) {
    return listDeviceLog(
        ctx, "device_inventory_changes",
        "'section', l.section, 'change', l.change, 'item_key', l.item_key, 'before', l.before, "
        "'after', l.after",
        "section");
}

ApiResponse listEvents(RequestContext& ctx) {
    return listDeviceLog(ctx, "device_events", "'kind', l.kind, 'detail', l.detail", "kind");
}

// 1h and 24h come from raw samples, 7d and 30d from the hourly rollups (what charts need at each zoom).
ApiResponse getMetrics(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(DevicesRead);
    const std::string range = ctx.query("range").value_or("1h");
    int hours = 0;
    if (range == "1h")
        hours = 1;
    else if (range == "24h")
        hours = 24;
    else if (range == "7d")
        hours = 24 * 7;
    else if (range == "30d")
        hours = 24 * 30;
    else
        throw ApiError::badRequest("range must be 1h, 24h, 7d or 30d");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, id, DevicesRead);
    return ApiResponse::json({{"device_id", id},
                              {"range", range},
                              {"resolution", hours <= 24 ? "raw" : "hourly"},
                              {"points", DeviceDataStore(tx, id, device.orgId).metrics(hours)}});
}
} // namespace

void registerDeviceDataRoutes(Router& router) {
    router.add(
        {HttpMethod::Get, "/api/v1/devices/{id}/inventory", "", RouteAccess::Authenticated, getInventory});
    router.add({HttpMethod::Get, "/api/v1/devices/{id}/inventory/changes", "", RouteAccess::Authenticated,
                listInventoryChanges});
    router.add(
        {HttpMethod::Get, "/api/v1/devices/{id}/software", "", RouteAccess::Authenticated, getSoftware});
    router.add(
        {HttpMethod::Get, "/api/v1/devices/{id}/monitors", "", RouteAccess::Authenticated, getMonitors});
    router.add({HttpMethod::Get, "/api/v1/devices/{id}/metrics", "", RouteAccess::Authenticated, getMetrics});
    router.add({HttpMethod::Get, "/api/v1/devices/{id}/events", "", RouteAccess::Authenticated, listEvents});
}

} // namespace breeze::server
