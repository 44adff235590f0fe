#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class Pagination;
class ScopedTransaction;

// The SQL of device records: enrollment, approval, credentials, removal, and the device as the API shows it.
// Everything runs in the caller's transaction, whose scope decides what it may see; result columns are read
// by name.
class DeviceStore {
public:
    explicit DeviceStore(ScopedTransaction& tx) : m_tx(tx) {}

    // What a device list may be narrowed to; every field checked by the caller.
    struct Filter {
        std::optional<std::string> orgId, siteId, groupId, status, tag;
        std::optional<bool> pendingApproval; // true: new devices and takeover requests; false: neither
    };
    // One page of devices within `scopeSql` (over d.partner_id, d.org_id, d.site_id), by host name.
    nlohmann::json list(const Filter& filter, const Pagination& pagination, const std::string& scopeSql);

    // The device as the REST API shows it: one JSON object per row of `devices d` (for lists).
    static const char* jsonColumn();

    struct EnrollmentKey {
        std::string id, partnerId, orgId, siteId;
        bool revoked = false, expired = false, usedUp = false, requiresApproval = false;
    };
    // The key with that hash, locked until the transaction ends (uses are counted under the lock).
    std::optional<EnrollmentKey> lockEnrollmentKey(const std::string& keyHash);
    void countKeyUse(const std::string& keyId);

    struct Existing {
        std::string id;
        bool revoked = false;
        std::string approval;
        bool proven = false; // the enrolling machine sent this device's current credential
    };
    // The organisation's device with that identity, locked.
    std::optional<Existing> lockByIdentity(const std::string& orgId, const std::string& identity,
                                           const std::string& proofHash);

    struct Enrollment {
        std::string partnerId, orgId, siteId, identity, hostname, os, agentVersion, approval, credentialHash,
            keyId;
    };
    std::string insert(const Enrollment& enrollment);
    // The device's own agent enrolled again (with proof): a new credential, where the key puts it.
    void reenroll(const std::string& deviceId, const Enrollment& enrollment);
    // Another machine asked for the device's identity: its credential and what it said wait for approval.
    void requestTakeover(const std::string& deviceId, const std::string& credentialHash,
                         const nlohmann::json& request);

    struct Approval {
        bool takeover = false;
        std::string fromAddress;
    };
    // Lets a waiting device in, or gives a waiting takeover the device's place; the row is locked throughout.
    Approval approve(const std::string& deviceId);
    void refuseTakeover(const std::string& deviceId);
    void revoke(const std::string& deviceId);
    void requestCredentialRotation(const std::string& deviceId);
    void remove(const std::string& deviceId);
    // Moves the device, its inventory and its open commands to another site of its organisation; true when it
    // left a group of the old site (an organisation-wide group still holds it).
    bool moveToSite(const std::string& deviceId, const std::string& siteId);
    struct GroupPlace {
        std::string orgId;
        std::optional<std::string> siteId; // none: organisation-wide
    };
    // Where a group the caller's scope (`scopeSql` over g.partner_id, g.org_id) can see lives.
    std::optional<GroupPlace> groupPlace(const std::string& groupId, const std::string& scopeSql);
    void setGroup(const std::string& deviceId, const std::string& groupId); // "" leaves every group
    // Replaces the tags (when `replace`) or adds and removes some, without regard to case, in one statement
    // so concurrent bulk edits compose; the tags as they are now. Throws pqxx::check_violation past 32 tags.
    nlohmann::json changeTags(const std::string& deviceId, bool replace, const std::string& tagsLiteral,
                              const std::string& addLiteral, const std::string& removeLiteral);
    // The device as the API shows it, with its filesystems.
    nlohmann::json fetch(const std::string& deviceId);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
