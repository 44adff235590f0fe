#include "alerts/AlertRuleRoutes.h"

#include "alerts/AlertConfigStore.h"
#include "alerts/AlertRuleStore.h"
#include "alerts/AlertTemplate.h"
#include "alerts/ChannelStore.h"
#include "alerts/ConditionParser.h"
#include "alerts/OwnerScope.h"
#include "db/ScopedTransaction.h"
#include "devices/DeviceAccess.h"
#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "http/Router.h"

namespace breeze::server {

namespace {
using namespace permissions;
constexpr long long kMostRulesPerPartner = 1000;

std::string ruleScopeSql(const AccessScope& scope) {
    return OwnerScope::sql(scope, "r");
}

bool mayManage(const AccessScope& scope, const std::optional<std::string>& orgId) {
    return OwnerScope::mayManage(scope, orgId);
}

// The rule `id` as the caller may read it; 404 otherwise.
AlertRule requireRule(AlertRuleStore& rules, const std::string& id, const AccessScope& readScope) {
    auto rule = rules.rule(id, ruleScopeSql(readScope));
    if (!rule)
        throw ApiError::notFound("alert rule");
    return std::move(*rule);
}

ConditionSpec conditionFrom(const nlohmann::json& body) {
    try {
        if (body.is_string())
            return ConditionParser::parse(body.get<std::string>());
        return ConditionSpec::fromJson(body);
    } catch (const ConditionError& error) {
        throw ApiError::badRequest(std::string("condition: ") + error.what());
    }
}

std::string severityFrom(const std::string& severity) {
    if (severity != "info" && severity != "warning" && severity != "critical")
        throw ApiError::badRequest("severity must be info, warning or critical");
    return severity;
}

void checkTemplate(const std::string& field, const std::string& text) {
    if (const std::string problem = AlertTemplate::problem(text); !problem.empty())
        throw ApiError::badRequest(field + ": " + problem);
}

void checkChannels(ChannelStore& channels, const AlertRule& rule) {
    if (rule.channelIds.size() > 20)
        throw ApiError::badRequest("a rule notifies at most 20 channels");
    if (channels.usable(rule.channelIds, rule.partnerId, rule.orgId) !=
        static_cast<long long>(rule.channelIds.size()))
        throw ApiError::badRequest(
            "channel_ids names a channel that does not exist, was deleted, or belongs to "
            "another organisation");
}

struct Target {
    AssignmentLevel level = AssignmentLevel::Partner;
    std::string id;
};

Target targetFrom(const std::string& scopeName, const std::optional<std::string>& id,
                  const AccessScope& scope) {
    const auto level = levelNamed(scopeName);
    if (!level)
        throw ApiError::badRequest("scope must be partner, org, site, group or device");
    if (*level == AssignmentLevel::Partner)
        return {*level, scope.partnerId()};
    if (!id)
        throw ApiError::badRequest("\"target_id\" is needed for a " + scopeName + " assignment");
    return {*level, *id};
}

// Where a target lies; 404 when the caller cannot see it.
std::optional<std::string> targetOrg(AlertRuleStore& rules, const Target& target) {
    bool found = false;
    auto org = rules.targetOrganisation(target.level, target.id, found);
    if (!found)
        throw ApiError::notFound(std::string(levelName(target.level)));
    return org;
}

// Adds an assignment after checking it fits the rule: inside its organisation, with an override its condition
// takes.
nlohmann::json addAssignment(RequestContext& ctx, AlertRuleStore& rules, const AlertRule& rule,
                             const AccessScope& scope, const Target& target, bool exclude,
                             const nlohmann::json& override) {
    const auto org = targetOrg(rules, target);
    if (rule.orgId && org != rule.orgId)
        throw ApiError::badRequest("an organisation's rule applies only inside that organisation");
    if (!mayManage(scope, org))
        throw ApiError::forbidden("this needs the alerts:manage permission for the whole " +
                                  std::string(org ? "organisation" : "partner"));
    if (!override.is_null()) {
        try {
            (void)rule.spec.withOverride(override);
        } catch (const ConditionError& error) {
            throw ApiError::badRequest(std::string("override: ") + error.what());
        }
    }
    RuleAssignment assignment;
    assignment.ruleId = rule.id;
    assignment.level = target.level;
    assignment.targetId = target.id;
    assignment.exclude = exclude;
    assignment.override = override;
    (void)ctx;
    return rules.assign(assignment, rule.partnerId, org);
}

ApiResponse listRules(RequestContext& ctx) {
    const AccessScope scope = ctx.require(AlertsRead);
    const auto orgId = ctx.uuidQuery("org");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(AlertRuleStore(tx).list(ruleScopeSql(scope), orgId));
}

ApiResponse getRule(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "alert rule");
    const AccessScope scope = ctx.require(AlertsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    auto rule = AlertRuleStore(tx).find(id, ruleScopeSql(scope));
    if (!rule)
        throw ApiError::notFound("alert rule");
    return ApiResponse::json(std::move(*rule));
}

ApiResponse createRule(RequestContext& ctx) {
    auto fields = ctx.fields();
    AlertRule rule;
    rule.name = fields.requiredName("name");
    const nlohmann::json* condition = fields.optionalAny("condition");
    if (!condition)
        throw ApiError::badRequest("\"condition\" is needed, such as \"cpu > 90% for 5m\"");
    rule.spec = conditionFrom(*condition);
    rule.severity = severityFrom(fields.requiredString("severity", 1, 16));
    rule.titleTemplate = fields.optionalString("title", 1, 500).value_or(AlertTemplate::kDefaultTitle);
    rule.messageTemplate = fields.optionalString("message", 0, 4000).value_or(AlertTemplate::kDefaultMessage);
    rule.channelIds = fields.optionalUuidList("channel_ids", 20).value_or(std::vector<std::string>{});
    rule.enabled = fields.optionalBool("enabled").value_or(true);
    rule.reopenWindowSeconds =
        static_cast<int>(fields.optionalInteger("reopen_window_seconds", 0, 86400).value_or(600));
    const auto orgId = fields.optionalUuid("org_id");
    const auto appliesScope = fields.optionalString("applies_to", 1, 16);
    const auto appliesId = fields.optionalUuid("target_id");
    fields.finish();
    checkTemplate("title", rule.titleTemplate);
    checkTemplate("message", rule.messageTemplate);

    const AccessScope scope = ctx.require(AlertsManage);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    AlertRuleStore rules(tx);
    // Where it applies decides whose it is: a rule for a site is its organisation's.
    const Target target =
        targetFrom(appliesScope.value_or(orgId ? "org" : "partner"), appliesScope ? appliesId : orgId, scope);
    const auto targetOrganisation = targetOrg(rules, target);
    if (orgId && targetOrganisation != orgId)
        throw ApiError::badRequest("the rule's target is not in organisation org_id");
    rule.partnerId = scope.partnerId();
    rule.orgId = orgId ? orgId : targetOrganisation;
    if (!mayManage(scope, rule.orgId))
        throw ApiError::forbidden(
            rule.orgId ? "this needs the alerts:manage permission for the whole organisation"
                       : "a partner-wide rule needs the alerts:manage permission partner-wide");
    if (rules.count(scope.partnerId()) >= kMostRulesPerPartner)
        throw ApiError::conflict("at most 1000 alert rules per partner; delete some first");
    if (rules.nameTaken(rule.partnerId, rule.orgId, rule.name, ""))
        throw ApiError::conflict("an alert rule named \"" + rule.name + "\" exists");
    ChannelStore channels(tx);
    checkChannels(channels, rule);
    AuditEvent event = ctx.auditEvent("alert_rules.create", "alert_rule", "");
    rule.id = rules.insert(rule, event.actorLabel)["id"];
    addAssignment(ctx, rules, rule, scope, target, false, nullptr);
    auto created = *rules.find(rule.id, ruleScopeSql(scope));
    event.resourceId = rule.id;
    event.orgId = rule.orgId;
    event.details = {{"name", rule.name},         {"condition", rule.spec.expression()},
                     {"severity", rule.severity}, {"applies_to", levelName(target.level)},
                     {"target_id", target.id},    {"channel_ids", rule.channelIds}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(std::move(created), 201);
}

ApiResponse updateRule(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "alert rule");
    auto fields = ctx.fields();
    const auto name = fields.optionalName("name");
    const nlohmann::json* condition = fields.optionalAny("condition");
    const auto severity = fields.optionalString("severity", 1, 16);
    const auto title = fields.optionalString("title", 1, 500);
    const auto message = fields.optionalString("message", 0, 4000);
    const auto channelIds = fields.optionalUuidList("channel_ids", 20);
    const auto enabled = fields.optionalBool("enabled");
    const auto reopen = fields.optionalInteger("reopen_window_seconds", 0, 86400);
    fields.finish();
    const AccessScope readScope = ctx.require(AlertsRead);
    const AccessScope scope = ctx.require(AlertsManage);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    AlertRuleStore rules(tx);
    auto rule = requireRule(rules, id, readScope);
    if (!mayManage(scope, rule.orgId))
        throw ApiError::forbidden("this needs the alerts:manage permission where the rule belongs");
    nlohmann::json changes = nlohmann::json::object();
    if (name) {
        if (rules.nameTaken(rule.partnerId, rule.orgId, *name, id))
            throw ApiError::conflict("an alert rule named \"" + *name + "\" exists");
        rule.name = *name;
        changes["name"] = *name;
    }
    if (condition) {
        rule.spec = conditionFrom(*condition);
        for (const auto& override : rules.overrides(id)) {
            try {
                (void)rule.spec.withOverride(override);
            } catch (const ConditionError& error) {
                throw ApiError::badRequest(
                    std::string("an assignment's override no longer fits the condition (") + error.what() +
                    "); remove that assignment first");
            }
        }
        changes["condition"] = rule.spec.expression();
    }
    if (severity) {
        rule.severity = severityFrom(*severity);
        changes["severity"] = *severity;
    }
    if (title) {
        checkTemplate("title", *title);
        rule.titleTemplate = *title;
        changes["title"] = *title;
    }
    if (message) {
        checkTemplate("message", *message);
        rule.messageTemplate = *message;
        changes["message"] = *message;
    }
    if (channelIds) {
        rule.channelIds = *channelIds;
        ChannelStore channels(tx);
        checkChannels(channels, rule);
        changes["channel_ids"] = *channelIds;
    }
    if (enabled) {
        rule.enabled = *enabled;
        changes["enabled"] = *enabled;
    }
    if (reopen) {
        rule.reopenWindowSeconds = static_cast<int>(*reopen);
        changes["reopen_window_seconds"] = *reopen;
    }
    rules.update(rule);
    AuditEvent event = ctx.auditEvent("alert_rules.update", "alert_rule", id);
    event.orgId = rule.orgId;
    event.details = {{"name", rule.name}, {"changes", changes}};
    ctx.audit(tx, event);
    auto updated = *rules.find(id, ruleScopeSql(readScope));
    tx.commit();
    return ApiResponse::json(std::move(updated));
}

ApiResponse deleteRule(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "alert rule");
    const AccessScope readScope = ctx.require(AlertsRead);
    const AccessScope scope = ctx.require(AlertsManage);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    AlertRuleStore rules(tx);
    const auto rule = requireRule(rules, id, readScope);
    if (!mayManage(scope, rule.orgId))
        throw ApiError::forbidden("this needs the alerts:manage permission where the rule belongs");
    // Its open alerts end with their resolutions sent (a trigger), and stay as history.
    rules.remove(id);
    AuditEvent event = ctx.auditEvent("alert_rules.delete", "alert_rule", id);
    event.orgId = rule.orgId;
    event.details = {{"name", rule.name}, {"condition", rule.spec.expression()}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}

ApiResponse createAssignment(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "alert rule");
    auto fields = ctx.fields();
    const std::string scopeName = fields.requiredString("scope", 1, 16);
    const auto targetId = fields.optionalUuid("target_id");
    const bool exclude = fields.optionalBool("exclude").value_or(false);
    const nlohmann::json override = fields.optionalObject("override");
    fields.finish();
    if (exclude && !override.empty())
        throw ApiError::badRequest("an exclusion takes no override");
    const AccessScope readScope = ctx.require(AlertsRead);
    const AccessScope scope = ctx.require(AlertsManage);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    AlertRuleStore rules(tx);
    const auto rule = requireRule(rules, id, readScope);
    const Target target = targetFrom(scopeName, targetId, scope);
    auto assignment = addAssignment(ctx, rules, rule, scope, target, exclude,
                                    override.empty() ? nlohmann::json() : override);
    AuditEvent event = ctx.auditEvent("alert_rules.assign", "alert_rule", id);
    event.orgId = rule.orgId;
    event.details = {{"name", rule.name}, {"assignment", assignment}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(std::move(assignment), 201);
}

ApiResponse deleteAssignment(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "alert rule");
    const std::string assignmentId = ctx.pathId("assignment", "assignment");
    const AccessScope readScope = ctx.require(AlertsRead);
    const AccessScope scope = ctx.require(AlertsManage);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    AlertRuleStore rules(tx);
    const auto rule = requireRule(rules, id, readScope);
    const auto assignment = rules.assignment(id, assignmentId);
    if (!assignment)
        throw ApiError::notFound("assignment");
    const auto org = (*assignment)["org_id"].is_string() ? std::optional<std::string>((*assignment)["org_id"])
                                                         : std::nullopt;
    if (!mayManage(scope, org))
        throw ApiError::forbidden("this needs the alerts:manage permission where the assignment applies");
    rules.unassign(assignmentId);
    AuditEvent event = ctx.auditEvent("alert_rules.unassign", "alert_rule", id);
    event.orgId = rule.orgId;
    event.details = {{"name", rule.name}, {"assignment", *assignment}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}

ApiResponse deviceRules(RequestContext& ctx) {
    const std::string deviceId = ctx.pathId("id", "device");
    const AccessScope scope = ctx.require(AlertsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    AlertConfigStore config(tx);
    if (!config.placement(deviceId))
        throw ApiError::notFound("device");
    std::optional<RuleBook> book;
    {
        // Partner-wide rules apply to the device whoever looks: its technicians see them, and where they came
        // from, though they cannot change them.
        ScopedTransaction::SystemSection system(tx, SystemAccess{"the rules that apply to a visible device"});
        book = config.loadForDevice(deviceId);
    }
    nlohmann::json items = nlohmann::json::array();
    for (const auto& effective : book->effectiveRules(*book->placement(deviceId), true)) {
        const auto& rule = *effective.rule;
        items.push_back({{"rule_id", rule.id},
                         {"name", rule.name},
                         {"severity", rule.severity},
                         {"enabled", rule.enabled},
                         {"partner_wide", !rule.orgId},
                         {"expression", effective.spec.expression()},
                         {"condition", effective.spec.toJson()},
                         {"overridden", effective.overridden},
                         {"from",
                          {{"scope", levelName(effective.level)},
                           {"target_id", effective.targetId},
                           {"assignment_id", effective.assignmentId}}}});
    }
    return ApiResponse::json({{"items", items}});
}
} // namespace

void registerAlertRuleRoutes(Router& router) {
    router.add({HttpMethod::Get, "/api/v1/alert-rules", "", RouteAccess::Authenticated, listRules});
    router.add({HttpMethod::Post, "/api/v1/alert-rules", "alert_rules.create", RouteAccess::Authenticated,
                createRule});
    router.add({HttpMethod::Get, "/api/v1/alert-rules/{id}", "", RouteAccess::Authenticated, getRule});
    router.add({HttpMethod::Patch, "/api/v1/alert-rules/{id}", "alert_rules.update",
                RouteAccess::Authenticated, updateRule});
    router.add({HttpMethod::Delete, "/api/v1/alert-rules/{id}", "alert_rules.delete",
                RouteAccess::Authenticated, deleteRule});
    router.add({HttpMethod::Post, "/api/v1/alert-rules/{id}/assignments", "alert_rules.assign",
                RouteAccess::Authenticated, createAssignment});
    router.add({HttpMethod::Delete, "/api/v1/alert-rules/{id}/assignments/{assignment}",
                "alert_rules.unassign", RouteAccess::Authenticated, deleteAssignment});
    router.add(
        {HttpMethod::Get, "/api/v1/devices/{id}/alert-rules", "", RouteAccess::Authenticated, deviceRules});
}

} // namespace breeze::server
