#include "TableWriter.h"

#include <algorithm>

namespace breeze::admin {

namespace {
std::string cell(const nlohmann::json& value) {
    if (value.is_null())
        return "-";
    if (value.is_string()) {
        std::string text = value.get<std::string>();
        // Agent- and user-supplied text must not move the cursor or recolour the terminal.
        for (char& c : text) {
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
                c = '?';
        }
        return text;
    }
    if (value.is_boolean())
        return value.get<bool>() ? "yes" : "no";
    if (value.is_array()) {
        std::string out;
        for (const auto& item : value)
            out += (out.empty() ? "" : ",") +
                   cell(item.is_object() && item.contains("role") ? item["role"] : item);
        return out.empty() ? "-" : out;
    }
    return value.dump();
}
} // namespace

TableWriter::TableWriter(const std::vector<std::string>& columns) {
    for (const auto& column : columns) {
        const auto eq = column.find('=');
        if (eq == std::string::npos)
            m_columns.emplace_back(column, column);
        else
            m_columns.emplace_back(column.substr(0, eq), column.substr(eq + 1));
    }
}

void TableWriter::write(std::ostream& out, const nlohmann::json& items) const {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::size_t> widths;
    std::vector<std::string> header;
    for (const auto& [label, key] : m_columns) {
        std::string upper = label;
        std::transform(upper.begin(), upper.end(), upper.begin(),
                       [](unsigned char c) { return std::toupper(c); });
        header.push_back(upper);
        widths.push_back(upper.size());
    }
    for (const auto& item : items) {
        std::vector<std::string> row;
        for (std::size_t i = 0; i < m_columns.size(); ++i) {
            const auto& key = m_columns[i].second;
            row.push_back(item.contains(key) ? cell(item[key]) : "-");
            widths[i] = std::max(widths[i], row.back().size());
        }
        rows.push_back(std::move(row));
    }
    auto print = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            out << row[i];
            if (i + 1 < row.size())
                out << std::string(widths[i] - row[i].size() + 2, ' ');
        }
        out << "\n";
    };
    print(header);
    for (const auto& row : rows)
        print(row);
}

} // namespace breeze::admin
