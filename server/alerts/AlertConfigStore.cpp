#include "alerts/AlertConfigStore.h"

#include "db/ScopedTransaction.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kRuleColumns =
    "r.id, r.partner_id, r.org_id, r.name, r.condition::text AS condition, r.severity, r.title_template, "
    "r.message_template, array_to_json(r.channel_ids)::text AS channel_ids, r.enabled, "
    "r.reopen_window_seconds";

constexpr const char* kPlacementQuery =
    "SELECT d.id, d.partner_id, d.org_id, d.site_id, d.group_id, d.hostname, o.name AS org_name, s.name AS "
    "site_name FROM devices d JOIN organizations o ON o.id = d.org_id JOIN sites s ON s.id = d.site_id "
    "WHERE d.revoked_at IS NULL";

DevicePlacement placementFrom(const pqxx::row& row) {
    return {row["id"].as<std::string>(),
            row["partner_id"].as<std::string>(),
            row["org_id"].as<std::string>(),
            row["site_id"].as<std::string>(),
            row["group_id"].is_null() ? std::string() : row["group_id"].as<std::string>(),
            row["hostname"].as<std::string>(),
            row["org_name"].as<std::string>(),
            row["site_name"].as<std::string>()};
}
} // namespace

const char* AlertConfigStore::ruleColumnsSql() {
    return kRuleColumns;
}

AlertRule AlertConfigStore::ruleFrom(const pqxx::row& row) {
    AlertRule rule;
    rule.id = row["id"].as<std::string>();
    rule.partnerId = row["partner_id"].as<std::string>();
    if (!row["org_id"].is_null())
        rule.orgId = row["org_id"].as<std::string>();
    rule.name = row["name"].as<std::string>();
    rule.spec = ConditionSpec::fromJson(nlohmann::json::parse(row["condition"].as<std::string>()));
    rule.severity = row["severity"].as<std::string>();
    rule.titleTemplate = row["title_template"].as<std::string>();
    rule.messageTemplate = row["message_template"].as<std::string>();
    for (const auto& id : nlohmann::json::parse(row["channel_ids"].as<std::string>()))
        rule.channelIds.push_back(id.get<std::string>());
    rule.enabled = row["enabled"].as<bool>();
    rule.reopenWindowSeconds = row["reopen_window_seconds"].as<int>();
    return rule;
}

void AlertConfigStore::loadRules(RuleBook& book, const std::optional<std::string>& partnerId) {
    for (const auto& row : m_tx.sql().exec_params(std::string("SELECT ") + kRuleColumns +
                                                      " FROM alert_rules r WHERE $1::uuid IS NULL OR "
                                                      "r.partner_id = $1::uuid",
                                                  partnerId)) {
        try {
            book.addRule(ruleFrom(row));
        } catch (const ConditionError&) {
            // Written only after the same checks; a condition a newer server wrote and this one cannot
            // read is left alone rather than stopping every other rule.
        }
    }
}

void AlertConfigStore::loadAssignments(RuleBook& book, const std::optional<std::string>& partnerId) {
    for (const auto& row : m_tx.sql().exec_params(
             "SELECT id, rule_id, scope, target_id, exclude, override::text AS override FROM "
             "alert_rule_assignments WHERE $1::uuid IS NULL OR partner_id = $1::uuid",
             partnerId)) {
        RuleAssignment assignment;
        assignment.id = row["id"].as<std::string>();
        assignment.ruleId = row["rule_id"].as<std::string>();
        assignment.level = levelNamed(row["scope"].as<std::string>()).value_or(AssignmentLevel::Device);
        assignment.targetId = row["target_id"].as<std::string>();
        assignment.exclude = row["exclude"].as<bool>();
        if (!row["override"].is_null())
            assignment.override = nlohmann::json::parse(row["override"].as<std::string>());
        book.addAssignment(std::move(assignment));
    }
}

RuleBook AlertConfigStore::loadAll() {
    RuleBook book;
    loadRules(book, std::nullopt);
    loadAssignments(book, std::nullopt);
    for (const auto& row : m_tx.sql().exec(kPlacementQuery))
        book.place(placementFrom(row));
    for (const auto& row : m_tx.sql().exec(
             "SELECT id::text, scope, target_id::text, (extract(epoch FROM starts_at) * 1000)::bigint AS "
             "starts_ms, "
             "(extract(epoch FROM ends_at) * 1000)::bigint AS ends_ms, CASE repeat WHEN 'daily' THEN "
             "86400000 "
             "WHEN 'weekly' THEN 604800000 ELSE 0 END AS period_ms FROM maintenance_windows WHERE repeat <> "
             "'none' OR ends_at > now() - interval '1 day'"))
        book.maintenance().add({row["id"].as<std::string>(),
                                levelNamed(row["scope"].as<std::string>()).value_or(AssignmentLevel::Device),
                                row["target_id"].as<std::string>(), row["starts_ms"].as<std::int64_t>(),
                                row["ends_ms"].as<std::int64_t>(), row["period_ms"].as<std::int64_t>()});
    return book;
}

std::optional<DevicePlacement> AlertConfigStore::placement(const std::string& deviceId) {
    const auto rows = m_tx.sql().exec_params(std::string(kPlacementQuery) + " AND d.id = $1", deviceId);
    if (rows.empty())
        return std::nullopt;
    return placementFrom(rows[0]);
}

std::optional<RuleBook> AlertConfigStore::loadForDevice(const std::string& deviceId) {
    auto device = placement(deviceId);
    if (!device)
        return std::nullopt;
    RuleBook book;
    loadRules(book, device->partnerId);
    loadAssignments(book, device->partnerId);
    book.place(std::move(*device));
    return book;
}

} // namespace breeze::server
