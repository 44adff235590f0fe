#include "devices/DeviceRoutes.h"

#include "crypto/Digest.h"
#include "crypto/SecureRandom.h"
#include "db/PgText.h"
#include "devices/DeviceAccess.h"
#include "devices/DeviceEvents.h"
#include "devices/DeviceStore.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "sessions/SessionStore.h"
#include "tenancy/TenantLookup.h"

#include <functional>

namespace breeze::server {

namespace {
using namespace permissions;

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
    const std::string keyText = fields.requiredString("key", 1, 200);
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

    DeviceStore devices(tx);
    const auto key = devices.lockEnrollmentKey(crypto::Digest::sha256Hex(keyText));
    if (!key)
        refuse(401, "invalid_enrollment_key", "the enrollment key is not valid", "unknown enrollment key");
    const std::string& keyId = key->id;
    const std::string& partnerId = key->partnerId;
    const std::string& orgId = key->orgId;
    const std::string& siteId = key->siteId;
    event.partnerId = partnerId;
    event.orgId = orgId;
    event.details["enrollment_key_id"] = keyId;
    if (key->revoked)
        refuse(403, "enrollment_key_revoked", "this enrollment key has been revoked",
               "enrollment key revoked");
    if (key->expired)
        refuse(403, "enrollment_key_expired", "this enrollment key has expired", "enrollment key expired");
    if (key->usedUp)
        refuse(403, "enrollment_key_used_up", "this enrollment key has been used as many times as it allows",
               "enrollment key used up");

    const auto existing =
        devices.lockByIdentity(orgId, identity, proof ? crypto::Digest::sha256Hex(*proof) : std::string());
    if (existing && existing->revoked)
        refuse(403, "device_revoked",
               "this machine's device record was revoked; an administrator must delete it before it can "
               "enroll again",
               "device revoked");
    const std::string credential = kCredentialPrefix + crypto::SecureRandom::token(32);
    DeviceStore::Enrollment enrollment{partnerId,    orgId,    siteId,
                                       identity,     hostname, os,
                                       agentVersion, "",       crypto::Digest::sha256Hex(credential),
                                       keyId};
    std::string deviceId;
    std::string approval;
    if (!existing) {
        approval = key->requiresApproval ? "pending" : "approved";
        enrollment.approval = approval;
        deviceId = devices.insert(enrollment);
    } else if (!existing->proven) {
        // The identity is shown in the console, so knowing it proves nothing. Until an administrator
        // approves, the device keeps working with its own credential and the newcomer gets nothing: no
        // session, no commands, no secrets, no site move. A newer request replaces an older one.
        deviceId = existing->id;
        approval = "pending";
        devices.requestTakeover(deviceId, enrollment.credentialHash,
                                {{"site_id", siteId},
                                 {"hostname", hostname},
                                 {"os", os},
                                 {"agent_version", agentVersion},
                                 {"address", ctx.address()},
                                 {"enrollment_key_id", keyId}});
        devices.countKeyUse(keyId);
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
        deviceId = existing->id;
        approval = existing->approval;
        devices.reenroll(deviceId, enrollment);
        event.details["reenrolled"] = true;
    }
    devices.countKeyUse(keyId);
    recordDeviceEvent(tx, {partnerId, orgId, siteId, deviceId}, "enrolled",
                      {{"approval", approval}, {"reenrolled", existing.has_value()}, {"hostname", hostname}});
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
    DeviceStore::Filter filter{ctx.uuidQuery("org"), ctx.uuidQuery("site"), ctx.uuidQuery("group"),
                               ctx.query("status"),  ctx.query("tag"),      std::nullopt};
    if (filter.status && *filter.status != "online" && *filter.status != "offline")
        throw ApiError::badRequest("status must be online or offline");
    if (filter.tag && (filter.tag->empty() || filter.tag->size() > 64))
        throw ApiError::badRequest("tag must be 1 to 64 characters long");
    if (auto approval = ctx.query("approval")) {
        if (*approval != "pending" && *approval != "approved")
            throw ApiError::badRequest("approval must be pending or approved");
        filter.pendingApproval = *approval == "pending";
    }
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(DeviceStore(tx).list(filter, pagination, deviceScopeSql(scope)));
}

nlohmann::json fetchDevice(ScopedTransaction& tx, const std::string& id) {
    return DeviceStore(tx).fetch(id);
}

ApiResponse getDevice(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(DevicesRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireDevicePermission(ctx, tx, id, DevicesRead);
    return ApiResponse::json(fetchDevice(tx, id));
}

// What a change of a device adds to its event (beside who made it) and to its audit entry.
struct DeviceChange {
    nlohmann::json event = nlohmann::json::object();
    nlohmann::json audit = nlohmann::json::object();
};

// One state change of a device, audited with the device's organisation. `change` runs it and says what the
// event and the audit entry should add.
ApiResponse changeDevice(RequestContext& ctx, const Permission& permission, const std::string& action,
                         const std::string& eventKind,
                         const std::function<DeviceChange(ScopedTransaction&, const std::string&)>& change) {
    const std::string id = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(permission);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const DeviceRef device = requireDevicePermission(ctx, tx, id, permission);
    const DeviceChange details = change(tx, id);
    nlohmann::json eventDetails{{"by", ctx.principal().label}};
    eventDetails.update(details.event);
    recordDeviceEvent(tx, {device.partnerId, device.orgId, device.siteId, id}, eventKind, eventDetails);
    AuditEvent event = ctx.auditEvent(action, "device", id);
    event.orgId = device.orgId;
    if (!details.audit.empty())
        event.details = details.audit;
    ctx.audit(tx, event);
    const nlohmann::json body = fetchDevice(tx, id);
    tx.commit();
    return ApiResponse::json(body);
}

ApiResponse approveDevice(RequestContext& ctx) {
    // A new device is let in; a machine that enrolled again under a live device's identity takes that device
    // over (the credential it was given replaces the device's, so whoever held the old one is cut off). The
    // device stays in its site: moving it is a separate, deliberate step. The row is locked while it is read
    // and changed, so what is applied is what was there.
    bool takeover = false;
    ApiResponse response = changeDevice(
        ctx, DevicesUpdate, "devices.approve", "approved", [&](ScopedTransaction& tx, const std::string& id) {
            const auto approval = DeviceStore(tx).approve(id);
            takeover = approval.takeover;
            DeviceChange change;
            change.event = {{"takeover", takeover}};
            if (takeover)
                change.audit = {{"takeover", true}, {"from_address", approval.fromAddress}};
            return change;
        });
    if (takeover && ctx.server.agents)
        ctx.server.agents->revoked(
            ctx.pathId("id", "device")); // the old credential's session, if one is open
    return response;
}

// Asks for a new device credential: handed over on the agent's connection at once (or at its next one), the
// old one working until the agent has stored the new one.
ApiResponse rotateCredential(RequestContext& ctx) {
    ApiResponse response = changeDevice(ctx, DevicesUpdate, "devices.rotate_credential", "updated",
                                        [](ScopedTransaction& tx, const std::string& id) {
                                            DeviceStore(tx).requestCredentialRotation(id);
                                            return DeviceChange{};
                                        });
    if (ctx.server.agents)
        ctx.server.agents->rotateCredential(ctx.pathId("id", "device"));
    return response;
}

// Refuses a machine's request to take over a device's identity; the device is untouched.
ApiResponse refuseReenrollment(RequestContext& ctx) {
    return changeDevice(ctx, DevicesUpdate, "devices.reenrollment_refused", "reenrollment_refused",
                        [](ScopedTransaction& tx, const std::string& id) {
                            DeviceStore(tx).refuseTakeover(id);
                            return DeviceChange{};
                        });
}

ApiResponse revokeDevice(RequestContext& ctx) {
    // A connected agent is cut off as soon as the change has committed.
    ApiResponse response = changeDevice(ctx, DevicesDelete, "devices.revoke", "revoked",
                                        [](ScopedTransaction& tx, const std::string& id) {
                                            DeviceStore(tx).revoke(id);
                                            return DeviceChange{};
                                        });
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
        // A group of the old site cannot hold it any more; an organisation-wide group still does.
        const bool leftGroup = DeviceStore(tx).moveToSite(id, *siteId);
        SessionStore(tx).closeLiveOf(id, "the device moved to another site");
        recordDeviceEvent(tx, {device.partnerId, device.orgId, *siteId, id}, "moved",
                          {{"from", device.siteId},
                           {"to", *siteId},
                           {"group_cleared", leftGroup},
                           {"by", ctx.principal().label}});
        AuditEvent event = ctx.auditEvent("devices.move", "device", id);
        event.orgId = device.orgId;
        event.details = {{"from_site_id", device.siteId}, {"to_site_id", *siteId}};
        ctx.audit(tx, event);
    }
    nlohmann::json changes = nlohmann::json::object();
    if (groupId) {
        if (!groupId->empty()) {
            const auto place = DeviceStore(tx).groupPlace(*groupId, scope.sqlOrg("g.partner_id", "g.org_id"));
            if (!place || place->orgId != device.orgId)
                throw ApiError::notFound("device group in the device's organisation");
            if (place->siteId && *place->siteId != targetSite)
                throw ApiError(409, "other_site",
                               "that group belongs to another site; move the device to that site first");
        }
        DeviceStore(tx).setGroup(id, *groupId);
        changes["group_id"] = groupId->empty() ? nlohmann::json(nullptr) : nlohmann::json(*groupId);
    }
    if (tags || addTags || removeTags) {
        try {
            changes["tags"] = DeviceStore(tx).changeTags(
                id, tags.has_value(), textArrayLiteral(tags.value_or(std::vector<std::string>{})),
                textArrayLiteral(addTags.value_or(std::vector<std::string>{})),
                textArrayLiteral(removeTags.value_or(std::vector<std::string>{})));
        } catch (const pqxx::check_violation&) {
            throw ApiError::badRequest("a device carries at most 32 tags");
        }
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
    DeviceStore(tx).remove(id);
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
    router.add({HttpMethod::Post, "/api/v1/agent/enroll", "devices.enroll", RouteAccess::Public, enroll});
    router.add({HttpMethod::Get, "/api/v1/devices", "", RouteAccess::Authenticated, listDevices});
    router.add({HttpMethod::Get, "/api/v1/devices/{id}", "", RouteAccess::Authenticated, getDevice});
    router.add({HttpMethod::Post, "/api/v1/devices/{id}/approve", "devices.approve",
                RouteAccess::Authenticated, approveDevice});
    router.add({HttpMethod::Post, "/api/v1/devices/{id}/rotate-credential", "devices.rotate_credential",
                RouteAccess::Authenticated, rotateCredential});
    router.add({HttpMethod::Delete, "/api/v1/devices/{id}/reenrollment", "devices.reenrollment_refused",
                RouteAccess::Authenticated, refuseReenrollment});
    router.add({HttpMethod::Post, "/api/v1/devices/{id}/revoke", "devices.revoke", RouteAccess::Authenticated,
                revokeDevice});
    router.add({HttpMethod::Delete, "/api/v1/devices/{id}", "devices.delete", RouteAccess::Authenticated,
                deleteDevice});
    router.add({HttpMethod::Patch, "/api/v1/devices/{id}", "devices.update", RouteAccess::Authenticated,
                updateDevice});
}

} // namespace breeze::server
