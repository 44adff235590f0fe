#include "devices/DeviceRoutes.h"

#include "crypto/Digest.h"
#include "crypto/SecureRandom.h"
#include "db/PgText.h"
#include "devices/DeviceAccess.h"
#include "devices/DeviceEvents.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "tenancy/TenantLookup.h"

#include <functional>

namespace breeze::server {

namespace {
using namespace permissions;

constexpr const char* kDeviceJson =
    "json_build_object('id', d.id, 'org_id', d.org_id, 'site_id', d.site_id, 'identity', d.identity, "
    "'hostname', "
    "d.hostname, 'os', d.os, 'agent_version', d.agent_version, 'status', d.status, 'approval', d.approval, "
    "'platform', d.platform, 'arch', d.arch, 'last_address', d.last_address, 'connected_at', d.connected_at, "
    "'cpu_percent', d.last_cpu_percent, 'memory_percent', d.last_memory_percent, 'last_user', d.last_user, "
    "'group_id', d.group_id, 'tags', d.tags, 'enrolled_at', d.enrolled_at, 'last_seen_at', d.last_seen_at, "
    "'revoked_at', d.revoked_at, 'created_at', d.created_at, 'reenrollment', d.pending_enrollment, "
    "'credential_rotated_at', d.credential_rotated_at)::text";

constexpr const char* kCredentialPrefix = "dev_";

// Text an agent reports about itself: printable, bounded; it is shown to technicians later.
std::string agentText(JsonFields& fields, const std::string& key, std::size_t maxLength, bool required) {
    const auto value = fields.optionalString(key, required ? 1 : 0, maxLength);
    if (!value) {
        if (required)
            throw ApiError::badRequest("\"" + key + "\" is required");
        return "";
    }
    for (unsigned char c : *value) {
        if (c < 0x20 || c == 0x7F)
            throw ApiError::badRequest("\"" + key + "\" must not contain control characters");
    }
    return *value;
}

// The whole redemption is one transaction: a key that is refused changes nothing but its audit entry, and a
// device record never exists without its credential.
ApiResponse enroll(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string key = fields.requiredString("key", 1, 200);
    const std::string identity = agentText(fields, "identity", 200, true);
    const std::string hostname = agentText(fields, "hostname", 255, false);
    const std::string os = agentText(fields, "os", 200, false);
    const std::string agentVersion = agentText(fields, "agent_version", 64, false);
    // The device's current credential, from an agent enrolling again: proof that it is that device.
    const auto proof = fields.optionalString("credential", 1, 200);
    fields.finish();

    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"redeem an enrollment key"});
    AuditEvent event = ctx.auditEvent("devices.enroll", "device", "");
    event.actorType = "agent";
    event.actorLabel = identity;
    event.details = {{"identity", identity}, {"hostname", hostname}};
    auto refuse = [&](int status, const std::string& code, const std::string& message,
                      const std::string& reason) {
        event.result = "failure";
        event.details["reason"] = reason;
        if (event.partnerId)
            ctx.audit(tx, event);
        else
            ctx.auditNoise(tx, event); // a key nobody issued: anyone can send one
        tx.commit();
        throw ApiError(status, code, message);
    };

    const auto keys = tx.sql().exec_params(
        "SELECT e.id, e.partner_id, e.org_id, e.site_id, e.revoked_at IS NOT NULL, e.expires_at <= now(), "
        "e.max_uses IS NOT NULL AND e.uses >= e.max_uses, o.require_device_approval "
        "FROM enrollment_keys e JOIN organizations o ON o.id = e.org_id WHERE e.key_hash = $1 FOR UPDATE OF "
        "e",
        crypto::Digest::sha256Hex(key));
    if (keys.empty())
        refuse(401, "invalid_enrollment_key", "the enrollment key is not valid", "unknown enrollment key");
    const auto& k = keys[0];
    const std::string keyId = k[0].as<std::string>();
    const std::string partnerId = k[1].as<std::string>();
    const std::string orgId = k[2].as<std::string>();
    const std::string siteId = k[3].as<std::string>();
    event.partnerId = partnerId;
    event.orgId = orgId;
    event.details["enrollment_key_id"] = keyId;
    if (k[4].as<bool>())
        refuse(403, "enrollment_key_revoked", "this enrollment key has been revoked",
               "enrollment key revoked");
    if (k[5].as<bool>())
        refuse(403, "enrollment_key_expired", "this enrollment key has expired", "enrollment key expired");
    if (k[6].as<bool>())
        refuse(403, "enrollment_key_used_up", "this enrollment key has been used as many times as it allows",
               "enrollment key used up");

    const auto existing =
        tx.sql().exec_params("SELECT id, revoked_at IS NOT NULL, approval, credential_hash = $3 FROM devices "
                             "WHERE org_id = $1 AND identity = $2 FOR UPDATE",
                             orgId, identity, proof ? crypto::Digest::sha256Hex(*proof) : std::string());
    if (!existing.empty() && existing[0][1].as<bool>())
        refuse(403, "device_revoked",
               "this machine's device record was revoked; an administrator must delete it before it can "
               "enroll again",
               "device revoked");
    const std::string credential = kCredentialPrefix + crypto::SecureRandom::token(32);
    const std::string credentialHash = crypto::Digest::sha256Hex(credential);
    std::string deviceId;
    std::string approval;
    if (existing.empty()) {
        approval = k[7].as<bool>() ? "pending" : "approved";
        deviceId =
            tx.sql()
                .exec_params1("INSERT INTO devices (partner_id, org_id, site_id, identity, hostname, os, "
                              "agent_version, approval, credential_hash, enrollment_key_id) "
                              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                              partnerId, orgId, siteId, identity, hostname, os, agentVersion, approval,
                              credentialHash, keyId)[0]
                .as<std::string>();
    } else if (!existing[0][3].as<bool>()) {
        // The identity is shown in the console, so knowing it proves nothing. Until an administrator
        // approves, the device keeps working with its own credential and the newcomer gets nothing: no
        // session, no commands, no secrets, no site move. A newer request replaces an older one.
        deviceId = existing[0][0].as<std::string>();
        approval = "pending";
        const nlohmann::json request{{"site_id", siteId},
                                     {"hostname", hostname},
                                     {"os", os},
                                     {"agent_version", agentVersion},
                                     {"address", ctx.address()},
                                     {"enrollment_key_id", keyId}};
        tx.sql().exec_params(
            "UPDATE devices SET pending_credential_hash = $2, pending_enrollment = $3::jsonb || "
            "jsonb_build_object('requested_at', now()), updated_at = now() WHERE id = $1",
            deviceId, credentialHash, request.dump());
        tx.sql().exec_params("UPDATE enrollment_keys SET uses = uses + 1 WHERE id = $1", keyId);
        recordDeviceEvent(tx, {partnerId, orgId, siteId, deviceId}, "reenrollment_requested",
                          {{"hostname", hostname}, {"address", ctx.address()}});
        event.actorId = deviceId;
        event.resourceId = deviceId;
        event.details["reenrollment"] = "awaiting approval";
        ctx.audit(tx, event);
        tx.commit();
        return ApiResponse::json({{"device_id", deviceId},
                                  {"credential", credential},
                                  {"org_id", orgId},
                                  {"site_id", siteId},
                                  {"approval", approval},
                                  {"gateway_port", ctx.server.gatewayPort}},
                                 202);
    } else {
        // The same machine enrolling again with its own credential keeps its record (and history); its old
        // credential stops working.
        deviceId = existing[0][0].as<std::string>();
        approval = existing[0][2].as<std::string>();
        tx.sql().exec_params(
            "UPDATE devices SET site_id = $2, hostname = $3, os = $4, agent_version = $5, "
            "credential_hash = $6, enrollment_key_id = $7, enrolled_at = now(), updated_at = now(), "
            "pending_credential_hash = NULL, pending_enrollment = NULL, next_credential_hash = NULL WHERE id "
            "= "
            "$1",
            deviceId, siteId, hostname, os, agentVersion, credentialHash, keyId);
        event.details["reenrolled"] = true;
    }
    tx.sql().exec_params("UPDATE enrollment_keys SET uses = uses + 1 WHERE id = $1", keyId);
    recordDeviceEvent(tx, {partnerId, orgId, siteId, deviceId}, "enrolled",
                      {{"approval", approval}, {"reenrolled", !existing.empty()}, {"hostname", hostname}});
    event.actorId = deviceId;
    event.resourceId = deviceId;
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json({{"device_id", deviceId},
                              {"credential", credential},
                              {"org_id", orgId},
                              {"site_id", siteId},
                              {"approval", approval},
                              {"gateway_port", ctx.server.gatewayPort}},
                             201);
}

ApiResponse listDevices(RequestContext& ctx) {
    const AccessScope scope = ctx.require(DevicesRead);
    Pagination pagination(ctx);
    SqlParams params;
    std::string sql = std::string("SELECT ") + kDeviceJson +
                      ", lower(d.hostname) || ' ' || d.identity FROM devices d WHERE " +
                      deviceScopeSql(scope);
    for (const auto& [name, column] : {std::pair<std::string, std::string>{"org", "d.org_id"},
                                       {"site", "d.site_id"},
                                       {"group", "d.group_id"}}) {
        if (auto value = ctx.uuidQuery(name))
            sql += " AND " + column + " = " + params.add(*value) + "::uuid";
    }
    if (auto status = ctx.query("status")) {
        if (*status != "online" && *status != "offline")
            throw ApiError::badRequest("status must be online or offline");
        sql += " AND d.status = " + params.add(*status);
    }
    if (auto tag = ctx.query("tag")) {
        if (tag->empty() || tag->size() > 64)
            throw ApiError::badRequest("tag must be 1 to 64 characters long");
        // The GIN index answers the exact spelling; the tag list is short, so the case-blind check is cheap.
        sql += " AND lower(" + params.add(*tag) + ") = ANY (SELECT lower(t) FROM unnest(d.tags) t)";
    }
    if (auto approval = ctx.query("approval")) {
        if (*approval != "pending" && *approval != "approved")
            throw ApiError::badRequest("approval must be pending or approved");
        // Pending: new devices, and live ones a machine asked to take over by enrolling again.
        sql += *approval == "pending"
                   ? std::string(" AND (d.approval = 'pending' OR d.pending_enrollment IS NOT NULL)")
                   : " AND d.approval = 'approved' AND d.pending_enrollment IS NULL";
    }
    sql += pagination.sqlAfter(params, "lower(d.hostname) || ' ' || d.identity", "d.id") +
           " ORDER BY lower(d.hostname) || ' ' || d.identity, d.id" + pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
}

nlohmann::json fetchDevice(ScopedTransaction& tx, const std::string& id) {
    return jsonRow(
        tx.sql().exec_params1(std::string("SELECT (") + kDeviceJson +
                                  "::jsonb || jsonb_build_object('filesystems', d.last_filesystems))::text "
                                  "FROM devices d WHERE d.id = $1",
                              id));
}

ApiResponse getDevice(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(DevicesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireDevicePermission(ctx, tx, id, DevicesRead);
    return ApiResponse::json(fetchDevice(tx, id));
}

// One state change of a device, audited with the device's organisation. `change` runs it and returns what the
// event and the audit entry should say beyond who did it.
ApiResponse
changeDevice(RequestContext& ctx, const Permission& permission, const std::string& action,
             const std::string& eventKind,
             const std::function<nlohmann::json(ScopedTransaction&, const std::string&)>& change) {
    const std::string id = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(permission);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, id, permission);
    const nlohmann::json details = change(tx, id);
    nlohmann::json eventDetails{{"by", ctx.principal().label}};
    eventDetails.update(details);
    recordDeviceEvent(tx, {device.partnerId, device.orgId, device.siteId, id}, eventKind, eventDetails);
    AuditEvent event = ctx.auditEvent(action, "device", id);
    event.orgId = device.orgId;
    if (!details.empty())
        event.details = details;
    ctx.audit(tx, event);
    const nlohmann::json body = fetchDevice(tx, id);
    tx.commit();
    return ApiResponse::json(body);
}

ApiResponse changeDevice(RequestContext& ctx, const Permission& permission, const std::string& action,
                         const std::string& eventKind, const std::string& sql) {
    return changeDevice(ctx, permission, action, eventKind,
                        [&sql](ScopedTransaction& tx, const std::string& id) {
                            tx.sql().exec_params(sql, id);
                            return nlohmann::json::object();
                        });
}

ApiResponse approveDevice(RequestContext& ctx) {
    // A new device is let in; a machine that enrolled again under a live device's identity takes that device
    // over (the credential it was given replaces the device's, so whoever held the old one is cut off). The
    // device stays in its site: moving it is a separate, deliberate step. The row is locked while it is read
    // and changed, so what is applied is what was there.
    bool takeover = false;
    ApiResponse response = changeDevice(
        ctx, DevicesUpdate, "devices.approve", "approved", [&](ScopedTransaction& tx, const std::string& id) {
            const auto before = tx.sql().exec_params(
                "SELECT pending_enrollment IS NOT NULL, coalesce(pending_enrollment->>'address', '') FROM "
                "devices WHERE id = $1 FOR UPDATE",
                id);
            takeover = before[0][0].as<bool>();
            tx.sql().exec_params(
                "UPDATE devices SET approval = 'approved', updated_at = now(), "
                "credential_hash = coalesce(pending_credential_hash, credential_hash), "
                "next_credential_hash = CASE WHEN pending_enrollment IS NULL THEN next_credential_hash END, "
                "hostname = coalesce(pending_enrollment->>'hostname', hostname), "
                "os = coalesce(pending_enrollment->>'os', os), "
                "agent_version = coalesce(pending_enrollment->>'agent_version', agent_version), "
                "enrolled_at = CASE WHEN pending_enrollment IS NULL THEN enrolled_at ELSE now() END, "
                "pending_credential_hash = NULL, pending_enrollment = NULL WHERE id = $1",
                id);
            return takeover
                       ? nlohmann::json{{"takeover", true}, {"from_address", before[0][1].as<std::string>()}}
                       : nlohmann::json::object();
        });
    if (takeover && ctx.server.agents)
        ctx.server.agents->revoked(
            ctx.pathId("id", "device")); // the old credential's session, if one is open
    return response;
}

// Asks for a new device credential: handed over on the agent's connection at once (or at its next one), the
// old one working until the agent has stored the new one.
ApiResponse rotateCredential(RequestContext& ctx) {
    ApiResponse response = changeDevice(
        ctx, DevicesUpdate, "devices.rotate_credential", "updated",
        "UPDATE devices SET credential_rotation_requested = true, updated_at = now() WHERE id = $1 "
        "AND revoked_at IS NULL");
    if (ctx.server.agents)
        ctx.server.agents->rotateCredential(ctx.pathId("id", "device"));
    return response;
}

// Refuses a machine's request to take over a device's identity; the device is untouched.
ApiResponse refuseReenrollment(RequestContext& ctx) {
    return changeDevice(ctx, DevicesUpdate, "devices.reenrollment_refused", "reenrollment_refused",
                        "UPDATE devices SET pending_credential_hash = NULL, pending_enrollment = NULL, "
                        "updated_at = now() WHERE id = $1");
}

ApiResponse revokeDevice(RequestContext& ctx) {
    // A new random hash replaces the credential's, so the old one can never match again; a connected agent is
    // cut off as soon as the change has committed.
    ApiResponse response = changeDevice(
        ctx, DevicesDelete, "devices.revoke", "revoked",
        "UPDATE devices SET revoked_at = coalesce(revoked_at, now()), status = 'offline', "
        "connection_id = NULL, "
        "credential_hash = 'revoked:' || gen_random_uuid(), next_credential_hash = NULL, "
        "pending_credential_hash = NULL, pending_enrollment = NULL, updated_at = now() WHERE id = $1");
    if (ctx.server.agents)
        ctx.server.agents->revoked(ctx.pathId("id", "device"));
    return response;
}

// Changes where a device sits and how it is labelled: its site (within its organisation; the caller needs
// devices:update on both sites), its device group, its tags (replaced whole, or added to and removed from, so
// bulk tagging from several consoles never loses a tag). Inventory and open commands follow a moved device;
// history (metrics, events) stays where it happened. Each change is audited and announced to consoles.
ApiResponse updateDevice(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device");
    auto fields = ctx.fields();
    const auto siteId = fields.optionalUuid("site_id");
    const auto groupId = fields.optionalUuidOrNull("group_id");
    // Tags are compared without regard to case ("Web" and "web" are one; the first spelling stays): the
    // statement below keeps them unique, with PostgreSQL's lower() for all of Unicode.
    const auto tags = fields.optionalNameList("tags", 32, 64);
    const auto addTags = fields.optionalNameList("add_tags", 32, 64);
    const auto removeTags = fields.optionalNameList("remove_tags", 32, 64);
    fields.finish();
    if (!siteId && !groupId && !tags && !addTags && !removeTags)
        throw ApiError::badRequest("give at least one of site_id, group_id, tags, add_tags, remove_tags");
    if (tags && (addTags || removeTags))
        throw ApiError::badRequest("\"tags\" replaces every tag: send it alone, or add_tags and remove_tags");
    const AccessScope scope = ctx.require(DevicesUpdate);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, id, DevicesUpdate);
    const std::string targetSite = siteId.value_or(device.siteId);
    if (siteId && *siteId != device.siteId) {
        const SiteRef target = requireSitePermission(ctx, tx, *siteId, DevicesUpdate);
        if (target.orgId != device.orgId)
            throw ApiError(409, "other_organisation",
                           "a device moves between sites of its own organisation; enroll it again to move it "
                           "to another");
        tx.sql().exec_params("UPDATE devices SET site_id = $2, updated_at = now() WHERE id = $1", id,
                             *siteId);
        tx.sql().exec_params("UPDATE device_inventory SET site_id = $2 WHERE device_id = $1", id, *siteId);
        tx.sql().exec_params("UPDATE device_commands SET site_id = $2 WHERE device_id = $1 AND status IN "
                             "('pending', 'sent', 'running')",
                             id, *siteId);
        // A group of the old site cannot hold it any more; an organisation-wide group still does.
        const auto left = tx.sql().exec_params(
            "UPDATE devices d SET group_id = NULL FROM device_groups g WHERE d.id = $1 AND g.id = d.group_id "
            "AND g.site_id IS NOT NULL AND g.site_id <> $2 RETURNING d.id",
            id, *siteId);
        recordDeviceEvent(tx, {device.partnerId, device.orgId, *siteId, id}, "moved",
                          {{"from", device.siteId},
                           {"to", *siteId},
                           {"group_cleared", !left.empty()},
                           {"by", ctx.principal().label}});
        AuditEvent event = ctx.auditEvent("devices.move", "device", id);
        event.orgId = device.orgId;
        event.details = {{"from_site_id", device.siteId}, {"to_site_id", *siteId}};
        ctx.audit(tx, event);
    }
    nlohmann::json changes = nlohmann::json::object();
    if (groupId) {
        if (!groupId->empty()) {
            const auto rows =
                tx.sql().exec_params("SELECT g.org_id, g.site_id FROM device_groups g WHERE g.id = $1 AND " +
                                         scope.sqlOrg("g.partner_id", "g.org_id"),
                                     *groupId);
            if (rows.empty() || rows[0][0].as<std::string>() != device.orgId)
                throw ApiError::notFound("device group in the device's organisation");
            if (!rows[0][1].is_null() && rows[0][1].as<std::string>() != targetSite)
                throw ApiError(409, "other_site",
                               "that group belongs to another site; move the device to that site first");
        }
        tx.sql().exec_params(
            "UPDATE devices SET group_id = nullif($2, '')::uuid, updated_at = now() WHERE id = $1", id,
            *groupId);
        changes["group_id"] = groupId->empty() ? nlohmann::json(nullptr) : nlohmann::json(*groupId);
    }
    if (tags || addTags || removeTags) {
        // Case-insensitive set arithmetic in one statement, so concurrent bulk edits compose.
        pqxx::row row;
        try {
            row = tx.sql().exec_params1(
                "UPDATE devices d SET tags = coalesce((SELECT array_agg(t ORDER BY lower(t)) FROM ("
                "  SELECT DISTINCT ON (lower(t)) t FROM unnest(CASE WHEN $2 THEN $3::text[] "
                "    ELSE d.tags || $4::text[] END) WITH ORDINALITY AS u(t, n) "
                "  WHERE lower(t) <> ALL (SELECT lower(r) FROM unnest($5::text[]) r) ORDER BY lower(t), n) "
                "kept), "
                "'{}'), updated_at = now() WHERE d.id = $1 RETURNING array_to_json(d.tags)::text",
                id, tags.has_value(), textArrayLiteral(tags.value_or(std::vector<std::string>{})),
                textArrayLiteral(addTags.value_or(std::vector<std::string>{})),
                textArrayLiteral(removeTags.value_or(std::vector<std::string>{})));
        } catch (const pqxx::check_violation&) {
            throw ApiError::badRequest("a device carries at most 32 tags");
        }
        changes["tags"] = nlohmann::json::parse(row[0].c_str());
    }
    if (!changes.empty()) {
        nlohmann::json detail = changes;
        detail["by"] = ctx.principal().label;
        recordDeviceEvent(tx, {device.partnerId, device.orgId, targetSite, id}, "updated", detail);
        AuditEvent event = ctx.auditEvent("devices.update", "device", id);
        event.orgId = device.orgId;
        event.details = changes;
        ctx.audit(tx, event);
    }
    const nlohmann::json body = fetchDevice(tx, id);
    tx.commit();
    // Its connection was admitted with the old site, which scopes what it stores and who hears of it.
    if (siteId && *siteId != device.siteId && ctx.server.agents)
        ctx.server.agents->relocated(id);
    return ApiResponse::json(body);
}

ApiResponse deleteDevice(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(DevicesDelete);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, id, DevicesDelete);
    tx.sql().exec_params("DELETE FROM devices WHERE id = $1", id);
    recordDeviceEvent(tx, {device.partnerId, device.orgId, device.siteId, id}, "deleted",
                      {{"by", ctx.principal().label}});
    AuditEvent event = ctx.auditEvent("devices.delete", "device", id);
    event.orgId = device.orgId;
    ctx.audit(tx, event);
    tx.commit();
    if (ctx.server.agents)
        ctx.server.agents->revoked(id);
    return ApiResponse::noContent();
}
} // namespace

void registerDeviceRoutes(Router& router) {
    router.add({"POST", "/api/v1/agent/enroll", "devices.enroll", RouteAccess::Public, enroll});
    router.add({"GET", "/api/v1/devices", "", RouteAccess::Authenticated, listDevices});
    router.add({"GET", "/api/v1/devices/{id}", "", RouteAccess::Authenticated, getDevice});
    router.add({"POST", "/api/v1/devices/{id}/approve", "devices.approve", RouteAccess::Authenticated,
                approveDevice});
    router.add({"POST", "/api/v1/devices/{id}/rotate-credential", "devices.rotate_credential",
                RouteAccess::Authenticated, rotateCredential});
    router.add({"DELETE", "/api/v1/devices/{id}/reenrollment", "devices.reenrollment_refused",
                RouteAccess::Authenticated, refuseReenrollment});
    router.add(
        {"POST", "/api/v1/devices/{id}/revoke", "devices.revoke", RouteAccess::Authenticated, revokeDevice});
    router.add(
        {"DELETE", "/api/v1/devices/{id}", "devices.delete", RouteAccess::Authenticated, deleteDevice});
    router.add({"PATCH", "/api/v1/devices/{id}", "devices.update", RouteAccess::Authenticated, updateDevice});
}

} // namespace breeze::server
