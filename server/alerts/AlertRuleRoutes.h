#pragma once

namespace breeze::server {

class Router;

// Alert rules: GET and POST /api/v1/alert-rules, GET, PATCH and DELETE /api/v1/alert-rules/{id}, assignments
// (POST /api/v1/alert-rules/{id}/assignments, DELETE .../assignments/{assignment}) and a device's effective
// rules with where each came from (GET /api/v1/devices/{id}/alert-rules).
void registerAlertRuleRoutes(Router& router);

} // namespace breeze::server
