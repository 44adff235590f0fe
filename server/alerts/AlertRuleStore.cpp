#include "alerts/AlertRuleStore.h"

#include "alerts/AlertConfigStore.h"
#include "db/ScopedTransaction.h"
#include "http/ResultJson.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kAssignmentJson =
    "json_build_object('id', x.id, 'scope', x.scope, 'target_id', x.target_id, 'target_name', CASE x.scope "
    "WHEN 'partner' THEN (SELECT name FROM partners WHERE id = x.target_id) WHEN 'org' THEN (SELECT name "
    "FROM "
    "organizations WHERE id = x.target_id) WHEN 'site' THEN (SELECT name FROM sites WHERE id = x.target_id) "
    "WHEN 'group' THEN (SELECT name FROM device_groups WHERE id = x.target_id) ELSE (SELECT hostname FROM "
    "devices WHERE id = x.target_id) END, 'exclude', x.exclude, 'override', x.override)";

std::string ruleJson() {
    return std::string(
               "json_build_object('id', r.id, 'name', r.name, 'org_id', r.org_id, 'condition', "
               "r.condition, 'expression', r.expression, 'severity', r.severity, 'title', "
               "r.title_template, 'message', r.message_template, 'channel_ids', r.channel_ids, "
               "'enabled', r.enabled, 'reopen_window_seconds', r.reopen_window_seconds, 'created_by', "
               "r.created_by_label, 'created_at', r.created_at, 'updated_at', r.updated_at, "
               "'open_alerts', (SELECT count(*) FROM alerts a WHERE a.rule_id = r.id AND a.state <> "
               "'resolved'), 'assignments', coalesce((SELECT json_agg(") +
           kAssignmentJson +
           " ORDER BY x.created_at, x.id) FROM alert_rule_assignments x WHERE x.rule_id = r.id), "
           "'[]'::json))";
}

std::string channelArray(const std::vector<std::string>& ids) {
    std::string text = "{";
    for (std::size_t i = 0; i < ids.size(); ++i)
        text += (i ? "," : "") + ids[i];
    return text + "}";
}
} // namespace

nlohmann::json AlertRuleStore::insert(const AlertRule& rule, const std::string& createdBy) {
    const auto row = m_tx.sql().exec_params1(
        "INSERT INTO alert_rules (partner_id, org_id, name, condition, expression, severity, title_template, "
        "message_template, channel_ids, enabled, reopen_window_seconds, created_by_label) VALUES ($1, $2, "
        "$3, "
        "$4::jsonb, $5, $6, $7, $8, $9::uuid[], $10, $11, $12) RETURNING id",
        rule.partnerId, rule.orgId, rule.name, rule.spec.toJson().dump(), rule.spec.expression(),
        rule.severity, rule.titleTemplate, rule.messageTemplate, channelArray(rule.channelIds), rule.enabled,
        rule.reopenWindowSeconds, createdBy);
    return {{"id", row["id"].as<std::string>()}};
}

void AlertRuleStore::update(const AlertRule& rule) {
    m_tx.sql().exec_params(
        "UPDATE alert_rules SET name = $2, condition = $3::jsonb, expression = $4, severity = $5, "
        "title_template = $6, message_template = $7, channel_ids = $8::uuid[], enabled = $9, "
        "reopen_window_seconds = $10, updated_at = now() WHERE id = $1",
        rule.id, rule.name, rule.spec.toJson().dump(), rule.spec.expression(), rule.severity,
        rule.titleTemplate, rule.messageTemplate, channelArray(rule.channelIds), rule.enabled,
        rule.reopenWindowSeconds);
}

void AlertRuleStore::remove(const std::string& id) {
    m_tx.sql().exec_params("DELETE FROM alert_rules WHERE id = $1", id);
}

nlohmann::json AlertRuleStore::list(const std::string& scopeSql, const std::optional<std::string>& orgId) {
    return {{"items", jsonRows(m_tx.sql().exec_params(
                          "SELECT " + ruleJson() + "::text AS item FROM alert_rules r WHERE " + scopeSql +
                              " AND ($1::uuid IS NULL OR r.org_id = $1::uuid) ORDER "
                              "BY lower(r.name), r.id LIMIT 1000",
                          orgId))}};
}

std::optional<nlohmann::json> AlertRuleStore::find(const std::string& id, const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT " + ruleJson() + "::text AS item FROM alert_rules r WHERE r.id = $1 AND " + scopeSql, id);
    if (rows.empty())
        return std::nullopt;
    return jsonRow(rows[0]);
}

std::optional<AlertRule> AlertRuleStore::rule(const std::string& id, const std::string& scopeSql) {
    const auto rows = m_tx.sql().exec_params(std::string("SELECT ") + AlertConfigStore::ruleColumnsSql() +
                                                 " FROM alert_rules r WHERE r.id = $1 AND " + scopeSql,
                                             id);
    if (rows.empty())
        return std::nullopt;
    return AlertConfigStore::ruleFrom(rows[0]);
}

bool AlertRuleStore::nameTaken(const std::string& partnerId, const std::optional<std::string>& orgId,
                               const std::string& name, const std::string& exceptId) {
    ScopedTransaction::SystemSection system(m_tx, SystemAccess{"rule names are unique per owner"});
    return !m_tx.sql()
                .exec_params(
                    "SELECT 1 FROM alert_rules WHERE partner_id = $1 AND org_id IS NOT DISTINCT FROM "
                    "$2::uuid AND lower(name) = lower($3) AND id::text <> $4",
                    partnerId, orgId, name, exceptId)
                .empty();
}

long long AlertRuleStore::count(const std::string& partnerId) {
    ScopedTransaction::SystemSection system(m_tx, SystemAccess{"rules are bounded per partner"});
    return m_tx.sql()
        .exec_params1("SELECT count(*) AS n FROM alert_rules WHERE partner_id = $1", partnerId)["n"]
        .as<long long>();
}

std::optional<std::string> AlertRuleStore::targetOrganisation(AssignmentLevel level,
                                                              const std::string& targetId, bool& found) {
    const char* query = nullptr;
    switch (level) {
    case AssignmentLevel::Partner:
        found = !m_tx.sql().exec_params("SELECT 1 FROM partners WHERE id = $1", targetId).empty();
        return std::nullopt;
    case AssignmentLevel::Org:
        query = "SELECT id::text AS org FROM organizations WHERE id = $1";
        break;
    case AssignmentLevel::Site:
        query = "SELECT org_id::text AS org FROM sites WHERE id = $1";
        break;
    case AssignmentLevel::Group:
        query = "SELECT org_id::text AS org FROM device_groups WHERE id = $1";
        break;
    case AssignmentLevel::Device:
        query = "SELECT org_id::text AS org FROM devices WHERE id = $1";
        break;
    }
    const auto rows = m_tx.sql().exec_params(query, targetId);
    found = !rows.empty();
    if (!found)
        return std::nullopt;
    return rows[0]["org"].as<std::string>();
}

nlohmann::json AlertRuleStore::assign(const RuleAssignment& assignment, const std::string& partnerId,
                                      const std::optional<std::string>& orgId) {
    const auto row = m_tx.sql().exec_params1(
        std::string(
            "WITH x AS (INSERT INTO alert_rule_assignments (rule_id, partner_id, org_id, scope, target_id, "
            "exclude, override) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (rule_id, scope, "
            "target_id) DO UPDATE SET exclude = excluded.exclude, override = excluded.override RETURNING "
            "*) SELECT ") +
            kAssignmentJson + "::text AS item FROM x",
        assignment.ruleId, partnerId, orgId, levelName(assignment.level), assignment.targetId,
        assignment.exclude,
        assignment.override.is_null() ? std::optional<std::string>() : assignment.override.dump());
    return jsonRow(row);
}

std::optional<nlohmann::json> AlertRuleStore::assignment(const std::string& ruleId,
                                                         const std::string& assignmentId) {
    const auto rows =
        m_tx.sql().exec_params(std::string("SELECT ") + kAssignmentJson +
                                   "::text AS item, x.org_id::text AS org FROM "
                                   "alert_rule_assignments x WHERE x.rule_id = $1 AND x.id = $2",
                               ruleId, assignmentId);
    if (rows.empty())
        return std::nullopt;
    auto item = jsonRow(rows[0]);
    item["org_id"] =
        rows[0]["org"].is_null() ? nlohmann::json() : nlohmann::json(rows[0]["org"].as<std::string>());
    return item;
}

void AlertRuleStore::unassign(const std::string& assignmentId) {
    m_tx.sql().exec_params("DELETE FROM alert_rule_assignments WHERE id = $1", assignmentId);
}

std::vector<nlohmann::json> AlertRuleStore::overrides(const std::string& ruleId) {
    std::vector<nlohmann::json> found;
    for (const auto& row : m_tx.sql().exec_params("SELECT override::text AS o FROM alert_rule_assignments "
                                                  "WHERE rule_id = $1 AND override IS NOT NULL",
                                                  ruleId))
        found.push_back(nlohmann::json::parse(row["o"].as<std::string>()));
    return found;
}

} // namespace breeze::server
