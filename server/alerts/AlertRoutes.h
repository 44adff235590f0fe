#pragma once

namespace breeze::server {

class Router;

// Alerts: GET /api/v1/alerts (filters: state, severity, device, rule, org, site), GET /api/v1/alerts/summary
// (open alerts by severity), GET /api/v1/alerts/{id} (with its notifications), POST
// /api/v1/alerts/{id}/acknowledge and POST /api/v1/alerts/{id}/resolve.
void registerAlertRoutes(Router& router);

} // namespace breeze::server
