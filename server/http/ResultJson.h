#pragma once

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace breeze::server {

// Queries project each row as json_build_object(...)::text AS item; these turn that column into JSON values.
nlohmann::json jsonRows(const pqxx::result& rows);
nlohmann::json jsonRow(const pqxx::row& row);

} // namespace breeze::server
