#pragma once

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace breeze::server {

// Queries project their rows with json_build_object(...)::text in column 0; these turn that into JSON values.
nlohmann::json jsonRows(const pqxx::result& rows);
nlohmann::json jsonRow(const pqxx::row& row);

} // namespace breeze::server
