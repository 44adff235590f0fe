#include "db/PgText.h"

namespace breeze::server {

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
