#include "alerts/AlertTemplate.h"

#include <algorithm>

namespace breeze::server {

const std::vector<std::string>& AlertTemplate::placeholders() {
    static const std::vector<std::string> names{"device", "rule", "severity", "value",     "threshold",
                                                "mount",  "org",  "site",     "condition", "duration"};
    return names;
}

std::string AlertTemplate::problem(const std::string& text) {
    std::size_t at = 0;
    while ((at = text.find('{', at)) != std::string::npos) {
        const std::size_t end = text.find('}', at);
        if (end == std::string::npos)
            return "a { is not closed";
        const std::string name = text.substr(at + 1, end - at - 1);
        if (std::find(placeholders().begin(), placeholders().end(), name) == placeholders().end())
            return "unknown placeholder {" + name +
                   "}; known: {device} {rule} {severity} {value} {threshold} "
                   "{mount} {org} {site} {condition} {duration}";
        at = end + 1;
    }
    return "";
}

std::string AlertTemplate::render(const std::string& text, const std::map<std::string, std::string>& values) {
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t open = text.find('{', at);
        if (open == std::string::npos) {
            out += text.substr(at);
            break;
        }
        out += text.substr(at, open - at);
        const std::size_t close = text.find('}', open);
        if (close == std::string::npos) {
            out += text.substr(open);
            break;
        }
        const auto found = values.find(text.substr(open + 1, close - open - 1));
        out += found != values.end() ? found->second : text.substr(open, close - open + 1);
        at = close + 1;
    }
    return out;
}

} // namespace breeze::server
