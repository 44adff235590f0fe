#pragma once

#include "http/ApiResponse.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace breeze::server {

class RequestContext;

enum class RouteAccess {
    Authenticated, // needs a signed-in user or an API key
    Public,        // health, sign-in, the API description
    MfaEnrollment, // also open to a session that must enrol MFA before anything else
};

// The methods routes use, named once so route tables read as declarations rather than strings.
namespace HttpMethod {
inline constexpr const char* Get = "GET";
inline constexpr const char* Post = "POST";
inline constexpr const char* Put = "PUT";
inline constexpr const char* Patch = "PATCH";
inline constexpr const char* Delete = "DELETE";
} // namespace HttpMethod

// One REST operation. `action` names it in the audit log ("orgs.update"); empty for reads.
struct Route {
    std::string method;
    std::string pattern; // "/api/v1/orgs/{id}"
    std::string action;
    RouteAccess access = RouteAccess::Authenticated;
    std::function<ApiResponse(RequestContext&)> handler;
};

struct RouteMatch {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    bool pathKnown = false; // the path exists for another method: answer 405, not 404
};

// Maps method + path to a route. Patterns are literal segments and {name} placeholders, matched segment by
// segment; literal segments win over placeholders.
class Router {
public:
    void add(Route route);
    RouteMatch match(const std::string& method, const std::string& path) const;
    const std::vector<Route>& routes() const { return m_routes; }

private:
    std::vector<Route> m_routes;
};

} // namespace breeze::server
