#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

class Pagination;
class ScopedTransaction;
struct DeviceTargets;

// The SQL of file pushes (migrations/0024): a push, a line per device, and the claims by which the node
// holding a device's agent delivers to it (one node at a time, taken over when its lease runs out).
class FilePushStore {
public:
    explicit FilePushStore(ScopedTransaction& tx) : m_tx(tx) {}

    struct Device {
        std::string id, partnerId, orgId, siteId;
    };
    struct NewPush {
        std::string partnerId, ownerId, sha256, path, conflict, actorType, actorLabel;
        std::uint64_t size = 0;
        nlohmann::json targets;
    };
    // One delivery a node has taken on.
    struct Claim {
        std::string pushId, deviceId, partnerId, orgId, siteId, ownerId, actorType, actorLabel;
        std::string sha256, path, conflict, root;
        std::uint64_t size = 0;
        int attempts = 0;
    };

    std::vector<Device> devices(const DeviceTargets& aim, const std::string& deviceScopeSql);
    std::string insert(const NewPush& push);
    void addTarget(const std::string& pushId, const Device& device, const std::string& root);
    // The push with the lines the caller may see, and how many are in each state; none when it is not theirs
    // to see (neither theirs nor reaching a device they can see).
    std::optional<nlohmann::json> find(const std::string& id, const std::string& actorId);
    nlohmann::json list(const std::string& actorId, const Pagination& pagination);

    // Deliveries this node can make now (the device's agent is held here): pending ones due, and running ones
    // whose node stopped renewing its lease.
    std::vector<Claim> claim(const std::string& nodeUrl, int most, int leaseSeconds);
    // Fails the open lines whose maker can no longer act or whose device moved.
    void failStale();
    // Keeps a long delivery's claim (only while this attempt still holds it).
    void renewLease(const Claim& claim, int leaseSeconds);
    // finish() and retryLater() record only while this attempt still holds the line.
    void setSession(const Claim& claim, const std::string& sessionId);
    void finish(const Claim& claim, const std::string& state, const std::string& writtenPath,
                const std::string& writtenSha256, const std::string& error);
    // Tried again after `delaySeconds`, or failed for good after `mostAttempts`.
    void retryLater(const Claim& claim, const std::string& error, int delaySeconds, int mostAttempts);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
