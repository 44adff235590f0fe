#include "agents/DevicePresence.h"

#include "db/ScopedTransaction.h"
#include "devices/DeviceEvents.h"

#include <pqxx/pqxx>

namespace breeze::server {

DeviceEventSubject subjectOf(const AgentSession& session) {
    return {session.partnerId, session.orgId, session.siteId, session.deviceId};
}

void DevicePresence::online(ScopedTransaction& tx, const AgentSession& session,
                            const protocol::AgentHello& hello, const std::string& relayUrl) {
    const auto previous = tx.sql().exec_params(
        "SELECT status FROM devices WHERE id = $1 AND org_id = $2 AND revoked_at IS NULL FOR UPDATE",
        session.deviceId, session.orgId);
    if (previous.empty())
        return; // revoked (or deleted) since it was admitted: its connection is being closed
    tx.sql().exec_params(
        "UPDATE devices SET status = 'online', connection_id = $3, connected_at = now(), last_seen_at = "
        "now(), "
        "agent_version = $4, hostname = CASE WHEN $5 = '' THEN hostname ELSE $5 END, "
        "os = CASE WHEN $6 = '' THEN os ELSE $6 END, platform = $7, arch = $8, capabilities = $9::jsonb, "
        "last_address = $10, relay_url = $11, updated_at = now() WHERE id = $1 AND org_id = $2",
        session.deviceId, session.orgId, session.connectionId, hello.agentVersion, hello.hostname, hello.os,
        hello.platform, hello.arch, nlohmann::json(hello.capabilities).dump(), session.address, relayUrl);
    if (previous[0]["status"].as<std::string>() != "online")
        recordDeviceEvent(tx, subjectOf(session), "online",
                          {{"address", session.address}, {"agent_version", hello.agentVersion}});
}

void DevicePresence::offline(ScopedTransaction& tx, const AgentSession& session, const std::string& reason) {
    const auto changed = tx.sql().exec_params(
        "UPDATE devices SET status = 'offline', connection_id = NULL, relay_url = NULL, updated_at = now() "
        "WHERE id = $1 AND org_id = $2 AND connection_id = $3 AND status = 'online' RETURNING id",
        session.deviceId, session.orgId, session.connectionId);
    if (!changed.empty())
        recordDeviceEvent(tx, subjectOf(session), "offline", {{"reason", reason}});
}

long long DevicePresence::resetAll(ScopedTransaction& tx, const std::string& relayUrl) {
    const auto rows = tx.sql().exec_params(
        "WITH changed AS (UPDATE devices SET status = 'offline', connection_id = NULL, relay_url = NULL, "
        "updated_at = now() "
        "WHERE status = 'online' AND (relay_url IS NULL OR relay_url = $1) RETURNING id, partner_id, org_id, "
        "site_id) "
        "INSERT INTO device_events (partner_id, org_id, site_id, device_id, kind, detail) "
        "SELECT partner_id, org_id, site_id, id, 'offline', '{\"reason\":\"server restarted\"}' FROM changed "
        "RETURNING 1",
        relayUrl);
    return static_cast<long long>(rows.size());
}

std::vector<std::string> DevicePresence::markSilentOffline(ScopedTransaction& tx, int seconds) {
    const auto rows = tx.sql().exec_params(
        "WITH changed AS (UPDATE devices SET status = 'offline', connection_id = NULL, relay_url = NULL, "
        "updated_at = now() "
        "WHERE status = 'online' AND last_seen_at < now() - make_interval(secs => $1) "
        "RETURNING id, partner_id, org_id, site_id) "
        "INSERT INTO device_events (partner_id, org_id, site_id, device_id, kind, detail) "
        "SELECT partner_id, org_id, site_id, id, 'offline', '{\"reason\":\"missed heartbeats\"}' FROM "
        "changed "
        "RETURNING device_id",
        seconds);
    std::vector<std::string> ids;
    for (const auto& row : rows)
        ids.push_back(row["device_id"].as<std::string>());
    return ids;
}

} // namespace breeze::server
