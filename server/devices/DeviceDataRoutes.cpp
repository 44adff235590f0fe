#include "devices/DeviceDataRoutes.h"

#include "devices/DeviceAccess.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"

namespace breeze::server {

namespace {
using namespace permissions;

// Newest first: the sort key counts down as ids count up, and sorts as text.
std::string newestFirst(const std::string& idColumn) {
    return "lpad((9223372036854775807 - " + idColumn + ")::text, 19, '0')";
}

ApiResponse getInventory(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(DevicesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, id, DevicesRead);
    const auto rows = tx.sql().exec_params(
        "SELECT section, data::text, collected_at::text, updated_at::text FROM device_inventory "
        "WHERE device_id = $1 AND org_id = $2 ORDER BY section",
        id, device.orgId);
    nlohmann::json sections = nlohmann::json::object();
    for (const auto& row : rows)
        sections[row[0].as<std::string>()] = {{"data", nlohmann::json::parse(row[1].as<std::string>())},
                                              {"collected_at", row[2].as<std::string>()},
                                              {"updated_at", row[3].as<std::string>()}};
    return ApiResponse::json({{"device_id", id}, {"sections", sections}});
}

ApiResponse getSoftware(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(DevicesRead);
    const std::string search = ctx.query("q").value_or("").substr(0, 200);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, id, DevicesRead);
    const auto rows = tx.sql().exec_params(
        "SELECT coalesce(json_agg(item ORDER BY lower(item->>'name'), item->>'arch'), '[]')::text, "
        "max(i.collected_at)::text FROM device_inventory i, jsonb_array_elements(i.data) AS item "
        "WHERE i.device_id = $1 AND i.org_id = $3 AND i.section = 'software' "
        "AND ($2 = '' OR strpos(lower(item->>'name'), lower($2)) > 0)",
        id, search, device.orgId);
    nlohmann::json items = nlohmann::json::parse(rows[0][0].as<std::string>());
    return ApiResponse::json(
        {{"device_id", id},
         {"collected_at",
          rows[0][1].is_null() ? nlohmann::json(nullptr) : nlohmann::json(rows[0][1].as<std::string>())},
         {"count", items.size()},
         {"items", std::move(items)}});
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
    SqlParams params;
    std::string sql = "SELECT json_build_object('id', l.id, 'at', l.at, " + fields + ")::text, " +
                      newestFirst("l.id") + " FROM " + table + " l WHERE l.device_id = " + params.add(id) +
                      "::uuid AND l.org_id = " + params.add(device.orgId) + "::uuid";
    if (auto value = ctx.query(filter))
        sql += " AND l." + filter + " = " + params.add(value->substr(0, 32));
    sql += pagination.sqlAfter(params, newestFirst("l.id"), "l.id", "bigint") + " ORDER BY l.id DESC" +
           pagination.sqlLimit();
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
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
    pqxx::result rows;
    if (hours <= 24) {
        rows = tx.sql().exec_params(
            "SELECT coalesce(json_agg(json_build_object('at', sampled_at, 'cpu_percent', cpu_percent, "
            "'load1', load1, "
            "'memory_used', memory_used, 'memory_total', memory_total, 'swap_used', swap_used, "
            "'disk_used_percent', "
            "disk_used_percent, 'net_rx_bytes', net_rx_bytes, 'net_tx_bytes', net_tx_bytes, 'process_count', "
            "process_count) ORDER BY sampled_at), '[]')::text FROM device_metrics "
            "WHERE device_id = $1 AND org_id = $3 AND sampled_at >= now() - make_interval(hours => $2)",
            id, hours, device.orgId);
    } else {
        rows = tx.sql().exec_params(
            "SELECT coalesce(json_agg(json_build_object('at', hour, 'samples', samples, 'cpu_avg', cpu_avg, "
            "'cpu_max', "
            "cpu_max, 'load1_avg', load1_avg, 'memory_used_avg', memory_used_avg, 'memory_total', "
            "memory_total, "
            "'disk_used_percent_max', disk_used_percent_max, 'net_rx_bytes', net_rx_bytes, 'net_tx_bytes', "
            "net_tx_bytes) ORDER BY hour), '[]')::text FROM device_metrics_hourly "
            "WHERE device_id = $1 AND org_id = $3 AND hour >= now() - make_interval(hours => $2)",
            id, hours, device.orgId);
    }
    return ApiResponse::json({{"device_id", id},
                              {"range", range},
                              {"resolution", hours <= 24 ? "raw" : "hourly"},
                              {"points", nlohmann::json::parse(rows[0][0].as<std::string>())}});
}
} // namespace

void registerDeviceDataRoutes(Router& router) {
    router.add({"GET", "/api/v1/devices/{id}/inventory", "", RouteAccess::Authenticated, getInventory});
    router.add({"GET", "/api/v1/devices/{id}/inventory/changes", "", RouteAccess::Authenticated,
                listInventoryChanges});
    router.add({"GET", "/api/v1/devices/{id}/software", "", RouteAccess::Authenticated, getSoftware});
    router.add({"GET", "/api/v1/devices/{id}/metrics", "", RouteAccess::Authenticated, getMetrics});
    router.add({"GET", "/api/v1/devices/{id}/events", "", RouteAccess::Authenticated, listEvents});
}

} // namespace breeze::server
