#include "filters/SavedFilterStore.h"

#include "db/ScopedTransaction.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kFilterJson =
    "json_build_object('id', f.id, 'name', f.name, 'definition', f.definition, "
    "'created_at', f.created_at, 'updated_at', f.updated_at)::text";
} // namespace

nlohmann::json SavedFilterStore::list(const std::string& userId) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& row :
         m_tx.sql().exec_params(std::string("SELECT ") + kFilterJson +
                                    " AS item FROM saved_device_filters f WHERE f.user_id = $1 "
                                    "ORDER BY lower(f.name), f.name",
                                userId))
        items.push_back(nlohmann::json::parse(row["item"].as<std::string>()));
    return items;
}

long long SavedFilterStore::countOthers(const std::string& userId, const std::string& name) {
    return m_tx.sql()
        .exec_params1("SELECT count(*) AS n FROM saved_device_filters WHERE user_id = $1 AND name <> $2",
                      userId, name)["n"]
        .as<long long>();
}

nlohmann::json SavedFilterStore::save(const std::string& userId, const std::string& partnerId,
                                      const std::string& name, const nlohmann::json& definition) {
    const auto row = m_tx.sql().exec_params1(
        std::string("WITH f AS (INSERT INTO saved_device_filters (user_id, partner_id, name, definition) "
                    "VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (user_id, name) DO UPDATE SET definition = "
                    "EXCLUDED.definition, updated_at = now() RETURNING *) SELECT ") +
            kFilterJson + " AS item FROM f",
        userId, partnerId, name, definition.dump());
    return nlohmann::json::parse(row["item"].as<std::string>());
}

bool SavedFilterStore::remove(const std::string& userId, const std::string& id) {
    return m_tx.sql()
               .exec_params("DELETE FROM saved_device_filters WHERE user_id = $1 AND id = $2::uuid", userId,
                            id)
               .affected_rows() > 0;
}

} // namespace breeze::server
