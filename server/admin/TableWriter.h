#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace breeze::admin {

// Prints JSON objects as an aligned text table of chosen columns ("name", or "label=json_key").
class TableWriter {
public:
    explicit TableWriter(const std::vector<std::string>& columns);
    void write(std::ostream& out, const nlohmann::json& items) const;

private:
    std::vector<std::pair<std::string, std::string>> m_columns; // header, key
};

} // namespace breeze::admin
