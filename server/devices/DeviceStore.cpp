#include "devices/DeviceStore.h"

#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "http/Pagination.h"
#include "http/ResultJson.h"

#include <pqxx/pqxx>

namespace breeze::server {

const char* DeviceStore::jsonColumn() {
    return "json_build_object('id', d.id, 'org_id', d.org_id, 'site_id', d.site_id, 'identity', d.identity, "
           "'hostname', "
           "d.hostname, 'os', d.os, 'agent_version', d.agent_version, 'status', d.status, 'approval', "
           "d.approval, "
           "'platform', d.platform, 'arch', d.arch, 'last_address', d.last_address, 'connected_at', "
           "d.connected_at, "
           "'cpu_percent', d.last_cpu_percent, 'memory_percent', d.last_memory_percent, 'last_user', "
           "d.last_user, "
           "'group_id', d.group_id, 'tags', d.tags, 'enrolled_at', d.enrolled_at, 'last_seen_at', "
           "d.last_seen_at, "
           "'revoked_at', d.revoked_at, 'created_at', d.created_at, 'reenrollment', d.pending_enrollment, "
           "'credential_rotated_at', d.credential_rotated_at, 'booted_at', d.booted_at, 'reboot_required', "
           "d.reboot_required, 'addresses', breeze_device_addresses(d.id), 'fullest_filesystem', "
           "breeze_fullest_filesystem(d.last_filesystems), 'patches', (SELECT json_build_object('missing', "
           "count(*) FILTER (WHERE dp.state = 'missing'), 'failed', count(*) FILTER (WHERE dp.state = "
           "'failed'), 'scanned_at', d.patches_scanned_at) FROM device_patches dp WHERE dp.device_id = "
           "d.id))::text";
}

nlohmann::json DeviceStore::list(const Filter& filter, const Pagination& pagination,
                                 const std::string& scopeSql) {
    constexpr const char* kSortKey = "lower(d.hostname) || ' ' || d.identity";
    SqlParams params;
    std::string sql = std::string("SELECT ") + jsonColumn() + " AS item, " + kSortKey +
                      " AS sort_key FROM devices d WHERE " + scopeSql;
    for (const auto& [value, column] :
         {std::pair{&filter.orgId, "d.org_id"}, std::pair{&filter.siteId, "d.site_id"},
          std::pair{&filter.groupId, "d.group_id"}})
        if (*value)
            sql += std::string(" AND ") + column + " = " + params.add(**value) + "::uuid";
    if (filter.status)
        sql += " AND d.status = " + params.add(*filter.status);
    // The GIN index answers the exact spelling; the tag list is short, so the case-blind check is cheap.
    if (filter.tag)
        sql += " AND lower(" + params.add(*filter.tag) + ") = ANY (SELECT lower(t) FROM unnest(d.tags) t)";
    // Pending: new devices, and live ones a machine asked to take over by enrolling again.
    if (filter.pendingApproval)
        sql += *filter.pendingApproval ? " AND (d.approval = 'pending' OR d.pending_enrollment IS NOT NULL)"
                                       : " AND d.approval = 'approved' AND d.pending_enrollment IS NULL";
    sql += pagination.sqlAfter(params, kSortKey, "d.id") + " ORDER BY " + kSortKey + ", d.id" +
           pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

std::optional<DeviceStore::EnrollmentKey> DeviceStore::lockEnrollmentKey(const std::string& keyHash) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT e.id, e.partner_id, e.org_id, e.site_id, e.revoked_at IS NOT NULL AS revoked, "
        "e.expires_at <= now() AS expired, e.max_uses IS NOT NULL AND e.uses >= e.max_uses AS used_up, "
        "o.require_device_approval FROM enrollment_keys e JOIN organizations o ON o.id = e.org_id "
        "WHERE e.key_hash = $1 FOR UPDATE OF e",
        keyHash);
    if (rows.empty())
        return std::nullopt;
    const auto& row = rows[0];
    return EnrollmentKey{row["id"].as<std::string>(),     row["partner_id"].as<std::string>(),
                         row["org_id"].as<std::string>(), row["site_id"].as<std::string>(),
                         row["revoked"].as<bool>(),       row["expired"].as<bool>(),
                         row["used_up"].as<bool>(),       row["require_device_approval"].as<bool>()};
}

void DeviceStore::countKeyUse(const std::string& keyId) {
    m_tx.sql().exec_params("UPDATE enrollment_keys SET uses = uses + 1 WHERE id = $1", keyId);
}

std::optional<DeviceStore::Existing> DeviceStore::lockByIdentity(const std::string& orgId,
                                                                 const std::string& identity,
                                                                 const std::string& proofHash) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT id, revoked_at IS NOT NULL AS revoked, approval, credential_hash = $3 AS proven FROM devices "
        "WHERE org_id = $1 AND identity = $2 FOR UPDATE",
        orgId, identity, proofHash);
    if (rows.empty())
        return std::nullopt;
    const auto& row = rows[0];
    return Existing{row["id"].as<std::string>(), row["revoked"].as<bool>(), row["approval"].as<std::string>(),
                    row["proven"].as<bool>()};
}

std::string DeviceStore::insert(const Enrollment& e) {
    return m_tx.sql()
        .exec_params1(
            "INSERT INTO devices (partner_id, org_id, site_id, identity, hostname, os, agent_version, "
            "approval, credential_hash, enrollment_key_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
            "$10) RETURNING id",
            e.partnerId, e.orgId, e.siteId, e.identity, e.hostname, e.os, e.agentVersion, e.approval,
            e.credentialHash, e.keyId)["id"]
        .as<std::string>();
}

void DeviceStore::reenroll(const std::string& deviceId, const Enrollment& e) {
    m_tx.sql().exec_params(
        "UPDATE devices SET site_id = $2, hostname = $3, os = $4, agent_version = $5, credential_hash = $6, "
        "enrollment_key_id = $7, enrolled_at = now(), updated_at = now(), pending_credential_hash = NULL, "
        "pending_enrollment = NULL, next_credential_hash = NULL WHERE id = $1",
        deviceId, e.siteId, e.hostname, e.os, e.agentVersion, e.credentialHash, e.keyId);
}

void DeviceStore::requestTakeover(const std::string& deviceId, const std::string& credentialHash,
                                  const nlohmann::json& request) {
    m_tx.sql().exec_params(
        "UPDATE devices SET pending_credential_hash = $2, pending_enrollment = $3::jsonb || "
        "jsonb_build_object('requested_at', now()), updated_at = now() WHERE id = $1",
        deviceId, credentialHash, request.dump());
}

DeviceStore::Approval DeviceStore::approve(const std::string& deviceId) {
    const auto before = m_tx.sql().exec_params1(
        "SELECT pending_enrollment IS NOT NULL AS takeover, coalesce(pending_enrollment->>'address', '') AS "
        "address FROM devices WHERE id = $1 FOR UPDATE",
        deviceId);
    m_tx.sql().exec_params(
        "UPDATE devices SET approval = 'approved', updated_at = now(), "
        "credential_hash = coalesce(pending_credential_hash, credential_hash), "
        "next_credential_hash = CASE WHEN pending_enrollment IS NULL THEN next_credential_hash END, "
        "hostname = coalesce(pending_enrollment->>'hostname', hostname), "
        "os = coalesce(pending_enrollment->>'os', os), "
        "agent_version = coalesce(pending_enrollment->>'agent_version', agent_version), "
        "enrolled_at = CASE WHEN pending_enrollment IS NULL THEN enrolled_at ELSE now() END, "
        "pending_credential_hash = NULL, pending_enrollment = NULL WHERE id = $1",
        deviceId);
    return {before["takeover"].as<bool>(), before["address"].as<std::string>()};
}

void DeviceStore::refuseTakeover(const std::string& deviceId) {
    m_tx.sql().exec_params("UPDATE devices SET pending_credential_hash = NULL, pending_enrollment = NULL, "
                           "updated_at = now() WHERE id = $1",
                           deviceId);
}

void DeviceStore::revoke(const std::string& deviceId) {
    // A new random hash replaces the credential's, so the old one can never match again; so do the ones that
    // were waiting (a rotation, a takeover).
    m_tx.sql().exec_params(
        "UPDATE devices SET revoked_at = coalesce(revoked_at, now()), status = 'offline', connection_id = "
        "NULL, "
        "credential_hash = 'revoked:' || gen_random_uuid(), next_credential_hash = NULL, "
        "pending_credential_hash = NULL, pending_enrollment = NULL, updated_at = now() WHERE id = $1",
        deviceId);
}

void DeviceStore::requestCredentialRotation(const std::string& deviceId) {
    m_tx.sql().exec_params(
        "UPDATE devices SET credential_rotation_requested = true, updated_at = now() WHERE "
        "id = $1 AND revoked_at IS NULL",
        deviceId);
}

void DeviceStore::remove(const std::string& deviceId) {
    m_tx.sql().exec_params("DELETE FROM devices WHERE id = $1", deviceId);
}

bool DeviceStore::moveToSite(const std::string& deviceId, const std::string& siteId) {
    m_tx.sql().exec_params("UPDATE devices SET site_id = $2, updated_at = now() WHERE id = $1", deviceId,
                           siteId);
    m_tx.sql().exec_params("UPDATE device_inventory SET site_id = $2 WHERE device_id = $1", deviceId, siteId);
    m_tx.sql().exec_params("UPDATE device_commands SET site_id = $2 WHERE device_id = $1 AND status IN "
                           "('pending', 'sent', 'running')",
                           deviceId, siteId);
    const auto left = m_tx.sql().exec_params(
        "UPDATE devices d SET group_id = NULL FROM device_groups g WHERE d.id = $1 AND g.id = d.group_id "
        "AND g.site_id IS NOT NULL AND g.site_id <> $2 RETURNING d.id",
        deviceId, siteId);
    return !left.empty();
}

std::optional<DeviceStore::GroupPlace> DeviceStore::groupPlace(const std::string& groupId,
                                                               const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT g.org_id, g.site_id FROM device_groups g WHERE g.id = $1 AND " + scopeSql, groupId);
    if (rows.empty())
        return std::nullopt;
    GroupPlace place{rows[0]["org_id"].as<std::string>(), std::nullopt};
    if (!rows[0]["site_id"].is_null())
        place.siteId = rows[0]["site_id"].as<std::string>();
    return place;
}

void DeviceStore::setGroup(const std::string& deviceId, const std::string& groupId) {
    m_tx.sql().exec_params(
        "UPDATE devices SET group_id = nullif($2, '')::uuid, updated_at = now() WHERE id = $1", deviceId,
        groupId);
}

nlohmann::json DeviceStore::changeTags(const std::string& deviceId, bool replace,
                                       const std::string& tagsLiteral, const std::string& addLiteral,
                                       const std::string& removeLiteral) {
    const auto row = m_tx.sql().exec_params1(
        "UPDATE devices d SET tags = coalesce((SELECT array_agg(t ORDER BY lower(t)) FROM ("
        "  SELECT DISTINCT ON (lower(t)) t FROM unnest(CASE WHEN $2 THEN $3::text[] "
        "    ELSE d.tags || $4::text[] END) WITH ORDINALITY AS u(t, n) "
        "  WHERE lower(t) <> ALL (SELECT lower(r) FROM unnest($5::text[]) r) ORDER BY lower(t), n) "
        "kept), '{}'), updated_at = now() WHERE d.id = $1 RETURNING array_to_json(d.tags)::text AS tags",
        deviceId, replace, tagsLiteral, addLiteral, removeLiteral);
    return nlohmann::json::parse(row["tags"].c_str());
}

nlohmann::json DeviceStore::fetch(const std::string& deviceId) {
    return jsonRow(
        m_tx.sql().exec_params1(std::string("SELECT (") + jsonColumn() +
                                    "::jsonb || jsonb_build_object('filesystems', "
                                    "d.last_filesystems))::text AS item FROM devices d WHERE d.id = $1",
                                deviceId));
}

} // namespace breeze::server
