#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

class AccessScope;
class Pagination;
class ScopedTransaction;
struct DeviceTargets;

// The SQL of patch deployments: the devices a deployment aims at, the deployment itself as the API shows it
// (with its commands' statuses), each device's outcome, and cancelling one still scheduled. A deployment is
// visible to a whole-partner scope, or by its single organisation.
class PatchDeploymentStore {
public:
    explicit PatchDeploymentStore(ScopedTransaction& tx) : m_tx(tx) {}

    static std::string scopeSql(const AccessScope& scope); // over pd

    struct Target {
        std::string deviceId, orgId;
    };
    // Enrolled devices the targets hold; `deviceScopeSql` is over d.
    std::vector<Target> targets(const DeviceTargets& aim, const std::string& deviceScopeSql);

    struct NewDeployment {
        std::string partnerId;
        std::string orgId; // empty when the devices span organisations
        nlohmann::json targets;
        std::vector<std::string> deviceIds;
        std::optional<std::string> scheduledAt; // none: now
        std::string requestedBy;
        std::string requestedByUser;       // empty unless a user asked
        std::optional<std::string> reboot; // never, if_required or always; none: the policy's
    };
    // Throws pqxx::data_exception when `scheduledAt` is not a time.
    std::string insert(const NewDeployment& deployment);
    bool isDue(const std::string& id);
    // What a deployment to these devices would install now, device by device, with the policy each follows
    // (its maintenance window in the site's time zone, and how it restarts).
    nlohmann::json preview(const std::vector<std::string>& deviceIds);
    nlohmann::json deployment(const std::string& id); // one already allowed
    std::optional<nlohmann::json> find(const std::string& id, const std::string& scopeSql);
    // Each targeted device the caller may see (`commandScopeSql` over c) with its command and package
    // results.
    nlohmann::json devices(const std::string& id, const std::string& commandScopeSql);
    nlohmann::json list(const std::optional<std::string>& deviceId, const Pagination& pagination,
                        const std::string& scopeSql); // newest first

    std::optional<std::string> lockStatus(const std::string& id, const std::string& scopeSql);
    void cancel(const std::string& id);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
