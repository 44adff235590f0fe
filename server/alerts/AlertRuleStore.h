#pragma once

#include "alerts/AlertRule.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class ScopedTransaction;

// Alert rules and their assignments in SQL, as the API shows them (with each assignment's target named).
class AlertRuleStore {
public:
    explicit AlertRuleStore(ScopedTransaction& tx) : m_tx(tx) {}

    nlohmann::json insert(const AlertRule& rule, const std::string& createdBy);
    void update(const AlertRule& rule);
    void remove(const std::string& id);
    nlohmann::json list(const std::string& scopeSql, const std::optional<std::string>& orgId);
    std::optional<nlohmann::json> find(const std::string& id, const std::string& scopeSql);
    std::optional<AlertRule> rule(const std::string& id, const std::string& scopeSql);
    bool nameTaken(const std::string& partnerId, const std::optional<std::string>& orgId,
                   const std::string& name, const std::string& exceptId);
    long long count(const std::string& partnerId);

    // The organisation a target lies in (nullopt for the partner itself, or when the caller cannot see it);
    // `found` says whether it exists for the caller at all.
    std::optional<std::string> targetOrganisation(AssignmentLevel level, const std::string& targetId,
                                                  bool& found);
    nlohmann::json assign(const RuleAssignment& assignment, const std::string& partnerId,
                          const std::optional<std::string>& orgId);
    std::optional<nlohmann::json> assignment(const std::string& ruleId, const std::string& assignmentId);
    void unassign(const std::string& assignmentId);
    std::vector<nlohmann::json> overrides(const std::string& ruleId);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
