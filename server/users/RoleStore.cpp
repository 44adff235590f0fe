#include "users/RoleStore.h"

#include "db/ScopedTransaction.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kRoleJson =
    "SELECT json_build_object('id', r.id, 'name', r.name, 'description', r.description, 'builtin', "
    "r.builtin, 'files_root', r.files_root, "
    "'permissions', (SELECT coalesce(json_agg(p.resource || ':' || p.action ORDER BY p.resource, p.action), "
    "'[]'::json) FROM role_permissions p WHERE p.role_id = r.id))::text AS role";
}

nlohmann::json RoleStore::list(const std::string& partnerId) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& row :
         m_tx.sql().exec_params(std::string(kRoleJson) + " FROM roles r WHERE r.partner_id IS NULL OR "
                                                         "r.partner_id = $1 ORDER BY r.builtin DESC, r.name",
                                partnerId))
        items.push_back(nlohmann::json::parse(row["role"].c_str()));
    return items;
}

std::optional<nlohmann::json> RoleStore::find(const std::string& id, const std::string& partnerId) {
    const auto rows = m_tx.sql().exec_params(
        std::string(kRoleJson) +
            " FROM roles r WHERE r.id = $1 AND (r.partner_id IS NULL OR r.partner_id = $2)",
        id, partnerId);
    if (rows.empty())
        return std::nullopt;
    return nlohmann::json::parse(rows[0]["role"].c_str());
}

std::optional<bool> RoleStore::isBuiltin(const std::string& id, const std::string& partnerId) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT builtin FROM roles WHERE id = $1 AND (partner_id IS NULL OR partner_id = $2)", id, partnerId);
    if (rows.empty())
        return std::nullopt;
    return rows[0]["builtin"].as<bool>();
}

std::string RoleStore::insert(const std::string& partnerId, const std::string& name,
                              const std::string& description, const std::optional<std::string>& filesRoot) {
    return m_tx.sql()
        .exec_params1("INSERT INTO roles (partner_id, name, description, files_root) VALUES ($1, $2, $3, $4) "
                      "RETURNING id",
                      partnerId, name, description, filesRoot)["id"]
        .as<std::string>();
}

void RoleStore::addPermission(const std::string& roleId, const std::string& permission) {
    const auto colon = permission.find(':');
    m_tx.sql().exec_params("INSERT INTO role_permissions (role_id, resource, action) VALUES ($1, $2, $3)",
                           roleId, permission.substr(0, colon), permission.substr(colon + 1));
}

void RoleStore::remove(const std::string& id, const std::string& partnerId) {
    m_tx.sql().exec_params("DELETE FROM roles WHERE id = $1 AND partner_id = $2", id, partnerId);
}

} // namespace breeze::server
