#include "db/PgText.h"

namespace breeze::server {

std::string textArrayLiteral(const std::vector<std::string>& items) {
    std::string out = "{";
    for (const auto& item : items) {
        out += out.size() > 1 ? ",\"" : "\"";
        for (char c : item) {
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

std::vector<std::string> splitCommaList(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        if (comma > start)
            out.emplace_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

} // namespace breeze::server
