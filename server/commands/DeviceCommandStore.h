#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class Pagination;
class ScopedTransaction;

// The SQL of commands as people see and change them (the agent side is agents/CommandStore): one command as
// the API shows it, pages of them, where one lives, and cancelling. Columns are read by name.
class DeviceCommandStore {
public:
    explicit DeviceCommandStore(ScopedTransaction& tx) : m_tx(tx) {}

    nlohmann::json fetch(const std::string& commandId);

    struct Filter {
        std::optional<std::string> deviceId, orgId, siteId, status, type;
        // false: without the read-only listings consoles ask for to fill their tabs (processes, services).
        std::optional<bool> listings;
    };
    // Newest first, within `scopeSql` (over c.partner_id, c.org_id, c.site_id).
    nlohmann::json list(const Filter& filter, const Pagination& pagination, const std::string& scopeSql);

    struct Place {
        std::string deviceId, orgId, siteId, status;
    };
    std::optional<Place> place(const std::string& commandId, const std::string& scopeSql);

    // Locks the command and reads its status again (the agent may be finishing it right now).
    std::string lockStatus(const std::string& commandId, const std::string& orgId);
    void cancel(const std::string& commandId, const std::string& orgId, bool reachedAgent,
                const std::string& by);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
