#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

class Pagination;
class ScopedTransaction;

// The SQL of the update catalog as the caller's devices see it: updates with their per-device states and
// classification, decisions at each level, each device's results, and what a rollback needs. `scopeSql` is
// over dp.partner_id, dp.org_id and dp.site_id unless said otherwise.
class PatchCatalogStore {
public:
    explicit PatchCatalogStore(ScopedTransaction& tx) : m_tx(tx) {}

    struct Filter {
        std::optional<std::string> orgId, siteId, deviceId;
        std::optional<bool> security;
        std::optional<std::string> severity, search, state;
    };
    nlohmann::json list(const Filter& filter, const Pagination& pagination, const std::string& scopeSql);
    bool visible(const std::string& patchId,
                 const std::string& scopeSql); // one of the caller's devices met it
    nlohmann::json patch(const std::string& patchId, const std::string& scopeSql); // with its decisions

    // Every update one device has met, with its state and the decision that applies to it.
    nlohmann::json forDevice(const std::string& deviceId);
    nlohmann::json results(const std::string& deviceId, const Pagination& pagination); // newest first

    struct Installed {
        std::string name, installedVersion, state;
    };
    std::optional<Installed> installed(const std::string& deviceId, const std::string& patchId);

    // A decision at one level; empty ids mean "not at that level". Deciding "none" only clears.
    std::optional<std::string> policyOrganisation(const std::string& policyId, const std::string& partnerId);
    struct Decision {
        std::string partnerId, patchId, level, orgId, siteId, deviceId, policyId, decision, decidedBy;
        std::optional<std::string> deferUntil;
        std::optional<long long> deferDays;
    };
    // Throws pqxx::data_exception when `deferUntil` is not a time.
    void decide(const Decision& decision);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
