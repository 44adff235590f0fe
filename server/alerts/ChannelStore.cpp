#include "alerts/ChannelStore.h"

#include "db/ScopedTransaction.h"
#include "http/ResultJson.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kChannelJson =
    "json_build_object('id', c.id, 'name', c.name, 'kind', c.kind, 'org_id', c.org_id, 'target', CASE c.kind "
    "WHEN 'webhook' THEN c.settings->>'url' WHEN 'email' THEN (SELECT string_agg(x, ', ') FROM "
    "jsonb_array_elements_text(c.settings->'to') x) ELSE (c.settings->>'host') "
    "|| "
    "' (the URL is kept secret)' END, 'signed', c.sealed_secret IS NOT NULL AND c.kind = 'webhook', "
    "'created_by', c.created_by_label, 'created_at', c.created_at, 'pending', (SELECT count(*) FROM "
    "alert_notifications n WHERE n.channel_id = c.id AND n.state IN ('pending', 'sending')), "
    "'last_delivery', "
    "(SELECT json_build_object('state', n.state, 'kind', n.kind, 'at', coalesce(n.sent_at, n.created_at), "
    "'error', n.last_error) FROM alert_notifications n WHERE n.channel_id = c.id ORDER BY n.id DESC LIMIT "
    "1))";
} // namespace

nlohmann::json ChannelStore::insert(const NewChannel& channel) {
    return jsonRow(m_tx.sql().exec_params1(
        std::string(
            "WITH c AS (INSERT INTO notification_channels (partner_id, org_id, name, kind, settings, "
            "sealed_secret, created_by_label) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7) RETURNING *) "
            "SELECT ") +
            kChannelJson + "::text AS item FROM c",
        channel.partnerId, channel.orgId, channel.name, channel.kind, channel.settings.dump(),
        channel.sealedSecret, channel.createdBy));
}

nlohmann::json ChannelStore::list(const std::string& scopeSql) {
    return {{"items",
             jsonRows(m_tx.sql().exec(std::string("SELECT ") + kChannelJson +
                                      "::text AS item FROM notification_channels c WHERE c.deleted_at IS "
                                      "NULL AND " +
                                      scopeSql + " ORDER BY lower(c.name), c.id LIMIT 1000"))}};
}

std::optional<nlohmann::json> ChannelStore::find(const std::string& id, const std::string& scopeSql) {
    const auto rows =
        m_tx.sql().exec_params(std::string("SELECT ") + kChannelJson +
                                   "::text AS item FROM notification_channels c WHERE c.id = $1 "
                                   "AND c.deleted_at IS NULL AND " +
                                   scopeSql,
                               id);
    if (rows.empty())
        return std::nullopt;
    return jsonRow(rows[0]);
}

bool ChannelStore::nameTaken(const std::string& partnerId, const std::optional<std::string>& orgId,
                             const std::string& name) {
    // Asked as the system: a name taken by a channel the caller cannot see is still taken.
    ScopedTransaction::SystemSection system(m_tx, SystemAccess{"channel names are unique per owner"});
    return !m_tx.sql()
                .exec_params("SELECT 1 FROM notification_channels WHERE partner_id = $1 AND org_id IS NOT "
                             "DISTINCT FROM $2::uuid AND lower(name) = lower($3) AND deleted_at IS NULL",
                             partnerId, orgId, name)
                .empty();
}

void ChannelStore::remove(const std::string& id) {
    m_tx.sql().exec_params("UPDATE notification_channels SET deleted_at = now() WHERE id = $1", id);
    m_tx.sql().exec_params(
        "UPDATE alert_rules SET channel_ids = array_remove(channel_ids, $1::uuid), updated_at "
        "= now() WHERE $1::uuid = ANY(channel_ids)",
        id);
}

long long ChannelStore::usable(const std::vector<std::string>& ids, const std::string& partnerId,
                               const std::optional<std::string>& orgId) {
    const nlohmann::json list = ids;
    return m_tx.sql()
        .exec_params1(
            "SELECT count(*) AS n FROM notification_channels WHERE id IN (SELECT "
            "(jsonb_array_elements_text($1::jsonb))::uuid) AND deleted_at IS NULL AND partner_id = $2 "
            "AND (org_id IS NULL OR org_id = $3::uuid)",
            list.dump(), partnerId, orgId)["n"]
        .as<long long>();
}

} // namespace breeze::server
