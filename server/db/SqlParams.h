#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace breeze::server {

// Collects the parameters of a statement whose shape depends on the request (optional filters, cursors) and
// hands out their placeholders, so values never become part of the SQL text.
class SqlParams {
public:
    std::string add(std::optional<std::string> value) {
        m_values.push_back(std::move(value));
        return "$" + std::to_string(m_values.size());
    }
    std::string add(long long value) { return add(std::optional<std::string>(std::to_string(value))); }

    pqxx::result exec(pqxx::transaction_base& tx, const std::string& sql) const;

private:
    std::vector<std::optional<std::string>> m_values;
};

} // namespace breeze::server
