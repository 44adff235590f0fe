#include "alerts/RuleBook.h"

#include <array>
#include <map>

namespace breeze::server {

namespace {
constexpr std::array<const char*, 5> kLevelNames{"partner", "org", "site", "group", "device"};
}

const char* levelName(AssignmentLevel level) {
    return kLevelNames[static_cast<std::size_t>(level)];
}

std::optional<AssignmentLevel> levelNamed(const std::string& name) {
    for (std::size_t i = 0; i < kLevelNames.size(); ++i)
        if (name == kLevelNames[i])
            return static_cast<AssignmentLevel>(i);
    return std::nullopt;
}

void RuleBook::addRule(AlertRule rule) {
    auto id = rule.id;
    m_rules[id] = std::make_shared<const AlertRule>(std::move(rule));
}

void RuleBook::addAssignment(RuleAssignment assignment) {
    auto target = assignment.targetId;
    m_assignmentsByTarget[target].push_back(std::move(assignment));
}

void RuleBook::place(DevicePlacement placement) {
    auto id = placement.deviceId;
    m_placements[id] = std::move(placement);
}

const DevicePlacement* RuleBook::placement(const std::string& deviceId) const {
    const auto it = m_placements.find(deviceId);
    return it == m_placements.end() ? nullptr : &it->second;
}

const AlertRule* RuleBook::rule(const std::string& ruleId) const {
    const auto it = m_rules.find(ruleId);
    return it == m_rules.end() ? nullptr : it->second.get();
}

std::vector<EffectiveRule> RuleBook::effectiveRules(const DevicePlacement& device,
                                                    bool includeDisabled) const {
    const std::array<std::pair<AssignmentLevel, const std::string*>, 5> path{
        {{AssignmentLevel::Partner, &device.partnerId},
         {AssignmentLevel::Org, &device.orgId},
         {AssignmentLevel::Site, &device.siteId},
         {AssignmentLevel::Group, &device.groupId},
         {AssignmentLevel::Device, &device.deviceId}}};
    // Walking from the partner down, each level's assignment replaces the one above it.
    std::map<std::string, const RuleAssignment*> nearest;
    for (const auto& [level, target] : path) {
        if (target->empty())
            continue;
        const auto it = m_assignmentsByTarget.find(*target);
        if (it == m_assignmentsByTarget.end())
            continue;
        for (const auto& assignment : it->second)
            if (assignment.level == level)
                nearest[assignment.ruleId] = &assignment;
    }
    std::vector<EffectiveRule> rules;
    for (const auto& [ruleId, assignment] : nearest) {
        if (assignment->exclude)
            continue;
        const auto found = m_rules.find(ruleId);
        if (found == m_rules.end())
            continue;
        const auto& rule = found->second;
        if (rule->partnerId != device.partnerId || (rule->orgId && *rule->orgId != device.orgId) ||
            (!rule->enabled && !includeDisabled))
            continue;
        EffectiveRule effective{rule,
                                rule->spec,
                                assignment->level,
                                assignment->targetId,
                                assignment->id,
                                !assignment->override.is_null()};
        try {
            effective.spec = rule->spec.withOverride(assignment->override);
        } catch (const ConditionError&) {
            // Checked when written; one that no longer fits the rule's condition (the rule changed kind)
            // falls back to the rule's own.
            effective.overridden = false;
        }
        rules.push_back(std::move(effective));
    }
    return rules;
}

} // namespace breeze::server
