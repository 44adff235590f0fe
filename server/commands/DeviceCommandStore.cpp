#include "commands/DeviceCommandStore.h"

#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "http/Pagination.h"
#include "http/ResultJson.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kCommandJson =
    "json_build_object('id', c.id, 'device_id', c.device_id, 'org_id', c.org_id, 'site_id', c.site_id, "
    "'type', c.command_type, 'args', c.args - 'sealed_environment', 'status', c.status, 'timeout_seconds', "
    "c.timeout_seconds, 'expires_at', c.expires_at, 'requested_by', c.requested_by, 'cancel_requested', "
    "c.cancel_requested, 'created_at', c.created_at, 'sent_at', c.sent_at, 'started_at', c.started_at, "
    "'finished_at', c.finished_at, 'exit_code', c.exit_code, 'output', c.output, 'error', c.error, "
    "'deliveries', c.deliveries, 'script_id', c.script_id, 'script_name', (SELECT s.name FROM scripts s "
    "WHERE "
    "s.id = c.script_id), 'script_version', (SELECT v.version FROM script_versions v WHERE v.id = "
    "c.script_version_id))::text";

// Newest first: the key counts down as creation time counts up, and sorts as text.
constexpr const char* kNewestFirstKey =
    "lpad((9223372036854775807 - (extract(epoch FROM c.created_at) * 1000000)::bigint)::text, 19, '0')";
} // namespace

nlohmann::json DeviceCommandStore::fetch(const std::string& commandId) {
    return jsonRow(m_tx.sql().exec_params1(std::string("SELECT ") + kCommandJson +
                                               " AS item FROM device_commands c WHERE c.id = $1",
                                           commandId));
}

nlohmann::json DeviceCommandStore::list(const Filter& filter, const Pagination& pagination,
                                        const std::string& scopeSql) {
    SqlParams params;
    std::string sql = std::string("SELECT ") + kCommandJson + " AS item, " + kNewestFirstKey +
                      " AS sort_key" + " FROM device_commands c WHERE " + scopeSql;
    for (const auto& [value, column] :
         {std::pair{&filter.deviceId, "c.device_id"}, std::pair{&filter.orgId, "c.org_id"},
          std::pair{&filter.siteId, "c.site_id"}})
        if (*value)
            sql += std::string(" AND ") + column + " = " + params.add(**value) + "::uuid";
    if (filter.status)
        sql += " AND c.status = " + params.add(*filter.status);
    if (filter.type)
        sql += " AND c.command_type = " + params.add(filter.type->substr(0, 64));
    if (filter.listings == false)
        sql += " AND c.command_type NOT IN ('list_processes', 'list_services')";
    sql += pagination.sqlAfter(params, kNewestFirstKey, "c.id") + " ORDER BY " + kNewestFirstKey + ", c.id" +
           pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

std::optional<DeviceCommandStore::Place> DeviceCommandStore::place(const std::string& commandId,
                                                                   const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT c.device_id, c.org_id, c.site_id, c.status FROM device_commands c WHERE c.id = $1 AND " +
            scopeSql,
        commandId);
    if (rows.empty())
        return std::nullopt;
    const auto& row = rows[0];
    return Place{row["device_id"].as<std::string>(), row["org_id"].as<std::string>(),
                 row["site_id"].as<std::string>(), row["status"].as<std::string>()};
}

std::string DeviceCommandStore::lockStatus(const std::string& commandId, const std::string& orgId) {
    return m_tx.sql()
        .exec_params1("SELECT status FROM device_commands WHERE id = $1 AND org_id = $2 FOR UPDATE",
                      commandId, orgId)["status"]
        .as<std::string>();
}

void DeviceCommandStore::cancel(const std::string& commandId, const std::string& orgId, bool reachedAgent,
                                const std::string& by) {
    m_tx.sql().exec_params("UPDATE device_commands SET status = 'cancelled', cancel_requested = $3, "
                           "finished_at = now(), updated_at = now(), error = 'cancelled by ' || $4, "
                           "args = args - 'sealed_environment' WHERE id = $1 AND org_id = $2",
                           commandId, orgId, reachedAgent, by);
}

} // namespace breeze::server
