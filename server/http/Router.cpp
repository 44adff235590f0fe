#include "http/Router.h"

#include <sstream>

namespace breeze::server {

namespace {
std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    std::string current;
    for (char c : path) {
        if (c == '/') {
            if (!current.empty())
                out.push_back(std::move(current));
            current.clear();
        } else {
            current.push_back(c);
        }
    }
    if (!current.empty())
        out.push_back(std::move(current));
    return out;
}

bool isPlaceholder(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Number of literal segments: a higher score is a more specific route.
int matchPath(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
              std::map<std::string, std::string>* params) {
    if (pattern.size() != path.size())
        return -1;
    int literals = 0;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (isPlaceholder(pattern[i])) {
            if (params)
                (*params)[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
        } else if (pattern[i] == path[i]) {
            ++literals;
        } else {
            return -1;
        }
    }
    return literals;
}
} // namespace

void Router::add(Route route) {
    m_routes.push_back(std::move(route));
}

RouteMatch Router::match(const std::string& method, const std::string& path) const {
    RouteMatch result;
    const auto pathSegments = segments(path);
    int bestScore = -1;
    for (const auto& route : m_routes) {
        const int score = matchPath(segments(route.pattern), pathSegments, nullptr);
        if (score < 0)
            continue;
        result.pathKnown = true;
        if (route.method == method && score > bestScore) {
            bestScore = score;
            result.route = &route;
        }
    }
    if (result.route)
        matchPath(segments(result.route->pattern), pathSegments, &result.params);
    return result;
}

} // namespace breeze::server
