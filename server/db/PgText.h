#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace breeze::server {

// PostgreSQL array literal "{a,b}" for ids that are already validated UUIDs.
template <typename Range> std::string uuidArrayLiteral(const Range& ids) {
    std::string out = "{";
    for (const auto& id : ids) {
        if (out.size() > 1)
            out += ",";
        out += id;
    }
    return out + "}";
}

// PostgreSQL array literal {"a","b"} for any text, each element quoted and escaped.
std::string textArrayLiteral(const std::vector<std::string>& items);

// Splits what string_agg(..., ',') or array_to_string(..., ',') produced; empty items are dropped.
std::vector<std::string> splitCommaList(std::string_view text);

} // namespace breeze::server
