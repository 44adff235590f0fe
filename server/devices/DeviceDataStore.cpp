#include "devices/DeviceDataStore.h"

#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "http/Pagination.h"

#include <algorithm>
#include <pqxx/pqxx>

namespace breeze::server {

namespace {
// Newest first: the sort key counts down as ids count up, and sorts as text.
std::string newestFirst(const std::string& idColumn) {
    return "lpad((9223372036854775807 - " + idColumn + ")::text, 19, '0')";
}
} // namespace

nlohmann::json DeviceDataStore::inventory() {
    const auto rows =
        m_tx.sql().exec_params("SELECT section, data::text AS data, collected_at::text AS collected_at, "
                               "updated_at::text AS updated_at "
                               "FROM device_inventory WHERE device_id = $1 AND org_id = $2 ORDER BY section",
                               m_deviceId, m_orgId);
    nlohmann::json sections = nlohmann::json::object();
    for (const auto& row : rows)
        sections[row["section"].as<std::string>()] = {
            {"data", nlohmann::json::parse(row["data"].as<std::string>())},
            {"collected_at", row["collected_at"].as<std::string>()},
            {"updated_at", row["updated_at"].as<std::string>()}};
    return sections;
}

DeviceDataStore::SectionItems DeviceDataStore::monitors() {
    const auto row =
        m_tx.sql().exec_params1("SELECT coalesce(json_agg(item ORDER BY item->>'display', "
                                "(item->>'x')::bigint, (item->>'y')::bigint) FILTER (WHERE item "
                                "IS NOT NULL), '[]')::text AS items, max(i.collected_at)::text AS "
                                "collected_at FROM device_inventory i LEFT JOIN LATERAL "
                                "jsonb_array_elements(i.data) AS item ON true WHERE i.device_id "
                                "= $1 AND i.org_id = $2 AND i.section = "
                                "'monitors'",
                                m_deviceId, m_orgId);
    SectionItems monitors{nlohmann::json::parse(row["items"].as<std::string>()), std::nullopt};
    if (!row["collected_at"].is_null())
        monitors.collectedAt = row["collected_at"].as<std::string>();
    return monitors;
}

DeviceDataStore::SectionItems DeviceDataStore::software(const std::string& search) {
    const auto row = m_tx.sql().exec_params1(
        "SELECT coalesce(json_agg(item ORDER BY lower(item->>'name'), item->>'arch'), '[]')::text AS items, "
        "max(i.collected_at)::text AS collected_at FROM device_inventory i, jsonb_array_elements(i.data) AS "
        "item WHERE i.device_id = $1 AND i.org_id = $3 AND i.section = 'software' "
        "AND ($2 = '' OR strpos(lower(item->>'name'), lower($2)) > 0)",
        m_deviceId, search, m_orgId);
    SectionItems software{nlohmann::json::parse(row["items"].as<std::string>()), std::nullopt};
    if (!row["collected_at"].is_null())
        software.collectedAt = row["collected_at"].as<std::string>();
    return software;
}

nlohmann::json DeviceDataStore::log(const std::string& table, const std::string& fields,
                                    const std::string& filterColumn,
                                    const std::optional<std::string>& filterValue,
                                    const Pagination& pagination) {
    SqlParams params;
    std::string sql = "SELECT json_build_object('id', l.id, 'at', l.at, " + fields + ")::text AS item, " +
                      newestFirst("l.id") + " AS sort_key FROM " + table +
                      " l WHERE l.device_id = " + params.add(m_deviceId) +
                      "::uuid AND l.org_id = " + params.add(m_orgId) + "::uuid";
    if (filterValue)
        sql += " AND l." + filterColumn + " = " + params.add(filterValue->substr(0, 32));
    sql += pagination.sqlAfter(params, newestFirst("l.id"), "l.id", "bigint") + " ORDER BY l.id DESC" +
           pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

nlohmann::json DeviceDataStore::metrics(int hours) {
    const auto row =
        hours <= 24
            ? m_tx.sql().exec_params1(
                  "SELECT coalesce(json_agg(json_build_object('at', sampled_at, 'cpu_percent', cpu_percent, "
                  "'load1', load1, 'memory_used', memory_used, 'memory_total', memory_total, 'swap_used', "
                  "swap_used, 'disk_used_percent', disk_used_percent, 'net_rx_bytes', net_rx_bytes, "
                  "'net_tx_bytes', net_tx_bytes, 'process_count', process_count) ORDER BY sampled_at), "
                  "'[]')::text AS points FROM device_metrics WHERE device_id = $1 AND org_id = $3 AND "
                  "sampled_at "
                  ">= now() - make_interval(hours => $2)",
                  m_deviceId, hours, m_orgId)
            : m_tx.sql().exec_params1(
                  "SELECT coalesce(json_agg(json_build_object('at', hour, 'samples', samples, 'cpu_avg', "
                  "cpu_avg, 'cpu_max', cpu_max, 'load1_avg', load1_avg, 'memory_used_avg', memory_used_avg, "
                  "'memory_total', memory_total, 'disk_used_percent_max', disk_used_percent_max, "
                  "'net_rx_bytes', net_rx_bytes, 'net_tx_bytes', net_tx_bytes) ORDER BY hour), '[]')::text "
                  "AS "
                  "points FROM device_metrics_hourly WHERE device_id = $1 AND org_id = $3 AND hour >= now() "
                  "- "
                  "make_interval(hours => $2)",
                  m_deviceId, hours, m_orgId);
    return nlohmann::json::parse(row["points"].as<std::string>());
}

} // namespace breeze::server
