#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class Pagination;
class ScopedTransaction;

// The SQL of the tenant tree: the partner, its organisations, their sites and device groups, each as the API
// shows it. Reads and changes take the caller's scope as SQL where the table has one. A name already taken
// surfaces as pqxx::unique_violation for the route to word.
class TenancyStore {
public:
    explicit TenancyStore(ScopedTransaction& tx) : m_tx(tx) {}

    std::optional<nlohmann::json> findPartner(const std::string& id);
    nlohmann::json updatePartner(const std::string& id, const std::optional<std::string>& name,
                                 std::optional<bool> requireMfa);

    // Organisations; `scopeSql` is over o.partner_id and o.id.
    nlohmann::json listOrgs(const std::optional<std::string>& nameContains, const Pagination& pagination,
                            const std::string& scopeSql);
    nlohmann::json insertOrg(const std::string& partnerId, const std::string& name, bool requireApproval);
    std::optional<nlohmann::json> findOrg(const std::string& id, const std::string& scopeSql);
    nlohmann::json updateOrg(const std::string& id, const std::optional<std::string>& name,
                             std::optional<bool> requireApproval, const std::string& scopeSql);
    struct OrgContents {
        long long sites = 0;
        long long users = 0; // whose home is the organisation
    };
    OrgContents orgContents(const std::string& id);
    void deleteOrg(const std::string& id, const std::string& scopeSql);

    bool timezoneExists(const std::string& name);

    // Sites; `scopeSql` is over s.partner_id, s.org_id and s.id.
    nlohmann::json listSites(const std::optional<std::string>& orgId,
                             const std::optional<std::string>& nameContains, const Pagination& pagination,
                             const std::string& scopeSql);
    nlohmann::json insertSite(const std::string& partnerId, const std::string& orgId, const std::string& name,
                              const std::string& timezone);
    std::optional<nlohmann::json> findSite(const std::string& id, const std::string& scopeSql);
    nlohmann::json updateSite(const std::string& id, const std::optional<std::string>& name,
                              const std::optional<std::string>& timezone, const std::string& scopeSql);
    void deleteSite(const std::string& id, const std::string& scopeSql);

    // Device groups; `scopeSql` is over g (see groupScopeSql). Changes come after requireGroupPermission.
    nlohmann::json listGroups(const std::optional<std::string>& orgId,
                              const std::optional<std::string>& siteId,
                              const std::optional<std::string>& nameContains, const Pagination& pagination,
                              const std::string& scopeSql);
    nlohmann::json insertGroup(const std::string& partnerId, const std::string& orgId,
                               const std::optional<std::string>& siteId, const std::string& name);
    std::optional<nlohmann::json> findGroup(const std::string& id, const std::string& scopeSql);
    nlohmann::json updateGroup(const std::string& id, const std::optional<std::string>& name);
    // Its devices stay where they are, outside any group, and each gets an 'updated' event for consoles.
    void deleteGroup(const std::string& id, const std::string& byLabel);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
