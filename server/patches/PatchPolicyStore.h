#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace breeze::server {

class ScopedTransaction;

// The SQL of patch policies and their assignments. Settings arrive as (column, value) pairs whose column
// names the routes chose from a fixed list; values always travel as parameters.
class PatchPolicyStore {
public:
    using Settings = std::vector<std::pair<std::string, std::optional<std::string>>>;

    explicit PatchPolicyStore(ScopedTransaction& tx) : m_tx(tx) {}

    // `scopeSql` is over pol.partner_id, pol.org_id (see the routes' policyScopeSql).
    nlohmann::json list(const std::string& scopeSql);
    nlohmann::json fetch(const std::string& policyId);
    // Found: the policy's organisation (none for a partner-wide policy).
    std::optional<std::optional<std::string>> organisation(const std::string& policyId,
                                                           const std::string& scopeSql);
    // Found: the script's organisation (none for the partner-wide library); `scopeSql` over the scripts `s`.
    std::optional<std::optional<std::string>> scriptOrganisation(const std::string& scriptId,
                                                                 const std::string& scopeSql);
    // Throws pqxx::unique_violation when the name is taken there.
    std::string insert(const std::string& partnerId, const std::optional<std::string>& orgId,
                       const std::string& name, const std::string& createdBy, const Settings& settings);
    void update(const std::string& policyId, const Settings& settings);
    void remove(const std::string& policyId);
    // The policy for an organisation (no site) or one site, replacing what that level had.
    void assign(const std::string& policyId, const std::string& partnerId, const std::string& orgId,
                const std::optional<std::string>& siteId);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
