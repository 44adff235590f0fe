#pragma once

#include "alerts/AlertRule.h"
#include "alerts/MaintenanceCalendar.h"

#include <unordered_map>

namespace breeze::server {

// Rules, their assignments and where devices sit: enough to say which rules apply to a device and why. The
// nearest assignment decides: a rule assigned to the organisation and excluded at a site does not apply to
// that site's devices, unless a group or the device itself is assigned it again. An organisation's own rule
// never reaches outside it.
class RuleBook {
public:
    void addRule(AlertRule rule);
    void addAssignment(RuleAssignment assignment);
    void place(DevicePlacement placement);

    const DevicePlacement* placement(const std::string& deviceId) const;
    const AlertRule* rule(const std::string& ruleId) const;
    std::size_t ruleCount() const { return m_rules.size(); }
    std::size_t deviceCount() const { return m_placements.size(); }
    // Every rule that applies to the device, disabled ones included when asked (the console shows them).
    std::vector<EffectiveRule> effectiveRules(const DevicePlacement& device,
                                              bool includeDisabled = false) const;
    MaintenanceCalendar& maintenance() { return m_maintenance; }
    const MaintenanceCalendar& maintenance() const { return m_maintenance; }
    // Every device placed, for what applies to many (a window's end).
    template <typename Visit> void forEachDevice(Visit visit) const {
        for (const auto& [id, placement] : m_placements)
            visit(placement);
    }

private:
    std::unordered_map<std::string, std::shared_ptr<const AlertRule>> m_rules;
    std::unordered_map<std::string, std::vector<RuleAssignment>> m_assignmentsByTarget;
    std::unordered_map<std::string, DevicePlacement> m_placements;
    MaintenanceCalendar m_maintenance;
};

} // namespace breeze::server
