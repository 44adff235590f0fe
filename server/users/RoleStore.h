#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class ScopedTransaction;

// The SQL of roles: the built-in ones every partner sees and the partner's own, with their permissions.
class RoleStore {
public:
    explicit RoleStore(ScopedTransaction& tx) : m_tx(tx) {}

    nlohmann::json list(const std::string& partnerId); // built-in first, then by name
    std::optional<nlohmann::json> find(const std::string& id, const std::string& partnerId);
    std::optional<bool> isBuiltin(const std::string& id, const std::string& partnerId); // none: unknown
    // Throws pqxx::check_violation for a malformed name, pqxx::unique_violation for a taken one.
    // `filesRoot`: the folder the role's file sessions keep to (none: the whole device).
    std::string insert(const std::string& partnerId, const std::string& name, const std::string& description,
                       const std::optional<std::string>& filesRoot = std::nullopt);
    void addPermission(const std::string& roleId, const std::string& permission); // "resource:action"
    // Throws pqxx::foreign_key_violation while the role is still granted.
    void remove(const std::string& id, const std::string& partnerId);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
