#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class ScopedTransaction;

// Patch compliance as the caller's scope sees it: the shares of fully patched devices overall and per class,
// now (in total and per site) and day by day. `scopeSql` is over c.partner_id, c.org_id and c.site_id.
class PatchComplianceStore {
public:
    explicit PatchComplianceStore(ScopedTransaction& tx) : m_tx(tx) {}

    // {"total": figures, "sites": [figures + names], "history": [figures + day]} over the last `days` days.
    nlohmann::json report(const std::optional<std::string>& orgId, const std::optional<std::string>& siteId,
                          int days, const std::string& scopeSql);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
