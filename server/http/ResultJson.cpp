#include "http/ResultJson.h"

namespace breeze::server {

nlohmann::json jsonRow(const pqxx::row& row) {
    return nlohmann::json::parse(row["item"].c_str());
}

nlohmann::json jsonRows(const pqxx::result& rows) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& row : rows)
        items.push_back(jsonRow(row));
    return items;
}

} // namespace breeze::server
