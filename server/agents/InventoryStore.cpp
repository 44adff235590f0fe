#include "agents/InventoryStore.h"

#include "agents/DevicePresence.h"
#include "crypto/Digest.h"
#include "db/ScopedTransaction.h"
#include "devices/DeviceEvents.h"

#include <map>
#include <pqxx/pqxx>

namespace breeze::server {

namespace {
struct Change {
    std::string kind;
    std::string key;
    nlohmann::json before;
    nlohmann::json after;
};

std::map<std::string, nlohmann::json> byKey(const std::string& section, const nlohmann::json& items) {
    std::map<std::string, nlohmann::json> keyed;
    for (const auto& item : items)
        keyed[protocol::InventoryReport::itemKey(section, item)] = item;
    return keyed;
}

std::vector<Change> differences(const std::string& section, const nlohmann::json& before,
                                const nlohmann::json& after) {
    std::vector<Change> changes;
    if (!after.is_array()) {
        changes.push_back({"changed", "", before, after});
        return changes;
    }
    const auto old = byKey(section, before.is_array() ? before : nlohmann::json::array());
    const auto now = byKey(section, after);
    for (const auto& [key, item] : now) {
        const auto it = old.find(key);
        if (it == old.end())
            changes.push_back({"added", key, nullptr, item});
        else if (it->second != item)
            changes.push_back({"changed", key, it->second, item});
    }
    for (const auto& [key, item] : old)
        if (!now.contains(key))
            changes.push_back({"removed", key, item, nullptr});
    return changes;
}

std::string jsonText(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
} // namespace

std::size_t InventoryStore::apply(ScopedTransaction& tx, const AgentSession& session,
                                  const protocol::InventoryReport& report) {
    const std::string text = jsonText(report.data);
    const std::string digest = crypto::Digest::sha256Hex(text);
    const auto current = tx.sql().exec_params("SELECT digest, data::text AS data FROM device_inventory WHERE "
                                              "device_id = $1 AND org_id = $2 AND section = $3 "
                                              "FOR UPDATE",
                                              session.deviceId, session.orgId, report.section);
    const double collectedAt = static_cast<double>(report.collectedAtMs) / 1000.0;
    if (!current.empty() && current[0]["digest"].as<std::string>() == digest) {
        // Unchanged (the device was asked to look again): only when it last looked moves on.
        // The agent's clock is not trusted to set a time ahead of the server's.
        tx.sql().exec_params(
            "UPDATE device_inventory SET collected_at = greatest(collected_at, "
            "least(to_timestamp($4), now())) WHERE device_id = $1 AND org_id = $2 AND section = $3",
            session.deviceId, session.orgId, report.section, collectedAt);
        return 0;
    }
    tx.sql().exec_params("INSERT INTO device_inventory (device_id, partner_id, org_id, site_id, section, "
                         "data, digest, collected_at) "
                         "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, to_timestamp($8)) ON CONFLICT "
                         "(device_id, section) DO UPDATE "
                         "SET data = excluded.data, digest = excluded.digest, collected_at = "
                         "excluded.collected_at, updated_at = now()",
                         session.deviceId, session.partnerId, session.orgId, session.siteId, report.section,
                         text, digest, collectedAt);
    std::vector<Change> changes;
    if (current.empty())
        changes.push_back(
            {"initial", "", nullptr,
             report.data.is_array() ? nlohmann::json{{"items", report.data.size()}} : report.data});
    else
        changes = differences(report.section, nlohmann::json::parse(current[0]["data"].as<std::string>()),
                              report.data);
    for (const auto& change : changes) {
        tx.sql().exec_params(
            "INSERT INTO device_inventory_changes (device_id, partner_id, org_id, site_id, section, change, "
            "item_key, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, '')::jsonb, "
            "NULLIF($9, '')::jsonb)",
            session.deviceId, session.partnerId, session.orgId, session.siteId, report.section, change.kind,
            change.key, change.before.is_null() ? std::string() : jsonText(change.before),
            change.after.is_null() ? std::string() : jsonText(change.after));
    }
    if (!current.empty() && !changes.empty())
        recordDeviceEvent(tx, subjectOf(session), "inventory_changed",
                          {{"section", report.section}, {"changes", changes.size()}});
    return changes.size();
}

} // namespace breeze::server
