#include "alerts/AlertStore.h"

#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "http/Pagination.h"
#include "http/ResultJson.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kAlertJson =
    "json_build_object('id', a.id, 'state', a.state, 'severity', a.severity, 'title', a.title, 'message', "
    "a.message, 'value', a.value, 'rule', json_build_object('id', a.rule_id, 'name', a.rule_name), 'device', "
    "json_build_object('id', a.device_id, 'name', a.device_name), 'org_id', a.org_id, 'site_id', a.site_id, "
    "'opened_at', a.opened_at, 'fired_at', a.fired_at, 'acknowledged_at', a.acknowledged_at, "
    "'acknowledged_by', a.acknowledged_by, 'acknowledge_note', a.acknowledge_note, 'resolved_at', "
    "a.resolved_at, 'resolved_by', a.resolved_by, 'resolution', a.resolution, 'reopen_count', "
    "a.reopen_count, "
    "'flapping', a.flapping, 'maintenance', a.maintenance)";

constexpr const char* kNewestFirstKey =
    "lpad((9223372036854775807 - (extract(epoch FROM a.opened_at) * 1000000)::bigint)::text, 19, '0')";

} // namespace

const char* AlertStore::jsonSql() {
    return kAlertJson;
}

std::optional<AlertStore::Fired> AlertStore::fire(const Firing& firing) {
    auto& sql = m_tx.sql();
    const auto& rule = firing.rule;
    const auto& device = firing.device;
    if (!sql.exec_params("SELECT 1 FROM alerts WHERE rule_id = $1 AND device_id = $2 AND state <> 'resolved'",
                         rule.id, device.deviceId)
             .empty())
        return std::nullopt;
    Fired fired;
    bool wasFlapping = false;
    // A refire soon after a resolution is the same problem coming back: reopen that alert, and count it.
    const auto reopened = sql.exec_params(
        "UPDATE alerts a SET state = 'active', resolved_at = NULL, resolved_by = NULL, resolution = NULL, "
        "acknowledged_at = NULL, acknowledged_by = NULL, acknowledge_note = NULL, fired_at = now(), "
        "reopen_count = a.reopen_count + 1, value = $4::jsonb, severity = $5, title = $6, message = $7, "
        "device_name = $8, rule_name = $9, recent_fires = r.fires, flapping = cardinality(r.fires) >= 4, "
        "maintenance = $10 "
        "FROM (SELECT id, flapping AS was_flapping, (SELECT coalesce(array_agg(f ORDER BY f), '{}') FROM "
        "unnest(recent_fires[greatest(cardinality(recent_fires) - 18, 1):]) f WHERE f > now() - interval "
        "'1 hour') || now() AS fires FROM alerts WHERE rule_id = $1 AND device_id = $2 AND state = "
        "'resolved' AND resolved_at > now() - make_interval(secs => $3::int) AND resolution IS DISTINCT FROM "
        "'maintenance_ended' ORDER BY resolved_at DESC LIMIT 1) r WHERE a.id = r.id AND a.state = 'resolved' "
        "RETURNING a.id, a.flapping, r.was_flapping",
        rule.id, device.deviceId, rule.reopenWindowSeconds, firing.value.dump(), rule.severity, firing.title,
        firing.message, device.deviceName, rule.name, firing.quiet);
    if (!reopened.empty()) {
        fired.alertId = reopened[0]["id"].as<std::string>();
        fired.reopened = true;
        fired.flapping = reopened[0]["flapping"].as<bool>();
        wasFlapping = reopened[0]["was_flapping"].as<bool>();
    } else {
        const auto inserted = sql.exec_params(
            "INSERT INTO alerts (partner_id, org_id, site_id, device_id, rule_id, device_name, rule_name, "
            "severity, title, message, value, state, recent_fires, maintenance) VALUES ($1, $2, $3, $4, $5, "
            "$6, "
            "$7, $8, $9, $10, $11::jsonb, 'active', ARRAY[now()], $12) ON CONFLICT (rule_id, device_id) "
            "WHERE state <> "
            "'resolved' DO NOTHING RETURNING id",
            device.partnerId, device.orgId, device.siteId, device.deviceId, rule.id, device.deviceName,
            rule.name, rule.severity, firing.title, firing.message, firing.value.dump(), firing.quiet);
        if (inserted.empty())
            return std::nullopt;
        fired.alertId = inserted[0]["id"].as<std::string>();
    }
    // A flapping alert says so once; its further reopenings are not sent again (nor, then, resolved again).
    // Inside a maintenance window nothing is sent.
    if ((fired.flapping && wasFlapping) || firing.quiet)
        return fired;
    nlohmann::json channels = rule.channelIds;
    const auto queued = sql.exec_params(
        "WITH queued AS (INSERT INTO alert_notifications (partner_id, org_id, site_id, alert_id, channel_id, "
        "kind, detail) SELECT a.partner_id, a.org_id, a.site_id, a.id, c.id, 'firing', jsonb_build_object("
        "'value', a.value, 'fired_at', a.fired_at, 'flapping', a.flapping, 'reopened', $3::boolean) FROM "
        "alerts a JOIN notification_channels c ON c.partner_id = a.partner_id AND (c.org_id IS NULL OR "
        "c.org_id = a.org_id) WHERE a.id = $1 AND c.deleted_at IS NULL AND c.id IN (SELECT "
        "(jsonb_array_elements_"
        "text($2::jsonb))::uuid) ORDER BY c.id RETURNING channel_id) UPDATE alerts SET notified_channels = "
        "ARRAY(SELECT DISTINCT x FROM unnest(notified_channels || ARRAY(SELECT channel_id FROM queued)) x) "
        "WHERE id = $1 RETURNING cardinality(notified_channels) AS owed",
        fired.alertId, channels.dump(), fired.reopened);
    fired.notified = queued.empty() ? 0 : queued[0]["owed"].as<int>();
    return fired;
}

bool AlertStore::resolve(const std::string& ruleId, const std::string& deviceId,
                         const std::string& resolution) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT breeze_alert_resolve(id, $3, NULL) AS done FROM alerts WHERE rule_id = $1 AND device_id = $2 "
        "AND state <> 'resolved'",
        ruleId, deviceId, resolution);
    return !rows.empty() && rows[0]["done"].as<bool>();
}

void AlertStore::saveState(const std::string& ruleId, const DevicePlacement& device,
                           ConditionState::Phase phase, std::int64_t sinceMs) {
    m_tx.sql().exec_params(
        "INSERT INTO alert_condition_states (rule_id, device_id, partner_id, org_id, site_id, phase, since) "
        "SELECT $1, $2, $3, $4, $5, $6, to_timestamp($7::bigint / 1000.0) WHERE EXISTS (SELECT 1 FROM "
        "alert_rules WHERE id = $1) AND EXISTS (SELECT 1 FROM devices WHERE id = $2) ON CONFLICT (rule_id, "
        "device_id) DO UPDATE SET phase = excluded.phase, since = excluded.since",
        ruleId, device.deviceId, device.partnerId, device.orgId, device.siteId,
        ConditionState::phaseName(phase), sinceMs);
}

void AlertStore::clearState(const std::string& ruleId, const std::string& deviceId) {
    m_tx.sql().exec_params("DELETE FROM alert_condition_states WHERE rule_id = $1 AND device_id = $2", ruleId,
                           deviceId);
}

std::vector<AlertStore::StoredState> AlertStore::states() {
    std::vector<StoredState> states;
    for (const auto& row : m_tx.sql().exec(
             "SELECT rule_id::text, device_id::text, 'firing' AS phase, 0::bigint AS since_ms, maintenance "
             "FROM alerts "
             "WHERE state <> 'resolved' AND rule_id IS NOT NULL AND device_id IS NOT NULL UNION ALL SELECT "
             "rule_id::text, device_id::text, phase, (extract(epoch FROM since) * 1000)::bigint, false FROM "
             "alert_condition_states")) {
        const std::string phase = row["phase"].as<std::string>();
        ConditionState state;
        state.phase = phase == "firing"    ? ConditionState::Phase::Firing
                      : phase == "pending" ? ConditionState::Phase::Pending
                                           : ConditionState::Phase::Clearing;
        state.sinceMs = row["since_ms"].as<std::int64_t>();
        states.push_back({row["rule_id"].as<std::string>(), row["device_id"].as<std::string>(), state,
                          row["maintenance"].as<bool>()});
    }
    return states;
}

std::vector<std::pair<std::string, std::int64_t>> AlertStore::offlineDevices() {
    std::vector<std::pair<std::string, std::int64_t>> devices;
    // The moment it went offline is its last offline event; a device never seen online counts from its
    // enrollment.
    for (const auto& row : m_tx.sql().exec(
             "SELECT d.id::text, (extract(epoch FROM coalesce((SELECT max(e.at) FROM device_events e WHERE "
             "e.device_id = d.id AND e.kind = 'offline'), d.last_seen_at, d.enrolled_at)) * 1000)::bigint AS "
             "since_ms FROM devices d WHERE d.status = 'offline' AND d.revoked_at IS NULL"))
        devices.emplace_back(row["id"].as<std::string>(), row["since_ms"].as<std::int64_t>());
    return devices;
}

std::vector<std::pair<std::string, std::string>> AlertStore::openAlerts() {
    std::vector<std::pair<std::string, std::string>> open;
    for (const auto& row : m_tx.sql().exec("SELECT rule_id::text, device_id::text FROM alerts WHERE state <> "
                                           "'resolved' AND rule_id IS NOT NULL AND device_id IS NOT NULL"))
        open.emplace_back(row["rule_id"].as<std::string>(), row["device_id"].as<std::string>());
    return open;
}

nlohmann::json AlertStore::list(const Filter& filter, const Pagination& pagination,
                                const std::string& scopeSql) {
    SqlParams params;
    std::string sql = std::string("SELECT ") + kAlertJson + "::text AS item, " + kNewestFirstKey +
                      " AS sort_key FROM alerts a WHERE " + scopeSql;
    if (filter.state)
        sql += *filter.state == "open" ? std::string(" AND a.state <> 'resolved'")
                                       : " AND a.state = " + params.add(*filter.state);
    if (filter.severity)
        sql += " AND a.severity = " + params.add(*filter.severity);
    if (filter.deviceId)
        sql += " AND a.device_id = " + params.add(*filter.deviceId) + "::uuid";
    if (filter.ruleId)
        sql += " AND a.rule_id = " + params.add(*filter.ruleId) + "::uuid";
    if (filter.orgId)
        sql += " AND a.org_id = " + params.add(*filter.orgId) + "::uuid";
    if (filter.siteId)
        sql += " AND a.site_id = " + params.add(*filter.siteId) + "::uuid";
    sql += pagination.sqlAfter(params, kNewestFirstKey, "a.id") + " ORDER BY " + kNewestFirstKey + ", a.id" +
           pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

std::optional<nlohmann::json> AlertStore::find(const std::string& id, const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params(
        std::string("SELECT ") + kAlertJson +
            "::jsonb || jsonb_build_object('notifications', coalesce((SELECT "
            "jsonb_agg(jsonb_build_object('id', n.id, 'channel_id', n.channel_id, 'channel', c.name, 'kind', "
            "n.kind, 'state', n.state, 'attempts', n.attempts, 'last_error', n.last_error, 'created_at', "
            "n.created_at, 'sent_at', n.sent_at, 'next_attempt_at', CASE WHEN n.state = 'pending' THEN "
            "n.next_attempt_at END) ORDER BY n.id) FROM alert_notifications n LEFT JOIN "
            "notification_channels c "
            "ON c.id = n.channel_id WHERE n.alert_id = a.id), '[]'::jsonb)) AS item FROM alerts a WHERE a.id "
            "= $1 "
            "AND " +
            scopeSql,
        id);
    if (rows.empty())
        return std::nullopt;
    return jsonRow(rows[0]);
}

nlohmann::json AlertStore::summary(const std::string& scopeSql) {
    nlohmann::json counts{{"critical", 0}, {"warning", 0}, {"info", 0}};
    nlohmann::json acknowledged = counts;
    for (const auto& row : m_tx.sql().exec("SELECT a.severity, a.state, count(*) AS n FROM alerts a WHERE "
                                           "a.state <> 'resolved' AND " +
                                           scopeSql + " GROUP BY a.severity, a.state"))
        (row["state"].as<std::string>() == "active" ? counts
                                                    : acknowledged)[row["severity"].as<std::string>()] =
            row["n"].as<long long>();
    return {{"active", counts}, {"acknowledged", acknowledged}};
}

bool AlertStore::acknowledge(const std::string& id, const std::string& who, const std::string& note) {
    return m_tx.sql()
               .exec_params(
                   "UPDATE alerts SET state = 'acknowledged', acknowledged_at = now(), "
                   "acknowledged_by = $2, acknowledge_note = nullif($3, '') WHERE id = $1 AND state = "
                   "'active'",
                   id, who, note)
               .affected_rows() == 1;
}

bool AlertStore::resolveByHand(const std::string& id, const std::string& who) {
    return m_tx.sql()
        .exec_params1("SELECT breeze_alert_resolve($1, 'by_hand', $2) AS done", id, who)["done"]
        .as<bool>();
}

} // namespace breeze::server
