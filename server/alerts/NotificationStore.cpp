#include "alerts/NotificationStore.h"

#include "alerts/AlertStore.h"
#include "db/ScopedTransaction.h"
#include "http/ResultJson.h"

#include <pqxx/pqxx>

namespace breeze::server {

std::vector<NotificationStore::Claimed>
NotificationStore::claim(int limit, std::chrono::seconds lease,
                         const std::vector<std::string>& skipChannels) {
    const nlohmann::json skip = skipChannels;
    const auto rows = m_tx.sql().exec_params(
        std::string(
            "WITH due AS (SELECT n.id FROM alert_notifications n WHERE ((n.state = 'pending' AND "
            "n.next_attempt_at <= now()) OR (n.state = 'sending' AND n.lease_until < now())) AND "
            "n.channel_id NOT IN (SELECT (jsonb_array_elements_text($2::jsonb))::uuid) AND NOT EXISTS "
            "(SELECT 1 FROM alert_notifications e WHERE e.alert_id = n.alert_id AND e.channel_id = "
            "n.channel_id AND e.id < n.id AND e.state IN ('pending', 'sending')) ORDER BY "
            "n.next_attempt_at, n.id LIMIT $1 FOR UPDATE SKIP LOCKED) UPDATE alert_notifications n "
            "SET state = 'sending', lease_until = now() + make_interval(secs => $3::int), attempts = "
            "n.attempts + 1 FROM due WHERE n.id = due.id RETURNING n.id, n.kind, n.detail::text AS "
            "detail, n.attempts, extract(epoch FROM now() - n.created_at)::bigint AS age_s, "
            "n.channel_id::text AS channel_id, (SELECT json_build_object('kind', c.kind, 'name', c.name, "
            "'settings', c.settings, 'secret', c.sealed_secret, 'smtp', (SELECT json_build_object('host', "
            "s.host, 'port', s.port, 'security', s.security, 'username', s.username, 'password', "
            "s.sealed_password, 'from', s.from_address) FROM notification_smtp s WHERE s.partner_id = "
            "c.partner_id))::text FROM notification_channels c WHERE c.id = n.channel_id) AS channel, "
            "(SELECT ") +
            AlertStore::jsonSql() + "::text FROM alerts a WHERE a.id = n.alert_id) AS alert",
        limit, skip.dump(), static_cast<int>(lease.count()));
    std::vector<Claimed> claimed;
    for (const auto& row : rows) {
        Claimed item;
        item.id = row["id"].as<long long>();
        item.kind = row["kind"].as<std::string>();
        item.detail = nlohmann::json::parse(row["detail"].as<std::string>());
        item.attempts = row["attempts"].as<int>();
        item.ageSeconds = row["age_s"].as<long long>();
        item.channelId = row["channel_id"].as<std::string>();
        const auto channel = nlohmann::json::parse(row["channel"].as<std::string>());
        item.channelKind = channel["kind"];
        item.channelName = channel["name"];
        item.channelSettings = channel["settings"];
        if (channel["secret"].is_string())
            item.sealedSecret = channel["secret"];
        item.smtp = channel["smtp"];
        if (!row["alert"].is_null())
            item.alert = nlohmann::json::parse(row["alert"].as<std::string>());
        claimed.push_back(std::move(item));
    }
    return claimed;
}

void NotificationStore::sent(long long id, const std::string& response) {
    m_tx.sql().exec_params("UPDATE alert_notifications SET state = 'sent', sent_at = now(), response = $2, "
                           "last_error = NULL, lease_until = NULL WHERE id = $1",
                           id, response.substr(0, 500));
}

void NotificationStore::failed(long long id, const std::string& error, std::chrono::seconds retryIn,
                               bool giveUp) {
    m_tx.sql().exec_params(
        "UPDATE alert_notifications SET state = CASE WHEN $4 THEN 'given_up' ELSE 'pending' END, last_error "
        "= $2, "
        "next_attempt_at = now() + make_interval(secs => $3::int), lease_until = NULL WHERE id = $1",
        id, error.substr(0, 500), static_cast<int>(retryIn.count()), giveUp);
}

void NotificationStore::release(long long id) {
    m_tx.sql().exec_params(
        "UPDATE alert_notifications SET state = 'pending', attempts = greatest(attempts - 1, "
        "0), lease_until = NULL WHERE id = $1",
        id);
}

long long NotificationStore::queueTest(const std::string& channelId, const nlohmann::json& detail) {
    return m_tx.sql()
        .exec_params1("INSERT INTO alert_notifications (partner_id, org_id, channel_id, kind, detail) SELECT "
                      "partner_id, org_id, id, 'test', $2::jsonb FROM notification_channels WHERE id = $1 "
                      "RETURNING id",
                      channelId, detail.dump())["id"]
        .as<long long>();
}

std::optional<nlohmann::json> NotificationStore::outcome(long long id) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT json_build_object('id', id, 'state', state, 'attempts', attempts, 'response', response, "
        "'last_error', last_error, 'sent_at', sent_at)::text AS item FROM alert_notifications WHERE id = $1",
        id);
    if (rows.empty())
        return std::nullopt;
    return jsonRow(rows[0]);
}

} // namespace breeze::server
