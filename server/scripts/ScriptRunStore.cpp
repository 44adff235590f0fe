#include "scripts/ScriptRunStore.h"

#include "db/PgText.h"
#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "devices/DeviceTargets.h"
#include "http/Pagination.h"
#include "http/ResultJson.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
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

} // namespace

std::optional<ScriptRunStore::Version> ScriptRunStore::version(const std::string& scriptId, int number) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT id, version, language, array_to_string(os, ',') AS os, parameters::text AS parameters, "
        "timeout_seconds FROM script_versions WHERE script_id = $1 AND version = $2",
        scriptId, number);
    if (rows.empty())
        return std::nullopt;
    const auto& row = rows[0];
    return Version{row["id"].as<std::string>(),
                   row["version"].as<int>(),
                   row["language"].as<std::string>(),
                   splitCommaList(row["os"].as<std::string>()),
                   nlohmann::json::parse(row["parameters"].as<std::string>()),
                   row["timeout_seconds"].as<int>()};
}

std::vector<ScriptRunStore::Candidate> ScriptRunStore::candidates(const DeviceTargets& aim,
                                                                  const std::string& scopeSql) {
    const auto rows = aim.params.exec(
        m_tx.sql(),
        "SELECT d.id, d.org_id, d.site_id, d.hostname, d.approval, d.revoked_at IS NOT NULL AS revoked, "
        "d.platform, d.capabilities::text AS capabilities FROM devices d WHERE " +
            aim.where + " AND " + scopeSql + " ORDER BY d.hostname, d.id");
    std::vector<Candidate> found;
    for (const auto& row : rows)
        found.push_back({row["id"].as<std::string>(), row["org_id"].as<std::string>(),
                         row["site_id"].as<std::string>(), row["hostname"].as<std::string>(),
                         row["approval"].as<std::string>(), row["revoked"].as<bool>(),
                         row["platform"].is_null() ? std::string() : row["platform"].as<std::string>(),
                         nlohmann::json::parse(row["capabilities"].as<std::string>())});
    return found;
}

std::string ScriptRunStore::insertRun(const NewRun& run) {
    return m_tx.sql()
        .exec_params1(
            "INSERT INTO script_runs (partner_id, org_id, script_id, script_version_id, parameters, "
            "targets, device_count, refused, requested_by, requested_by_user) VALUES ($1, NULLIF($2, "
            "'')::uuid, $3, $4, $5::jsonb, $6::jsonb, $7, $8::jsonb, $9, NULLIF($10, '')::uuid) "
            "RETURNING id",
            run.partnerId, run.orgId.value_or(""), run.scriptId, run.versionId, run.parameters.dump(),
            run.targets.dump(), run.deviceCount, run.refused.dump(), run.requestedBy,
            run.requestedByUser)["id"]
        .as<std::string>();
}

std::map<std::string, std::string>
ScriptRunStore::insertExecutions(const std::vector<std::string>& deviceIds, const nlohmann::json& args,
                                 long long timeoutSeconds, long long expiresInSeconds, const NewRun& run,
                                 const std::string& runId) {
    const auto rows = m_tx.sql().exec_params(
        "INSERT INTO device_commands (partner_id, org_id, site_id, device_id, command_type, args, "
        "timeout_seconds, expires_at, requested_by, requested_by_user, script_id, script_version_id, run_id) "
        "SELECT d.partner_id, d.org_id, d.site_id, d.id, 'run_script', $2::jsonb, $3, now() + "
        "make_interval(secs => $4), $5, NULLIF($6, '')::uuid, $7, $8, $9 FROM devices d WHERE d.id = "
        "ANY($1::uuid[]) RETURNING id, device_id",
        uuidArrayLiteral(deviceIds), args.dump(), timeoutSeconds, expiresInSeconds, run.requestedBy,
        run.requestedByUser, run.scriptId, run.versionId, runId);
    std::map<std::string, std::string> commandOf;
    for (const auto& row : rows)
        commandOf[row["device_id"].as<std::string>()] = row["id"].as<std::string>();
    return commandOf;
}

nlohmann::json ScriptRunStore::fetchRun(const std::string& runId) {
    return jsonRow(m_tx.sql().exec_params1(
        std::string("SELECT ") + kRunJson + " AS item" + kRunFrom + " WHERE r.id = $1", runId));
}

std::optional<nlohmann::json> ScriptRunStore::run(const std::string& runId, const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params(std::string("SELECT ") + kRunJson + " AS item" + kRunFrom +
                                                 " WHERE r.id = $1 AND " + scopeSql,
                                             runId);
    if (rows.empty())
        return std::nullopt;
    return jsonRow(rows[0]);
}

bool ScriptRunStore::runVisible(const std::string& runId, const std::string& scopeSql) {
    return !m_tx.sql()
                .exec_params("SELECT 1 FROM script_runs r WHERE r.id = $1 AND " + scopeSql, runId)
                .empty();
}

nlohmann::json ScriptRunStore::listRuns(const std::optional<std::string>& scriptId,
                                        const std::optional<std::string>& userId,
                                        const Pagination& pagination, const std::string& scopeSql) {
    SqlParams params;
    std::string sql = std::string("SELECT ") + kRunJson + " AS item, " + kRunNewestFirstKey + " AS sort_key" +
                      kRunFrom + " WHERE " + scopeSql;
    if (scriptId)
        sql += " AND r.script_id = " + params.add(*scriptId) + "::uuid";
    if (userId)
        sql += " AND r.requested_by_user = " + params.add(*userId) + "::uuid";
    sql += pagination.sqlAfter(params, kRunNewestFirstKey, "r.id") + " ORDER BY " + kRunNewestFirstKey +
           ", r.id" + pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

nlohmann::json ScriptRunStore::listExecutions(const ExecutionFilter& filter, const Pagination& pagination,
                                              const std::string& scopeSql) {
    SqlParams params;
    std::string sql = std::string("SELECT ") + kExecutionJson + " AS item, " + kNewestFirstKey +
                      " AS sort_key" + kExecutionFrom + " WHERE " + scopeSql;
    for (const auto& [value, column] :
         {std::pair{&filter.deviceId, "c.device_id"}, std::pair{&filter.scriptId, "c.script_id"},
          std::pair{&filter.runId, "c.run_id"}, std::pair{&filter.userId, "c.requested_by_user"},
          std::pair{&filter.orgId, "c.org_id"}, std::pair{&filter.siteId, "c.site_id"}})
        if (*value)
            sql += std::string(" AND ") + column + " = " + params.add(**value) + "::uuid";
    if (filter.status)
        sql += " AND c.status = " + params.add(*filter.status);
    if (filter.withinHours)
        sql += " AND c.created_at >= now() - make_interval(hours => " + params.add(*filter.withinHours) +
               "::int)";
    sql += pagination.sqlAfter(params, kNewestFirstKey, "c.id") + " ORDER BY " + kNewestFirstKey + ", c.id" +
           pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

std::optional<nlohmann::json> ScriptRunStore::execution(const std::string& commandId,
                                                        const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params(std::string("SELECT ") + kExecutionJson + " AS item" +
                                                 kExecutionFrom + " WHERE c.id = $1 AND " + scopeSql,
                                             commandId);
    if (rows.empty())
        return std::nullopt;
    return jsonRow(rows[0]);
}

std::string ScriptRunStore::streamBytes(const std::string& commandId, int stream, long long offset,
                                        long long limit) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT byte_offset, data FROM command_output WHERE command_id = $1 AND stream = $2 AND "
        "byte_offset + length(data) > $3 AND byte_offset < $3 + $4 ORDER BY byte_offset",
        commandId, stream, offset, limit);
    std::string bytes;
    long long position = offset;
    for (const auto& row : rows) {
        const long long start = row["byte_offset"].as<long long>();
        if (start > position)
            break; // a gap: the chunk in between has not arrived yet
        const pqxx::binarystring data(row["data"]);
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

std::optional<ScriptRunStore::OutputState> ScriptRunStore::outputState(const std::string& commandId,
                                                                       const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params("SELECT c.status, c.exit_code, c.error, c.output::text AS "
                                             "output FROM device_commands c WHERE c.id = $1 "
                                             "AND c.command_type = 'run_script' AND " +
                                                 scopeSql,
                                             commandId);
    if (rows.empty())
        return std::nullopt;
    const auto& row = rows[0];
    OutputState state;
    state.status = row["status"].as<std::string>();
    if (!row["exit_code"].is_null())
        state.exitCode = row["exit_code"].as<int>();
    state.error = row["error"].is_null() ? std::string() : row["error"].as<std::string>();
    if (!row["output"].is_null())
        state.result = nlohmann::json::parse(row["output"].as<std::string>());
    return state;
}

std::vector<ScriptRunStore::Cancelled>
ScriptRunStore::cancelRun(const std::string& runId, const std::string& by, const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params(
        "UPDATE device_commands c SET status = 'cancelled', cancel_requested = (c.status <> 'pending'), "
        "finished_at = now(), updated_at = now(), error = 'cancelled by ' || $2, args = c.args - "
        "'sealed_environment' WHERE c.run_id = $1 AND c.status IN ('pending', 'sent', 'running') AND " +
            scopeSql + " RETURNING c.device_id, c.id, cancel_requested",
        runId, by);
    std::vector<Cancelled> cancelled;
    for (const auto& row : rows)
        cancelled.push_back({row["device_id"].as<std::string>(), row["id"].as<std::string>(),
                             row["cancel_requested"].as<bool>()});
    return cancelled;
}

} // namespace breeze::server
