#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class ScopedTransaction;

// Maintenance windows in SQL.
class MaintenanceStore {
public:
    explicit MaintenanceStore(ScopedTransaction& tx) : m_tx(tx) {}

    struct NewWindow {
        std::string partnerId;
        std::string orgId;
        std::string scope;
        std::string targetId;
        std::string startsAt; // as given: an ISO 8601 time with its offset
        std::string endsAt;
        std::string repeat;
        std::string reason;
        std::string createdBy;
    };
    // Throws pqxx::data_exception for times PostgreSQL cannot read.
    nlohmann::json insert(const NewWindow& window);
    nlohmann::json list(const std::string& scopeSql, const std::optional<std::string>& orgId);
    std::optional<nlohmann::json> find(const std::string& id, const std::string& scopeSql);
    void remove(const std::string& id);
    // The site of a device the transaction sees.
    std::optional<std::string> siteOfDevice(const std::string& deviceId);
    long long count(const std::string& partnerId);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
