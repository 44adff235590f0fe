#pragma once

#include "alerts/RuleBook.h"

#include <optional>
#include <string>

namespace pqxx {
class row;
}

namespace breeze::server {

class ScopedTransaction;

// Reads rules, assignments and device placements into a RuleBook: everything the transaction's scope sees
// (the alert engine reads all of it as the system), or one device's share for the console's "effective
// rules".
class AlertConfigStore {
public:
    explicit AlertConfigStore(ScopedTransaction& tx) : m_tx(tx) {}

    RuleBook loadAll();
    // The rules of the device's partner and organisation, their assignments, and the device; nullopt when the
    // device is not visible.
    std::optional<RuleBook> loadForDevice(const std::string& deviceId);
    std::optional<DevicePlacement> placement(const std::string& deviceId);

    // The columns ruleFrom reads, over alias `r`.
    static const char* ruleColumnsSql();
    static AlertRule ruleFrom(const pqxx::row& row);

private:
    void loadRules(RuleBook& book, const std::optional<std::string>& partnerId);
    void loadAssignments(RuleBook& book, const std::optional<std::string>& partnerId);

    ScopedTransaction& m_tx;
};

} // namespace breeze::server
