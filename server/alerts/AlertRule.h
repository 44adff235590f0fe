#pragma once

#include "alerts/ConditionSpec.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

struct AlertRule {
    std::string id;
    std::string partnerId;
    std::optional<std::string> orgId; // an organisation's own rule; none: partner-wide
    std::string name;
    ConditionSpec spec;
    std::string severity; // info, warning, critical
    std::string titleTemplate;
    std::string messageTemplate;
    std::vector<std::string> channelIds;
    bool enabled = true;
    int reopenWindowSeconds = 600;
};

// Levels of the tenant tree a rule is assigned at, from the widest to the nearest.
enum class AssignmentLevel { Partner, Org, Site, Group, Device };
const char* levelName(AssignmentLevel level);
std::optional<AssignmentLevel> levelNamed(const std::string& name);

struct RuleAssignment {
    std::string id;
    std::string ruleId;
    AssignmentLevel level = AssignmentLevel::Partner;
    std::string targetId;
    bool exclude = false;
    nlohmann::json override; // null: the rule's own condition
};

// Where a device sits in the tree, and the names its alerts are written with.
struct DevicePlacement {
    std::string deviceId;
    std::string partnerId;
    std::string orgId;
    std::string siteId;
    std::string groupId; // empty: in no group
    std::string deviceName;
    std::string orgName;
    std::string siteName;
};

// A rule as it applies to one device: its condition with the nearest override, and the assignment that made
// it apply (shown to people as "where it came from").
struct EffectiveRule {
    std::shared_ptr<const AlertRule> rule;
    ConditionSpec spec;
    AssignmentLevel level = AssignmentLevel::Partner;
    std::string targetId;
    std::string assignmentId;
    bool overridden = false;
};

} // namespace breeze::server
