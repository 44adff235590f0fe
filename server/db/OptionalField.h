#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>

namespace breeze::server {

// A nullable text column as an optional: none for SQL NULL.
inline std::optional<std::string> optionalText(const pqxx::field& field) {
    if (field.is_null())
        return std::nullopt;
    return field.as<std::string>();
}

} // namespace breeze::server
