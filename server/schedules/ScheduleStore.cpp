#include "schedules/ScheduleStore.h"

#include "db/ScopedTransaction.h"
#include "http/ResultJson.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kScheduleJson =
    "json_build_object('id', s.id, 'org_id', s.org_id, 'script_id', s.script_id, 'script_name', (SELECT "
    "sc.name "
    "FROM scripts sc WHERE sc.id = s.script_id), 'created_by', s.created_by_label, 'targets', s.targets, "
    "'version', s.version, 'timeout_seconds', s.timeout_seconds, 'parameters', s.parameters_shown, "
    "'first_run_at', s.first_run_at, 'repeat', s.repeat, 'timezone', s.timezone, 'next_run_at', "
    "s.next_run_at, 'last_run_at', s.last_run_at, 'last_run_id', s.last_run_id, 'last_error', s.last_error, "
    "'created_at', s.created_at)::text";

std::optional<long long> optionalNumber(const pqxx::field& field) {
    return field.is_null() ? std::nullopt : std::optional<long long>(field.as<long long>());
}
} // namespace

nlohmann::json ScheduleStore::insert(const NewSchedule& schedule) {
    const auto optionalText = [](const std::optional<long long>& value) {
        return value ? std::optional<std::string>(std::to_string(*value)) : std::nullopt;
    };
    return jsonRow(m_tx.sql().exec_params1(
        std::string(
            "WITH t AS (SELECT CASE WHEN $11 ~ '([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$' THEN $11::timestamptz "
            "ELSE $11::timestamp AT TIME ZONE $13 END AS first), s AS (INSERT INTO script_schedules "
            "(partner_id, org_id, script_id, created_by, created_by_label, targets, version, "
            "timeout_seconds, "
            "sealed_parameters, parameters_shown, first_run_at, repeat, timezone, next_run_at) SELECT $1, "
            "$2, "
            "$3, $4, $5, $6::jsonb, $7::int, $8::int, $9, $10::jsonb, t.first, $12, $13, "
            "breeze_schedule_next(t.first, $12, $13, now()) FROM t RETURNING *) SELECT ") +
            kScheduleJson + " AS item FROM s",
        schedule.partnerId, schedule.orgId, schedule.scriptId, schedule.createdBy, schedule.createdByLabel,
        schedule.targets.dump(), optionalText(schedule.version), optionalText(schedule.timeoutSeconds),
        schedule.sealedParameters, schedule.parametersShown.dump(), schedule.runAt, schedule.repeat,
        schedule.timezone));
}

long long ScheduleStore::count(const std::string& partnerId) {
    return m_tx.sql()
        .exec_params1("SELECT count(*) AS n FROM script_schedules WHERE partner_id = $1", partnerId)["n"]
        .as<long long>();
}

bool ScheduleStore::timezoneKnown(const std::string& zone) {
    return m_tx.sql()
        .exec_params1("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS known",
                      zone)["known"]
        .as<bool>();
}

std::optional<std::string> ScheduleStore::organisationOf(const std::optional<std::string>& siteId,
                                                         const std::optional<std::string>& groupId) {
    const auto row = m_tx.sql().exec_params1(
        "SELECT coalesce((SELECT org_id FROM sites WHERE id = $1::uuid), (SELECT org_id FROM device_groups "
        "WHERE id = $2::uuid))::text AS org_id",
        siteId, groupId);
    return row["org_id"].is_null() ? std::nullopt
                                   : std::optional<std::string>(row["org_id"].as<std::string>());
}

nlohmann::json ScheduleStore::list(const std::optional<std::string>& scriptId, const std::string& scopeSql) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& row : m_tx.sql().exec_params(
             std::string("SELECT ") + kScheduleJson + " AS item FROM script_schedules s WHERE " + scopeSql +
                 " AND ($1::uuid IS NULL OR s.script_id = $1::uuid) ORDER BY "
                 "s.next_run_at NULLS LAST, s.created_at LIMIT 1000",
             scriptId))
        items.push_back(jsonRow(row));
    return {{"items", items}};
}

std::optional<nlohmann::json> ScheduleStore::find(const std::string& id, const std::string& scopeSql) {
    const auto rows =
        m_tx.sql().exec_params(std::string("SELECT ") + kScheduleJson +
                                   " AS item FROM script_schedules s WHERE s.id = $1 AND " + scopeSql,
                               id);
    if (rows.empty())
        return std::nullopt;
    return jsonRow(rows[0]);
}

void ScheduleStore::remove(const std::string& id) {
    m_tx.sql().exec_params("DELETE FROM script_schedules WHERE id = $1", id);
}

std::vector<ScheduleStore::Due> ScheduleStore::claimDue(int limit) {
    const auto rows = m_tx.sql().exec_params(
        "WITH due AS (SELECT id FROM script_schedules WHERE next_run_at <= now() ORDER BY next_run_at LIMIT "
        "$1 "
        "FOR UPDATE SKIP LOCKED) UPDATE script_schedules s SET last_run_at = now(), next_run_at = "
        "breeze_schedule_next(s.first_run_at, s.repeat, s.timezone, now()) FROM due WHERE s.id = due.id "
        "RETURNING s.id, s.partner_id, s.org_id, s.script_id, s.created_by, s.targets::text AS targets, "
        "s.version, "
        "s.timeout_seconds, "
        "s.sealed_parameters",
        limit);
    std::vector<Due> due;
    for (const auto& row : rows)
        due.push_back({row["id"].as<std::string>(), row["partner_id"].as<std::string>(),
                       row["org_id"].is_null() ? std::nullopt
                                               : std::optional<std::string>(row["org_id"].as<std::string>()),
                       row["script_id"].as<std::string>(), row["created_by"].as<std::string>(),
                       nlohmann::json::parse(row["targets"].as<std::string>()),
                       optionalNumber(row["version"]), optionalNumber(row["timeout_seconds"]),
                       row["sealed_parameters"].as<std::string>()});
    return due;
}

void ScheduleStore::recordRun(const std::string& id, const std::string& runId) {
    m_tx.sql().exec_params("UPDATE script_schedules SET last_run_id = $2, last_error = NULL WHERE id = $1",
                           id, runId);
}

void ScheduleStore::recordFailure(const std::string& id, const std::string& error) {
    m_tx.sql().exec_params("UPDATE script_schedules SET last_error = left($2, 1000) WHERE id = $1", id,
                           error);
}

} // namespace breeze::server
